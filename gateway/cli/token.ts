/** `npm run token -- <userId> [--name "Ada Lovelace"] [--expires 7d]`: prints a signed token for the gateway. */
import { parseArgs } from "node:util";
import { signToken } from "../auth/jwt.js";
import { loadConfig } from "../config.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: "string" }, expires: { type: "string", default: "30d" } },
});
const userId = positionals[0];
if (!userId) {
  console.error('usage: npm run token -- <userId> [--name "Full Name"] [--expires 7d]');
  process.exit(2);
}
const config = loadConfig();
process.stdout.write(
  `${await signToken(config.jwt, userId, { name: values.name, expiresIn: values.expires })}\n`,
);
