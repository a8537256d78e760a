// Helpers shared by the `new` and package-manager tests: running the built
// CLI as a process, a recipe pack with dependencies, and fake package managers.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { repoRoot, tmpDir } from "../helpers/recipes.js";

export const bin = join(repoRoot, "bin/create-bot-snippet.js");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A scratch folder outside the repository (the OS temp folder), for runs
 * that must not find a package.json above them: under test/.tmp the nearest
 * one is the repository's own, a project that depends on grammY.
 */
export function outsideDir(label: string): string {
  return mkdtempSync(join(realpathSync(tmpdir()), `bot-snippet-${label}-`));
}

/** Runs the built CLI in `cwd`, non-interactive (CI=1, no colours). */
export function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CI: "1", NO_COLOR: "1", npm_config_user_agent: "", CREATE_BOT_SNIPPET_OFFLINE: "1", ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A recipe pack (for `--templates`) whose recipe adds dependencies: two
 * runtime ones and a dev one, all of them in the npm cache after `npm ci`.
 */
export function depsPack(): string {
  const dir = join(tmpDir("deps-pack"), "pack");
  mkdirSync(join(dir, "needs-deps"), { recursive: true });
  const manifest = {
    id: "needs-deps",
    title: "A test recipe that needs dependencies",
    description: "Writes one module and adds dependencies, for the package-manager tests.",
    seeds: [],
    questions: [],
    dependencies: [
      { name: "@grammyjs/ratelimiter", version: "^1.2.1" },
      { name: "@grammyjs/auto-retry", version: "^2.0.2" },
      { name: "fast-check", version: "^4.10.2", dev: true },
    ],
    files: [{ template: "needs-deps.ts.hbs", target: "{{recipesDir}}/needs-deps.ts" }],
    edits: [],
  };
  writeFileSync(join(dir, "needs-deps/recipe.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, "needs-deps/needs-deps.ts.hbs"), "export const needsDeps = true;\n");
  return dir;
}

/**
 * A folder of fake `pnpm`, `yarn` and `bun` executables that record their
 * arguments (one line per call) in `calls.log` and exit with `exitCode`.
 * Put it first on PATH to see exactly what the CLI runs, offline.
 */
export function fakePackageManagers(exitCode = 0): { path: string; calls: () => string[] } {
  const dir = tmpDir("fake-pm");
  const log = join(dir, "calls.log");
  for (const name of ["pnpm", "yarn", "bun"]) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${log}"\necho "(fake ${name}) $*"\nexit ${exitCode}\n`);
    chmodSync(file, 0o755);
  }
  return {
    path: `${dir}${delimiter}${process.env.PATH ?? ""}`,
    calls: () => {
      try {
        return readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}

/** Every file under `dir` (relative, `/`-separated), skipping node_modules. */
export function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix))) {
    if (entry === "node_modules") continue;
    const rel = prefix ? `${prefix}/${entry}` : entry;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}
