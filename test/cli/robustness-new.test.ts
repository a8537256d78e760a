// `new` and the install step under bad conditions: a file in the way, a recipe
// refused mid-way, odd folder names, a missing or full TMPDIR, pack
// dependencies that look like flags. One clear line, nothing left behind.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cdCommand, shellQuote } from "../../src/core/shell-quote.js";
import { makeScratchDir } from "../../src/core/scratch.js";
import { guardArguments } from "../../src/engine/install-dependencies.js";
import { packageSpecProblem } from "../../src/recipes/dependency-spec.js";
import { treeHash } from "../helpers/cli.js";
import { cliSession } from "../helpers/cli-session.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

// What each command prints and writes, not the process: the runs share one CLI process (test/helpers/cli-session.ts).
const runCli = cliSession().run;

/** A pack with one recipe `evil` writing `target`, with extra manifest fields. */
function pack(target: string, extra: Record<string, unknown> = {}): string {
  const dir = tmpDir("robust-pack");
  mkdirSync(join(dir, "evil"));
  writeFileSync(
    join(dir, "evil/recipe.json"),
    JSON.stringify({ id: "evil", title: "t", description: "d", seeds: [], questions: [], files: [{ template: "x.ts.hbs", target }], edits: [], ...extra }),
  );
  writeFileSync(join(dir, "evil/x.ts.hbs"), "export {};\n");
  return dir;
}

describe("new in a path that cannot be made", () => {
  it("refuses `new afile/sub` (afile is a file) in one line, ENOTDIR, nothing written", async () => {
    const base = tmpDir("enotdir");
    writeFileSync(join(base, "afile"), "a file\n");
    const before = treeHash(base);
    const r = await runCli(["new", "afile/sub", "--yes", "--no-install"], { cwd: base });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error afile is a file, so the folder afile\/sub cannot be created \(ENOTDIR\); nothing was written\n/);
    expect(r.stderr).not.toMatch(/this is a bug|\n\s+at /);
    expect(treeHash(base)).toBe(before);
  });
});

describe("a failed `new a/b/c` removes every folder it created", () => {
  it.each([
    ["a recipe refused while planning (a target outside the project)", "../escaped.ts"],
    ["a write that fails mid-way (a file where the recipe needs a folder)", "package.json/x.ts"],
  ])("%s", async (_, target) => {
    const base = tmpDir("new-abc");
    const before = treeHash(base);
    const r = await runCli(["new", "a/b/c", "--yes", "--no-install", "--recipes", "evil", "--templates", pack(target)], { cwd: base });
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/this is a bug/);
    expect(existsSync(join(base, "a"))).toBe(false);
    expect(treeHash(base)).toBe(before);
  });

  it("keeps the folders that were there before (only a/b existed: c goes, a/b stay)", async () => {
    const base = tmpDir("new-abc-some");
    mkdirSync(join(base, "a/b"), { recursive: true });
    const r = await runCli(["new", "a/b/c", "--yes", "--no-install", "--recipes", "evil", "--templates", pack("../escaped.ts")], { cwd: base });
    expect(r.code).not.toBe(0);
    expect(existsSync(join(base, "a/b"))).toBe(true);
    expect(readdirSync(join(base, "a/b"))).toEqual([]);
  });
});

describe("the Next: line after new", () => {
  const names = ["my bot", "it's $(touch pwned) `x` \"q\" & ; | *", "-dash", "ünïcode bot"];
  it.each(names)("quotes %j so that a POSIX shell enters exactly that folder", async (name) => {
    const base = tmpDir("next-line");
    const r = await runCli(["new", "--yes", "--no-install", "--", name], { cwd: base });
    expect(r.code).toBe(0);
    const cd = r.stderr.split("\n").find((l) => l.trim().startsWith("cd "))!.trim();
    expect(cd).toBe(cdCommand(name, "linux"));
    const pwd = execFileSync("sh", ["-c", `${cd} && pwd -P`], { cwd: base, encoding: "utf8" }).trim();
    expect(pwd.endsWith(`/${name}`)).toBe(true);
    expect(existsSync(join(base, "pwned"))).toBe(false);
  });

  it("leaves plain names bare and uses double quotes on Windows", async () => {
    expect(shellQuote("my-bot")).toBe("my-bot");
    expect(shellQuote("a b", "win32")).toBe('"a b"');
    expect(cdCommand("-x", "linux")).toBe("cd ./-x");
  });
});

