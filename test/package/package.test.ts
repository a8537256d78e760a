// The package as users get it: `npm pack` a clean tree (the repository's
// files as a fresh clone has them: no dist/, so only `prepack` can build it),
// install the tarball into a folder outside the repo from the npm cache
// (offline), and run the installed bin: --help, list, new, add, and
// `npm create bot-snippet`. This proves `prepack`, `bin`, `files` and the
// bundled templates work as published.
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesDir, repoRoot } from "../helpers/recipes.js";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const quiet = { npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", NO_COLOR: "1", CI: "1" };

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...quiet, npm_config_user_agent: "", ...env }, timeout: 60_000, shell: process.platform === "win32" });
}
const explain = (r: SpawnSyncReturns<string>) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

/**
 * A project that depends on the packed tarball, with the lockfile npm would
 * write for it: the tarball, and the packages the repo's own lockfile
 * installs for production (those not marked dev), at the same places.
 */
function writeAppLock(app: string, packed: { filename: string; integrity: string }): void {
  type Entry = { dev?: boolean; devOptional?: boolean; [key: string]: unknown };
  const ours = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string; version: string; bin: Record<string, string>; dependencies: Record<string, string>; engines?: Record<string, string> };
  const repoLock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, Entry> };
  const spec = `file:../${packed.filename}`;
  const packages: Record<string, unknown> = {
    "": { name: "pack-test", dependencies: { [ours.name]: spec } },
    [`node_modules/${ours.name}`]: { version: ours.version, resolved: spec, integrity: packed.integrity, dependencies: ours.dependencies, bin: ours.bin, ...(ours.engines && { engines: ours.engines }) },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) if (path !== "" && !entry.dev && !entry.devOptional) packages[path] = entry;
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pack-test", private: true, dependencies: { [ours.name]: spec } }, null, 2));
  writeFileSync(join(app, "package-lock.json"), JSON.stringify({ name: "pack-test", lockfileVersion: 3, requires: true, packages }, null, 2));
}

