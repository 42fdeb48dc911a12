/**
 * The fixed demo users. Their ids never depend on the preset or the seed, so a token minted for one of them keeps
 * working after a re-seed. The first four are the personas, and every preset gives them the same roles (see
 * `DEMO_PERSONAS`):
 * Maria administers every experiment, Jonas is a member and Sofia a viewer of every private one, and Olivia
 * belongs to none — the outsider who must not see private data.
 */
export interface DemoUser {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly organization: string;
  /** The part this user plays in the demo data (shown next to the printed tokens). */
  readonly description: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1001",
    firstName: "Maria",
    lastName: "Santos",
    email: "maria.santos@example.org",
    organization: "Wageningen University & Research",
    description: "admin of every experiment",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1002",
    firstName: "Jonas",
    lastName: "Berg",
    email: "jonas.berg@example.org",
    organization: "Wageningen University & Research",
    description: "member of every private experiment",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1003",
    firstName: "Sofia",
    lastName: "Rossi",
    email: "sofia.rossi@example.org",
    organization: "University of Padova",
    description: "viewer of every private experiment",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1004",
    firstName: "Olivia",
    lastName: "Park",
    email: "olivia.park@example.org",
    organization: "Michigan State University",
    description: "outsider: member of no experiment",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1005",
    firstName: "Amina",
    lastName: "Okafor",
    email: "amina.okafor@example.org",
    organization: "IITA Ibadan",
    description: "collaborator in some experiments",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1006",
    firstName: "Wei",
    lastName: "Liu",
    email: "wei.liu@example.org",
    organization: "Chinese Academy of Agricultural Sciences",
    description: "collaborator in some experiments",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1007",
    firstName: "David",
    lastName: "Mensah",
    email: "david.mensah@example.org",
    organization: "KNUST Kumasi",
    description: "collaborator in some experiments",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1008",
    firstName: "Carlos",
    lastName: "Mendoza",
    email: "carlos.mendoza@example.org",
    organization: "CIMMYT",
    description: "collaborator in some experiments",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1009",
    firstName: "Priya",
    lastName: "Nair",
    email: "priya.nair@example.org",
    organization: "ICRISAT",
    description: "collaborator in some experiments",
  },
  {
    id: "0b9f4c1e-6a52-4d0e-9c31-5a7e2f8d1010",
    firstName: "Emma",
    lastName: "Jansen",
    email: "emma.jansen@example.org",
    organization: "Wageningen University & Research",
    description: "collaborator in some experiments",
  },
];

function user(firstName: string): DemoUser {
  const found = DEMO_USERS.find((u) => u.firstName === firstName);
  if (!found) throw new Error(`no demo user ${firstName}`);
  return found;
}

/** Who plays which part in every preset (tests and the printed start-up tokens rely on these). */
export const DEMO_PERSONAS = {
  /** Admin of every demo experiment. */
  admin: user("Maria"),
  /** Member (contributor) of every private experiment. */
  member: user("Jonas"),
  /** Viewer of every private experiment: reads and annotates (as in openJII), edits only her own annotations. */
  viewer: user("Sofia"),
  /** Member of no experiment: sees public experiments only. */
  outsider: user("Olivia"),
} as const;

/** Demo users who may be added as members/contributors of further experiments (not the fixed personas). */
export const DEMO_COLLABORATORS: readonly DemoUser[] = DEMO_USERS.filter(
  (u) => !Object.values(DEMO_PERSONAS).includes(u as never),
);

export function fullName(u: Pick<DemoUser, "firstName" | "lastName">): string {
  return `${u.firstName} ${u.lastName}`;
}
