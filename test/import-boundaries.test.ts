/**
 * The layers import one way: gateway → schema → resolvers → lakehouse, and `codegen/` (pure) is imported by anyone
 * and imports nothing of ours. The lakehouse knows nothing of GraphQL. Read from the source's own imports.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = normalize(join(import.meta.dirname, ".."));
/** Higher imports lower; codegen is below everything. */
const RANK: Record<string, number> = { gateway: 4, schema: 3, resolvers: 2, lakehouse: 1, codegen: 0 };
const GRAPHQL_PACKAGES = /^(graphql|graphql-[a-z-]+|@graphql-[a-z-]+\/.+|@pothos\/.+|@envelop\/.+)$/;

interface Import {
  readonly from: string;
  readonly spec: string;
  /** The top-level folder of a relative import's target, or null for a package. */
  readonly layer: string | null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
  return info.importedFiles.map(({ fileName: spec }) => ({
    from: file,
    spec,
    layer: spec.startsWith(".") ? relative(ROOT, join(ROOT, dirname(file), spec)).split("/")[0]! : null,
  }));
}

/** Every import that breaks the layering, as `file → spec (why)`. */
function layeringViolations(imports: readonly Import[]): string[] {
  const out: string[] = [];
  for (const i of imports) {
    const own = i.from.split("/")[0]!;
    if (i.layer === null) {
      if (own === "lakehouse" && GRAPHQL_PACKAGES.test(i.spec))
        out.push(`${i.from} → ${i.spec} (the lakehouse knows no GraphQL)`);
      continue;
    }
    if (i.layer === own) continue;
    if (!(i.layer in RANK)) out.push(`${i.from} → ${i.spec} (outside the source folders)`);
    else if (own === "codegen") out.push(`${i.from} → ${i.spec} (codegen imports nothing of ours)`);
    else if (RANK[i.layer]! > RANK[own]!) out.push(`${i.from} → ${i.spec} (${own} is below ${i.layer})`);
  }
  return out;
}

describe("import boundaries", () => {
  const imports = Object.keys(RANK).flatMap((dir) => sourceFiles(dir).flatMap(importsOf));

  it("reads the imports of every source folder", () => {
    for (const dir of Object.keys(RANK)) expect(imports.some((i) => i.from.startsWith(`${dir}/`))).toBe(true);
    expect(imports.filter((i) => i.layer !== null).length).toBeGreaterThan(100);
  });

  it("runs one way: gateway → schema → resolvers → lakehouse, codegen below all and importing nothing of ours", () => {
    expect(layeringViolations(imports)).toEqual([]);
  });

  it("flags an import that runs back up, and GraphQL in the lakehouse", () => {
    expect(
      layeringViolations([
        { from: "lakehouse/sql.ts", spec: "../resolvers/context.js", layer: "resolvers" },
        { from: "resolvers/context.ts", spec: "../gateway/config.js", layer: "gateway" },
        { from: "codegen/graphql-names.ts", spec: "../lakehouse/sql.js", layer: "lakehouse" },
        { from: "lakehouse/sql.ts", spec: "graphql", layer: null },
        { from: "schema/builder.ts", spec: "../resolvers/context.js", layer: "resolvers" },
      ]),
    ).toHaveLength(4);
  });
});