describe("the packed tarball, installed offline", () => {
  let work: string;
  let app: string;
  let binPath: string;
  const run = (args: string[], cwd: string) => sh(process.execPath, [binPath, ...args], cwd);

  let packedFiles: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "bot-snippet-pack-"));
    // A clean tree: the files git would check out (tracked, and new ones not ignored), no dist/, no node_modules.
    const clean = join(work, "clone");
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const file of files) {
      const from = join(repoRoot, file);
      if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
      mkdirSync(dirname(join(clean, file)), { recursive: true });
      copyFileSync(from, join(clean, file));
    }
    expect(existsSync(join(clean, "dist"))).toBe(false);
    // `npm ci` would install these; offline, the repo's own are linked in.
    symlinkSync(join(repoRoot, "node_modules"), join(clean, "node_modules"), "junction");
    const packed = sh(npm, ["pack", "--json", "--pack-destination", work], clean);
    expect(packed.status, explain(packed)).toBe(0);
    const manifest = (JSON.parse(packed.stdout) as Array<{ filename: string; integrity: string; files: Array<{ path: string }> }>)[0]!;
    packedFiles = manifest.files.map((f) => f.path);

    app = join(work, "app");
    mkdirSync(app);
    writeAppLock(app, manifest);
    // Never the network: `npm ci` from a lockfile takes each package from the npm cache by its integrity, as the
    // repo's own `npm ci` left them there (`npm install <tarball>` would need the registry's package documents,
    // which a lockfile install never caches: a cache miss fails here, saying so).
    const installed = sh(npm, ["ci", "--offline"], app);
    expect(installed.status, `npm ci --offline of the tarball failed (is the npm cache filled by \`npm ci\`?)\n${explain(installed)}`).toBe(0);
    binPath = join(app, "node_modules/create-bot-snippet/bin/create-bot-snippet.js");
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("prepack built dist/ into the tarball of a tree that had none; LICENSE and README are in it", () => {
    expect(packedFiles).toEqual(expect.arrayContaining(["dist/src/cli.js", "LICENSE", "README.md", "package.json"]));
  });

  it("ships bin, dist and templates (with the new-bot skeleton), not the tests", () => {
    const pkgDir = join(app, "node_modules/create-bot-snippet");
    for (const file of ["bin/create-bot-snippet.js", "dist/src/cli.js", "templates/error-handler/recipe.json", "templates/_project/package.json.hbs", "templates/_project/_gitignore.hbs", "templates/_project/_env.example.hbs"]) {
      expect(existsSync(join(pkgDir, file)), file).toBe(true);
    }
    expect(existsSync(join(pkgDir, "test"))).toBe(false);
    expect(existsSync(join(pkgDir, "src"))).toBe(false);
    for (const name of ["create-bot-snippet", "bot-snippet"]) expect(existsSync(join(app, "node_modules/.bin", name)), name).toBe(true);
  });

  it("--help and list", () => {
    const help = run(["--help"], app);
    expect(help.status, explain(help)).toBe(0);
    expect(help.stdout).toContain("Usage: create-bot-snippet");
    expect(help.stdout).toContain("new [options] [dir]");
    const list = run(["list", "--json"], app);
    expect(list.status, explain(list)).toBe(0);
    const ids = (JSON.parse(list.stdout) as Array<{ id: string }>).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(["error-handler", "access-control"]));
    expect(ids).not.toContain("_project");
  });

  it("new my-bot --yes --recipes error-handler,access-control --set userIds=1: a project whose `npm run typecheck` passes", () => {
    const made = run(["new", "my-bot", "--yes", "--recipes", "error-handler,access-control", "--set", "userIds=1", "--no-install"], work);
    expect(made.status, explain(made)).toBe(0);
    const dir = join(work, "my-bot");
    for (const file of [".gitignore", ".env.example", "src/bot.ts", "src/main.ts", "src/recipes/access-control.ts", "src/recipes/error-handler.ts"]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    // Offline, the dependencies come from the repo's node_modules (grammy, typescript, @types/node
    // as installed by `npm ci`), linked in; in CI with a network, `npm install` would fetch the same.
    symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "junction");
    const typecheck = sh(npm, ["run", "typecheck"], dir);
    expect(typecheck.status, explain(typecheck)).toBe(0);
  });

  it("add, in a copy of a fixture project", () => {
    const dir = join(work, "fixture");
    cpSync(join(fixturesDir, "esm-nodenext-factory"), dir, { recursive: true });
    const added = run(["add", "error-handler", "--yes", "--no-install"], dir);
    expect(added.status, explain(added)).toBe(0);
    expect(existsSync(join(dir, "src/recipes/error-handler.ts"))).toBe(true);
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).toContain("bot.catch(handleBotError)");
  });

  it("npm create bot-snippet <dir> --recipes …: npm keeps the flag, the CLI says to put -- before it", () => {
    const swallowed = sh(npm, ["create", "bot-snippet", "--offline", "swallowed", "--recipes", "error-handler"], app);
    expect(swallowed.status).not.toBe(0);
    expect(swallowed.stderr).toContain("run: npm create bot-snippet swallowed -- --recipes error-handler");
    expect(existsSync(join(app, "swallowed"))).toBe(false);
  });

  it("npm create bot-snippet <dir>: the create-bot-snippet bin, through npm exec", () => {
    const created = sh(npm, ["create", "bot-snippet", "--offline", "--", "via-create", "--yes", "--no-install"], app);
    expect(created.status, explain(created)).toBe(0);
    expect(existsSync(join(app, "via-create/src/bot.ts"))).toBe(true);
    expect(JSON.parse(readFileSync(join(app, "via-create/package.json"), "utf8")).name).toBe("via-create");
    // And the bin itself under its create- name, as `npx create-bot-snippet` runs it.
    const direct = sh(join(app, "node_modules/.bin/create-bot-snippet"), ["--version"], app);
    expect(direct.status, explain(direct)).toBe(0);
    expect(direct.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version);
  });
});
