// lint --typecheck is a check of data: it runs the CLI's own TypeScript (never
// a pack's or the current folder's), works in the OS temp folder (removed at
// the end and on SIGINT), resolves the recipes' packages from the CLI's own
// install (a user's project needs none of them), and says in one line which
// are missing when neither has them. Packs stay inside their folder.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixturesDir, repoRoot } from "../helpers/recipes.js";

const bin = join(repoRoot, "bin/create-bot-snippet.js");
const fixture = join(fixturesDir, "cjs-single");
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A folder outside the repository (no node_modules above it with grammY or TypeScript). */
function outside(label: string): string {
  const dir = mkdtempSync(join(realpathSync(tmpdir()), `bot-snippet-${label}-`));
  made.push(dir);
  return dir;
}

function lint(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [bin, "lint", ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 120_000 });
}

/** A pack (folder `pack` in `dir`) with one recipe importing `imports`, depending on `dependencies`. */
function writePack(dir: string, options: { imports?: string[]; dependencies?: Array<{ name: string; version: string }> } = {}): string {
  const recipe = join(dir, "pack", "hello");
  mkdirSync(recipe, { recursive: true });
  const manifest = { id: "hello", title: "Hello", description: "Says hello.", seeds: [], questions: [], files: [{ template: "hello.ts.hbs", target: "{{recipesDir}}/hello.ts" }], edits: [], dependencies: options.dependencies ?? [] };
  writeFileSync(join(recipe, "recipe.json"), JSON.stringify(manifest, null, 2));
  const imports = (options.imports ?? []).map((m, i) => `import * as m${i} from "${m}";\n`).join("");
  const uses = (options.imports ?? []).map((_, i) => `  void m${i};\n`).join("");
  writeFileSync(join(recipe, "hello.ts.hbs"), `import type { Bot } from "grammy";\n${imports}\nexport function hello(bot: Bot): void {\n${uses}  bot.command("hello", (ctx) => ctx.reply("hi"));\n}\n`);
  return join(dir, "pack");
}

/** A node_modules/typescript whose tsc (and compiler API) write `marker` when anything loads them. */
function fakeTypeScript(dir: string, marker: string): void {
  const ts = join(dir, "node_modules", "typescript");
  mkdirSync(join(ts, "bin"), { recursive: true });
  mkdirSync(join(ts, "lib"), { recursive: true });
  const evil = `require("fs").writeFileSync(${JSON.stringify(marker)}, "the pack's TypeScript ran");\n`;
  writeFileSync(join(ts, "package.json"), JSON.stringify({ name: "typescript", version: "5.4.0", main: "lib/typescript.js" }));
  writeFileSync(join(ts, "bin", "tsc"), evil);
  writeFileSync(join(ts, "lib", "typescript.js"), evil);
}

const scratchIn = (dir: string) => readdirSync(dir).filter((e) => e.includes("bot-snippet-lint"));

describe("lint --typecheck in a pack that ships node_modules/typescript", () => {
  it("never loads it: the CLI's own TypeScript checks, scratch copies go to TMPDIR and are removed", { timeout: 120_000 }, () => {
    const dir = outside("evil-ts");
    const marker = join(dir, "MARKER");
    fakeTypeScript(dir, marker);
    const pack = writePack(dir);
    fakeTypeScript(pack, marker); // inside the pack folder too
    const temp = outside("lint-tmp");
    const r = lint(["--typecheck", "pack", "--fixtures", fixture], dir, { TMPDIR: temp });
    expect(existsSync(marker)).toBe(false);
    expect(r.stdout).toMatch(/✓ 1 recipe\(s\), \d+ answer combination\(s\): 0 error\(s\)/);
    expect(r.status).toBe(0);
    expect(scratchIn(dir)).toEqual([]);
    expect(scratchIn(pack)).toEqual([]);
    expect(readdirSync(temp)).toEqual([]); // used, then removed
  });

  it("still reports real type errors (the check is not vacuous)", { timeout: 120_000 }, () => {
    const dir = outside("real-error");
    const pack = writePack(dir);
    writeFileSync(join(pack, "hello", "hello.ts.hbs"), 'import type { Bot } from "grammy";\n\nexport function hello(bot: Bot): void {\n  const n: number = "x";\n  void n;\n  void bot;\n}\n');
    const r = lint(["--typecheck", "pack", "--fixtures", fixture], dir);
    expect(r.stdout).toMatch(/TS2322: Type 'string' is not assignable to type 'number'/);
    expect(r.status).toBe(1);
  });
});

describe("lint --typecheck on SIGINT", () => {
  it("removes its scratch folder and ends as interrupted", { timeout: 120_000 }, async () => {
    const dir = outside("sigint");
    writePack(dir);
    const temp = outside("sigint-tmp");
    const child = spawn(process.execPath, [bin, "lint", "--typecheck", "pack", "--fixtures", fixture], { cwd: dir, env: { ...process.env, NO_COLOR: "1", TMPDIR: temp }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const deadline = Date.now() + 60_000;
    while (scratchIn(temp).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(scratchIn(temp).length).toBe(1);
    child.kill("SIGINT");
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_, s) => resolve(s)));
    expect(signal).toBe("SIGINT");
    expect(stderr).toBe("");
    expect(readdirSync(temp)).toEqual([]);
  });
});

