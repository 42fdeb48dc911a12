#!/usr/bin/env bash
# `npm run codegen:check` (part of `npm test`): regenerates the SDL and the client types into a temp folder and fails
# when the committed `codegen/generated/` differs — run `npm run codegen` and commit the result. `tsc` (the
# typecheck step) then checks the generated files and the code that uses them.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npx tsx gateway/cli/codegen-schema.ts --out "$out/schema.graphql"
CODEGEN_OUT="$out" npx graphql-codegen --config codegen.ts --silent
if ! diff -r codegen/generated "$out" >"$out.diff"; then
  head -n 40 "$out.diff"
  rm -f "$out.diff"
  echo "codegen/generated/ is stale: run \`npm run codegen\` and commit the result." >&2
  exit 1
fi
rm -f "$out.diff"
echo "codegen/generated/ is up to date."
