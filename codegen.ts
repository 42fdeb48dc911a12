/**
 * GraphQL Code Generator (`npm run codegen`): typed documents for the example client operations in
 * `codegen/operations/`, generated against the SDL printed from the embedded demo lakehouse
 * (`gateway/cli/codegen-schema.ts` writes `codegen/generated/schema.graphql`), plus the `possibleTypes` Apollo
 * Client's cache needs for fragments on interfaces. `npm run codegen:check` (part of `npm test`) regenerates into a
 * temp folder and fails when the committed files differ; `tsc` then type-checks them with the rest.
 */
import type { CodegenConfig } from "@graphql-codegen/cli";

/** Where to write: `CODEGEN_OUT` (the check's temp folder), else the committed folder. */
const out = process.env.CODEGEN_OUT ?? "codegen/generated";

/**
 * Custom scalars as TypeScript sees them on the wire: exact 64-bit integers, exact decimals and microsecond times
 * are strings.
 */
const scalars = {
  ID: "string",
  BigInt: "string",
  Decimal: "string",
  DateTime: "string",
  Date: "string",
  JSON: "../../json-value.js#JsonValue",
};

const config: CodegenConfig = {
  schema: `${out}/schema.graphql`,
  documents: ["codegen/operations/**/*.graphql"],
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false,
  generates: {
    [`${out}/client/`]: {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars,
        strictScalars: true,
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
        defaultScalarType: "unknown",
      },
    },
    [`${out}/possible-types.ts`]: {
      plugins: ["fragment-matcher"],
      config: { apolloClientVersion: 3, useExplicitTyping: true },
    },
  },
};

export default config;
