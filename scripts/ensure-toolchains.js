#!/usr/bin/env node
// Installs test/toolchains (the TypeScript versions the field matrix checks
// with) from its lockfile when it is missing or stale. `npm test` runs it
// before the tests; it does nothing when the installed copies match.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "../test/toolchains");
const wanted = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")).packages ?? {};
const current = (name) => {
  const file = join(dir, name, "package.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).version : undefined;
};
const stale = Object.entries(wanted).filter(([name, info]) => name !== "" && current(name) !== info.version);
if (stale.length > 0) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error"], { stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
