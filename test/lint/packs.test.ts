// Third-party packs through the built CLI: `--templates <dir>` for list, show
// and add; a clashing id is addressed as <pack>/<id>; a pack is data (nothing
// in it runs); a pack cannot write outside the project (../, absolute, symlink).
import { existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliSession } from "../helpers/cli-session.js";
import { copyFixture, fixturesDir, repoRoot, tmpDir } from "../helpers/recipes.js";

const teamPack = join(fixturesDir, "packs/team-pack");
const escapePack = join(fixturesDir, "packs/escape-pack");
// The runs share one CLI process (test/helpers/cli-session.ts): these tests are about what a
// command prints and writes (a pack's code never running is checked in that process too).
const session = cliSession();
const cli = async (args: string[], cwd = repoRoot) => {
  const r = await session.run(args, { cwd, env: { CI: "1" } });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};
const add = async (dir: string, ...args: string[]) => await cli(["add", ...args, "--cwd", dir, "--yes", "--no-install", "--no-check"]);

/** Every file under a folder with its content, to prove nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else if (e.isFile()) out[`${rel}${e.name}`] = readFileSync(join(d, e.name), "utf8");
    }
  };
  walk(dir, "");
  return out;
}

describe("--templates <pack>", () => {
  it("list shows the pack's recipes; the one clashing with a bundled id as <pack>/<id>", async () => {
    const run = await cli(["list", "--json", "--templates", teamPack]);
    expect(run.status).toBe(0);
    const refs = (JSON.parse(run.stdout) as Array<{ ref: string; pack: string }>).map((r) => `${r.pack}:${r.ref}`);
    expect(refs).toContain("bundled:error-handler");
    expect(refs).toContain("team-pack:team-pack/error-handler");
    expect(refs).toContain("team-pack:welcome-message");
    expect(refs).toContain("team-pack:bad-types");
  });

  it("show previews a pack recipe addressed as <pack>/<id>", async () => {
    const run = await cli(["show", "team-pack/error-handler", "--templates", teamPack]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("export function logTeamError");
  });

  it("add writes a pack recipe into the project and wires it", async () => {
    const dir = copyFixture("cjs-single");
    const run = await add(dir, "welcome-message", "--templates", teamPack);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(dir, "recipes/welcome-message.ts"), "utf8")).toContain("export function welcomeMessage");
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain("bot.use(welcomeMessage())");
  });

  it("the bare id is the bundled recipe; <pack>/<id> is the pack's", async () => {
    const bundled = copyFixture("cjs-single");
    expect((await add(bundled, "error-handler", "--templates", teamPack)).status).toBe(0);
    expect(existsSync(join(bundled, "recipes/error-handler.ts"))).toBe(true);
    expect(existsSync(join(bundled, "recipes/team-errors.ts"))).toBe(false);

    const pack = copyFixture("cjs-single");
    const run = await add(pack, "team-pack/error-handler", "--templates", teamPack);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(pack, "recipes/team-errors.ts"))).toBe(true);
    expect(readFileSync(join(pack, "bot.ts"), "utf8")).toContain("bot.catch(logTeamError)");
    expect(existsSync(join(pack, "recipes/error-handler.ts"))).toBe(false);
  });

  it("a pack is data: loading, showing and adding never run its code", async () => {
    const dir = copyFixture("cjs-single");
    await cli(["list", "--templates", escapePack, "--templates", teamPack]);
    await cli(["show", "escape-dotdot", "--templates", escapePack]);
    await add(dir, "escape-dotdot", "--templates", escapePack);
    expect(existsSync(join(escapePack, "escape-dotdot/EXECUTED"))).toBe(false);
  });
});

describe("a pack cannot write outside the project", () => {
  const refused = async (dir: string, id: string) => {
    const before = snapshot(dir);
    const run = await add(dir, id, "--templates", escapePack);
    expect(run.status, run.stderr).toBe(2);
    expect(snapshot(dir)).toEqual(before);
    return run.stderr;
  };

  it("refuses a ../ target", async () => {
    const outer = tmpDir("escape-dotdot");
    const dir = copyFixture("cjs-single", outer);
    expect(await refused(dir, "escape-dotdot")).toContain('"../escaped-dotdot.ts" is outside the project');
    expect(existsSync(join(outer, "escaped-dotdot.ts"))).toBe(false);
  });

  it("refuses an absolute target", async () => {
    const dir = copyFixture("cjs-single");
    expect(await refused(dir, "escape-absolute")).toContain("is absolute; recipes may only write inside the project");
    expect(existsSync("/tmp/bot-snippet-escaped-absolute.ts")).toBe(false);
  });

  it("refuses a target through a symlink that points out of the project", async () => {
    const outside = tmpDir("escape-outside");
    const dir = copyFixture("cjs-single");
    symlinkSync(outside, join(dir, "linked"), "dir");
    expect(await refused(dir, "escape-symlink")).toContain("goes through a symlink that points outside the project");
    expect(readdirSync(outside)).toEqual([]);
  });

  it("lint flags the ../ and absolute targets before anyone adds them", async () => {
    const run = await cli(["lint", escapePack, "--format", "json"]);
    expect(run.status).toBe(1);
    const found = (JSON.parse(run.stdout) as { diagnostics: Array<{ recipe: string; message: string }> }).diagnostics.map((d) => `${d.recipe}: ${d.message}`);
    expect(found).toEqual([
      'escape-absolute: files[0].target: target "/tmp/bot-snippet-escaped-absolute.ts" must be a relative path inside the project (no .., not absolute)',
      'escape-dotdot: files[0].target: target "../escaped-dotdot.ts" must be a relative path inside the project (no .., not absolute)',
    ]);
  });
});