describe("a missing or full TMPDIR", () => {
  it("add --check with TMPDIR pointing at a missing folder: one line naming it, nothing written", async () => {
    const dir = copyFixture("cjs-single");
    const before = treeHash(dir);
    const r = await runCli(["add", "error-handler", "--yes", "--check", "--no-install", "--cwd", dir], { env: { TMPDIR: join(dir, "no-such-tmp") } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error the temporary folder .*no-such-tmp does not exist \(ENOENT\); nothing was written\n.*TMPDIR/);
    expect(r.stderr).not.toMatch(/this is a bug|\n\s+at /);
    expect(treeHash(dir)).toBe(before);
  });

  it("a full one (ENOSPC injected into the call that makes the scratch folder) is said plainly", async () => {
    const full = () => {
      throw Object.assign(new Error("ENOSPC: no space left on device, mkdtemp"), { code: "ENOSPC" });
    };
    expect(() => makeScratchDir("x-", full)).toThrow(/the temporary folder .* is full \(no space left on the device\) \(ENOSPC\); nothing was written/);
  });
});

describe("a file named like a folder a recipe needs, with --check on", () => {
  it("is refused when planned (the check's mirror gave EEXIST: 'this is a bug'), nothing written", async () => {
    const dir = copyFixture("cjs-single");
    writeFileSync(join(dir, "recipes"), "a plain file\n");
    const before = treeHash(dir);
    const r = await runCli(["add", "error-handler", "--yes", "--check", "--no-install", "--cwd", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error recipes is a file where a folder is needed for recipes\/error-handler\.ts; nothing was changed\n/m);
    expect(r.stderr).not.toMatch(/this is a bug|EEXIST/);
    expect(treeHash(dir)).toBe(before);
  });
});

describe("install arguments from a pack", () => {
  it("go after -- for npm, and anything that is not name@range is refused before any command runs", async () => {
    expect(guardArguments({ command: "npm", args: ["install", "grammy@^1.46.0", "@grammyjs/runner@^2.0.3"] }).args).toEqual(["install", "--", "grammy@^1.46.0", "@grammyjs/runner@^2.0.3"]);
    expect(guardArguments({ command: "npm", args: ["install", "--save-dev", "fast-check@^4.0.0"] }).args).toEqual(["install", "--save-dev", "--", "fast-check@^4.0.0"]);
    expect(guardArguments({ command: "pnpm", args: ["add", "-D", "x@1"] }).args).toEqual(["add", "-D", "x@1"]);
    expect(guardArguments({ command: "npm", args: ["install"] }).args).toEqual(["install"]);
    for (const bad of ["--prefix=/tmp/OUT", "-g", "evil@file:/tmp/evil", "evil@git+https://x/y", "evil@--foo", "../evil"]) {
      expect(() => guardArguments({ command: "npm", args: ["install", bad] }), bad).toThrow(/refused to run npm install: .*nothing was installed/);
      expect(packageSpecProblem(bad), bad).toBeDefined();
    }
  });

  it.each([
    ["named like a flag", { name: "--prefix=/tmp/OUT", version: "^1.0.0" }, /dependencies\[0\]\.name: "--prefix=\/tmp\/OUT" is not a valid npm package name/],
    ["with a file: version", { name: "evil", version: "file:/tmp/evil" }, /dependencies\[0\]\.version: "file:\/tmp\/evil" is not a semver range/],
  ])("a dependency %s is refused by new as by add (one validator), nothing written", async (_, dependency, message) => {
    const base = tmpDir("new-bad-dep");
    const before = treeHash(base);
    const r = await runCli(["new", "my-bot", "--yes", "--no-install", "--recipes", "evil", "--templates", pack("x.ts", { dependencies: [dependency] })], { cwd: base });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(treeHash(base)).toBe(before);
  });

  it("reach the package manager separated from its options (a fake npm records its argv)", async () => {
    const bin = tmpDir("fake-npm");
    const log = join(bin, "argv.txt");
    writeFileSync(join(bin, "npm"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\n`);
    chmodSync(join(bin, "npm"), 0o755);
    const dir = copyFixture("cjs-single");
    const r = await runCli(["add", "evil", "--yes", "--no-check", "--pm", "npm", "--cwd", dir, "--templates", pack("x.ts", { dependencies: [{ name: "left-pad", version: "^1.3.0" }] })], {
      env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` },
    });
    expect(r.code).toBe(0);
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toEqual(["install", "--", "left-pad@^1.3.0"]);
  });
});

describe("Ctrl-C during new, after the skeleton is written", () => {
  // Held by the commit's signal listeners, which stay until the event loop turns: planning the recipes is synchronous.
  it("waits until the recipes are written too, then ends as interrupted (never a skeleton without its recipes)", { timeout: 60_000 }, async () => {
    const { spawn } = await import("node:child_process");
    const { binPath } = await import("../helpers/cli.js");
    const base = tmpDir("new-sigint");
    const dir = join(base, "my-bot");
    const child = spawn(process.execPath, [binPath, "new", "my-bot", "--yes", "--no-install", "--recipes", "error-handler"], { cwd: base, env: { ...process.env, NO_COLOR: "1" }, stdio: "ignore" });
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(dir, "package.json")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    child.kill("SIGINT");
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_, s) => resolve(s)));
    expect(signal).toBe("SIGINT");
    expect(existsSync(join(dir, "src/recipes/error-handler.ts"))).toBe(true);
  });
});
