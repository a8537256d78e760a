// Package-manager detection, the install commands, and `add` installing with
// the project's package manager (fake pnpm/yarn on PATH record what runs).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { addDependenciesCommands, detectPackageManager, formatCommand, fromUserAgent } from "../../src/project/package-manager.js";
import { copyFixture } from "../helpers/recipes.js";
import { depsPack, fakePackageManagers } from "./helpers.js";
import { cliSession } from "../helpers/cli-session.js";

// As ./helpers.js `cli` (CI=1, no colours, no npm user agent, offline), but the runs share one
// CLI process (test/helpers/cli-session.ts): these tests are about what is printed and written.
const session = cliSession();
const cli = async (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => {
  const r = await session.run(args, { cwd, env: { CI: "1", npm_config_user_agent: "", ...env } });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

// Outside the repo, so that no lockfile above the test folders is found.
const outside = mkdtempSync(join(tmpdir(), "bot-snippet-pm-"));
afterAll(() => rmSync(outside, { recursive: true, force: true }));
let n = 0;
const folder = (files: Record<string, string> = {}) => {
  const dir = join(outside, `p${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
const noAgent = {} as NodeJS.ProcessEnv;

describe("detectPackageManager", () => {
  it.each([
    ["pnpm-lock.yaml", "pnpm"],
    ["yarn.lock", "yarn"],
    ["bun.lock", "bun"],
    ["bun.lockb", "bun"],
    ["package-lock.json", "npm"],
  ])("lockfile %s → %s", async (file, name) => {
    expect(detectPackageManager(folder({ [file]: "" }), undefined, noAgent)).toEqual({ name, source: "lockfile", detail: file });
  });

  it("the packageManager field wins over a lockfile", async () => {
    const dir = folder({ "package.json": JSON.stringify({ packageManager: "pnpm@9.15.0+sha512.abc" }), "package-lock.json": "" });
    expect(detectPackageManager(dir, undefined, noAgent)).toEqual({ name: "pnpm", source: "packageManager", detail: "pnpm@9.15.0" });
  });

  it("a lockfile in a parent folder (workspace root) counts", async () => {
    const root = folder({ "yarn.lock": "" });
    const pkg = join(root, "packages/bot");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "package.json"), "{}");
    expect(detectPackageManager(pkg, undefined, noAgent).name).toBe("yarn");
  });

  it("then the user agent of the command that started us, then npm", async () => {
    const dir = folder({ "package.json": "{}" });
    expect(detectPackageManager(dir, undefined, { npm_config_user_agent: "pnpm/9.1.0 npm/? node/v20.12.0 linux x64" })).toEqual({ name: "pnpm", source: "user agent", detail: "pnpm/9.1.0" });
    expect(detectPackageManager(dir, undefined, { npm_config_user_agent: "bun/1.1.0 npm/? node/v22 linux x64" }).name).toBe("bun");
    expect(detectPackageManager(dir, undefined, noAgent)).toEqual({ name: "npm", source: "default" });
    expect(fromUserAgent("cnpm/1.0 node/v20")).toBeUndefined();
  });

  it("--pm overrides everything; an unknown one is a usage error", async () => {
    const dir = folder({ "pnpm-lock.yaml": "" });
    expect(detectPackageManager(dir, "bun", noAgent)).toEqual({ name: "bun", source: "--pm" });
    expect(() => detectPackageManager(dir, "pip", noAgent)).toThrow(/unknown package manager/);
  });
});

describe("install commands", () => {
  const deps = [
    { name: "grammy", version: "^1.46.0", dev: false },
    { name: "@grammyjs/menu", version: "^1.5.0", dev: false },
    { name: "fast-check", version: "^4.10.2", dev: true },
  ];
  it.each([
    ["npm", 'npm install "grammy@^1.46.0" "@grammyjs/menu@^1.5.0" | npm install --save-dev "fast-check@^4.10.2"'],
    ["pnpm", 'pnpm add "grammy@^1.46.0" "@grammyjs/menu@^1.5.0" | pnpm add -D "fast-check@^4.10.2"'],
    ["yarn", 'yarn add "grammy@^1.46.0" "@grammyjs/menu@^1.5.0" | yarn add -D "fast-check@^4.10.2"'],
    ["bun", 'bun add "grammy@^1.46.0" "@grammyjs/menu@^1.5.0" | bun add --dev "fast-check@^4.10.2"'],
  ] as const)("%s", (pm, expected) => {
    expect(addDependenciesCommands(pm, deps).map(formatCommand).join(" | ")).toBe(expected);
  });
  it("only quotes what a shell would change", async () => {
    expect(formatCommand({ command: "pnpm", args: ["add", "grammy@1.46.0", "x@>=1 <2"] })).toBe('pnpm add grammy@1.46.0 "x@>=1 <2"');
  });
});

describe("add installs with the project's package manager", () => {
  const pack = depsPack();
  const added = '"@grammyjs/ratelimiter@^1.2.1" "@grammyjs/auto-retry@^2.0.2"';

  it("pnpm project (lockfile), --no-install: edits package.json, prints `pnpm add …`, runs nothing", async () => {
    const fake = fakePackageManagers();
    const dir = copyFixture("pm-pnpm");
    const run = await cli(["add", "needs-deps", "--templates", pack, "--yes", "--no-install"], dir, { PATH: fake.path });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`install the new dependencies: pnpm add ${added} && pnpm add -D "fast-check@^4.10.2"`);
    expect(fake.calls()).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.dependencies).toEqual({ "@grammyjs/auto-retry": "^2.0.2", "@grammyjs/ratelimiter": "^1.2.1", grammy: "^1.46.0" });
    expect(pkg.devDependencies).toEqual({ "fast-check": "^4.10.2" });
  });

  it("yarn project (packageManager field): a conflicting range is reported and left alone, the rest added with `yarn add`", async () => {
    const fake = fakePackageManagers();
    const dir = copyFixture("pm-yarn");
    const run = await cli(["add", "needs-deps", "--templates", pack, "--yes", "--no-install"], dir, { PATH: fake.path });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("@grammyjs/ratelimiter: package.json has ^0.9.0, the recipe needs ^1.2.1; not changed");
    expect(run.stderr).toContain('install the new dependencies: yarn add "@grammyjs/auto-retry@^2.0.2" && yarn add -D "fast-check@^4.10.2"');
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.dependencies["@grammyjs/ratelimiter"]).toBe("^0.9.0");
    expect(pkg.dependencies["@grammyjs/auto-retry"]).toBe("^2.0.2");
  });

  it("runs the package manager after writing, with exactly those arguments", async () => {
    const fake = fakePackageManagers();
    const dir = copyFixture("pm-pnpm");
    const run = await cli(["add", "needs-deps", "--templates", pack, "--yes"], dir, { PATH: fake.path });
    expect(run.status).toBe(0);
    expect(fake.calls()).toEqual(["pnpm add @grammyjs/ratelimiter@^1.2.1 @grammyjs/auto-retry@^2.0.2", "pnpm add -D fast-check@^4.10.2"]);
    expect(run.stderr).toContain("(fake pnpm) add"); // its output reaches the user (on stderr)
    expect(run.stderr).toContain("installed @grammyjs/ratelimiter, @grammyjs/auto-retry, fast-check with pnpm");
  });

  it("--pm overrides the lockfile", async () => {
    const fake = fakePackageManagers();
    const dir = copyFixture("pm-pnpm");
    const run = await cli(["add", "needs-deps", "--templates", pack, "--yes", "--pm", "yarn"], dir, { PATH: fake.path });
    expect(run.status).toBe(0);
    expect(fake.calls()[0]).toMatch(/^yarn add /);
  });

  it("a failed install: exit 1, says what to run by hand, the written files stay", async () => {
    const fake = fakePackageManagers(1);
    const dir = copyFixture("pm-pnpm");
    const run = await cli(["add", "needs-deps", "--templates", pack, "--yes"], dir, { PATH: fake.path });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("installing the dependencies failed: pnpm exited with code 1; the files are written");
    expect(run.stderr).toContain(`install them by hand: pnpm add ${added} && pnpm add -D "fast-check@^4.10.2"`);
    expect(existsSync(join(dir, "src/recipes/needs-deps.ts"))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).dependencies["@grammyjs/ratelimiter"]).toBe("^1.2.1");
    expect(fake.calls()).toHaveLength(1); // stops at the first failure
  });

  it("--json reports the install step in the plan", async () => {
    const dir = copyFixture("pm-pnpm");
    const run = await cli(["add", "needs-deps", "--templates", pack, "--yes", "--json", "--no-install"], dir);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).install).toEqual({
      packageManager: "pnpm",
      detectedFrom: "lockfile pnpm-lock.yaml",
      commands: [`pnpm add ${added}`, 'pnpm add -D "fast-check@^4.10.2"'],
      status: "skipped",
    });
  });

  it("no dependency added: no install step at all", async () => {
    const fake = fakePackageManagers();
    const dir = copyFixture("pm-pnpm");
    const run = await cli(["add", "error-handler", "--yes"], dir, { PATH: fake.path });
    expect(run.status).toBe(0);
    expect(fake.calls()).toEqual([]);
    expect(run.stderr).not.toContain("install");
  });

  it("a real npm install of an added dependency, from the npm cache (offline)", async (ctx) => {
    const dir = copyFixture("esm-nodenext-factory", folder());
    const run = await cli(["add", "needs-deps", "--templates", pack, "--yes", "--pm", "npm"], dir, {
      npm_config_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    });
    if (run.status !== 0 && /ENOTCACHED|offline|ENOTFOUND|EAI_AGAIN/i.test(run.stderr)) {
      ctx.skip(`the dependencies are not in the npm cache, cannot install offline: ${run.stderr.split("\n").find((l) => /ENOTCACHED|offline/i.test(l)) ?? ""}`);
    }
    expect(run.stderr).not.toMatch(/^error /m);
    expect(run.status).toBe(0);
    expect(existsSync(join(dir, "node_modules/@grammyjs/ratelimiter/package.json"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/fast-check/package.json"))).toBe(true);
    expect(existsSync(join(dir, "package-lock.json"))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.dependencies["@grammyjs/ratelimiter"]).toBe("^1.2.1");
    expect(pkg.devDependencies["fast-check"]).toBe("^4.10.2");
  });
});
