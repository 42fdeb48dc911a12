/** What the `JSON` scalar carries: any JSON value (the generated client types map `JSON` to this). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
