// The registry this project installs from lacks the other-platform builds of native packages (DuckDB, Biome,
// the Databricks kernel): `npm install` then leaves them out of package-lock.json and `npm ci` refuses the lock
// ("Missing: … from lock file"). This adds lock entries for those optional platform packages, with the os/cpu/
// libc constraints that make npm skip them on every other platform. Run after changing dependencies:
//   npm install && node .ci/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;
const OS = ["darwin", "linux", "win32", "android", "freebsd", "openbsd", "sunos", "aix"];
const CPU = ["arm64", "x64", "ia32", "arm", "ppc64", "s390x", "riscv64", "loong64"];

function constraints(name) {
  const parts = name.split("/").pop().split("-");
  const os = OS.filter((o) => parts.includes(o));
  const cpu = CPU.filter((c) => parts.includes(c));
  const out = {};
  if (cpu.length) out.cpu = cpu;
  if (os.includes("linux")) out.libc = [parts.includes("musl") ? "musl" : "glibc"];
  if (os.length) out.os = os;
  return os.length || cpu.length ? out : null;
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `node_modules/${dep}`;
    if (packages[target] || packages[`${location}/${target}`]) continue;
    const platform = constraints(dep);
    if (!platform) continue;
    packages[target] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...platform };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