describe("lint --typecheck from a user's project (issue 13 §14)", () => {
  it("resolves the recipes' packages from the CLI's own install, though the project has only grammy", { timeout: 120_000 }, () => {
    const dir = outside("user-project");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "my-bot", dependencies: { grammy: "^1.46.0" } }));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(join(repoRoot, "node_modules", "grammy"), join(dir, "node_modules", "grammy"), "junction");
    writePack(dir, { imports: ["@grammyjs/runner", "@grammyjs/ratelimiter"], dependencies: [{ name: "@grammyjs/runner", version: "^2.0.3" }, { name: "@grammyjs/ratelimiter", version: "^1.2.1" }] });
    const r = lint(["--typecheck", "pack", "--fixtures", fixture], dir);
    expect(r.stdout).not.toMatch(/Cannot find module/);
    expect(r.stdout).toMatch(/0 error\(s\)/);
    expect(r.status).toBe(0);
  });

  it("names in one line the packages neither has, and what to do", { timeout: 120_000 }, () => {
    const dir = outside("missing-deps");
    writePack(dir, { imports: ["not-installed-anywhere"], dependencies: [{ name: "not-installed-anywhere", version: "^1.0.0" }] });
    const r = lint(["--typecheck", "pack", "--fixtures", fixture], dir);
    expect(r.status).toBe(1);
    const errors = r.stdout.split("\n").filter((l) => / error /.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/--typecheck could not run: not-installed-anywhere is not installed in .*missing-deps.* \(nor with create-bot-snippet in .*\)/);
    expect(r.stdout).toMatch(/npm i -D not-installed-anywhere/);
    expect(r.stdout).not.toMatch(/TS2307/);
  });
});

describe("a pack's files stay inside the pack", () => {
  /** A pack whose template is a symlink to a secret outside it. */
  function linkedPack(dir: string): { pack: string; secret: string } {
    const secret = join(outside("secret"), "id_rsa");
    writeFileSync(secret, "-----BEGIN PRIVATE KEY----- SECRET-BYTES\n");
    const pack = writePack(dir);
    rmSync(join(pack, "hello", "hello.ts.hbs"));
    symlinkSync(secret, join(pack, "hello", "hello.ts.hbs"));
    return { pack, secret };
  }

  it("lint refuses a template linked outside the pack and reads nothing of it", () => {
    const dir = outside("lint-link");
    const { pack } = linkedPack(dir);
    const r = lint([pack, "--format", "json"], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/is a symlink to .*id_rsa, outside its pack/);
    expect(r.stdout + r.stderr).not.toMatch(/SECRET-BYTES|BEGIN PRIVATE KEY/);
  });

  it.each([
    ["a recipe folder", (pack: string, elsewhere: string) => symlinkSync(join(elsewhere, "hello"), join(pack, "linked"), "dir")],
    ["a recipe.json", (pack: string, elsewhere: string) => {
      mkdirSync(join(pack, "linked"));
      symlinkSync(join(elsewhere, "hello", "recipe.json"), join(pack, "linked", "recipe.json"));
    }],
  ])("%s linked outside the pack is refused by lint, add and show alike", (_, link) => {
    const dir = outside("pack-links");
    const elsewhere = writePack(outside("elsewhere"));
    const pack = join(dir, "pack");
    mkdirSync(pack);
    link(pack, elsewhere);
    const project = outside("pack-links-project");
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "p", dependencies: { grammy: "^1.46.0" } }));
    writeFileSync(join(project, "bot.ts"), 'import { Bot } from "grammy";\nconst bot = new Bot("");\nvoid bot.start();\n');
    const runs = [
      lint([pack], dir),
      spawnSync(process.execPath, [bin, "add", "hello", "--yes", "--no-install", "--no-check", "--cwd", project, "--templates", pack], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }),
      spawnSync(process.execPath, [bin, "show", "hello", "--templates", pack], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }),
    ];
    for (const r of runs) {
      expect(r.status).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/is a symlink to .*, outside its pack/);
      expect(r.stdout + r.stderr).not.toMatch(/Says hello|bot\.command\("hello"/);
    }
    expect(readdirSync(project).sort()).toEqual(["bot.ts", "package.json"]);
  });

  it("new --templates refuses it before writing anything", () => {
    const dir = outside("new-link");
    const { pack } = linkedPack(dir);
    const r = spawnSync(process.execPath, [bin, "new", "my-bot", "--yes", "--no-install", "--recipes", "hello", "--templates", pack], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/hello\.ts\.hbs is a symlink to .*id_rsa, outside its pack; it is not read/);
    expect(r.stderr).not.toMatch(/SECRET-BYTES/);
    expect(existsSync(join(dir, "my-bot"))).toBe(false);
  });
});
