// Bad input gets one clear line, a non-zero exit, no stack trace, and no file changes.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, treeHash } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

interface Case {
  name: string;
  fixture: string;
  args: (dir: string) => string[];
  code: number;
  message: RegExp;
}

/** A pack with one recipe whose manifest/template are given. */
function pack(files: Record<string, string>): string {
  const dir = tmpDir("pack");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const manifest = (target: string) =>
  JSON.stringify({ id: "evil", title: "t", description: "d", seeds: [], questions: [], files: [{ template: "x.ts.hbs", target }], edits: [] });

const cases: Case[] = [
  { name: "an unknown recipe", fixture: "cjs-single", args: (d) => ["add", "eror-handler", "--yes", "--cwd", d], code: 2, message: /^error unknown recipe "eror-handler"\n.*did you mean error-handler/ },
  { name: "a snippet given to add", fixture: "cjs-single", args: (d) => ["add", "quote-message", "--yes", "--cwd", d], code: 2, message: /quote-message is a snippet, not a recipe.*\n.*show quote-message --copy-to/ },
  { name: "a user id that is not a positive integer", fixture: "cjs-single", args: (d) => ["add", "access-control", "--yes", "--set", "userIds=12,-5", "--cwd", d], code: 2, message: /invalid answer for access-control\.userIds: .*"-5": a Telegram user id is a positive integer/ },
  { name: "an empty list where one is required", fixture: "cjs-single", args: (d) => ["add", "access-control", "--yes", "--set", "userIds=", "--cwd", d], code: 2, message: /the list cannot be empty/ },
  { name: "a required answer missing without a TTY", fixture: "cjs-single", args: (d) => ["add", "access-control", "--cwd", d], code: 2, message: /needs an answer for "userIds".*\n.*--set userIds=/ },
  { name: "a question no recipe asks", fixture: "cjs-single", args: (d) => ["add", "error-handler", "--yes", "--set", "userIdz=1", "--cwd", d], code: 2, message: /no recipe in this run asks "userIdz"/ },
  { name: "an invalid select answer", fixture: "cjs-single", args: (d) => ["add", "access-control", "--yes", "--set", "userIds=1", "--set", "mode=sometimes", "--cwd", d], code: 2, message: /expected one of gate, wrapper, both/ },
  { name: "an unknown flag", fixture: "cjs-single", args: (d) => ["add", "error-handler", "--yse", "--cwd", d], code: 2, message: /unknown option '--yse'/ },
  { name: "a file with a syntax error", fixture: "bad/syntax-error", args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /^error bot\.ts:7:1: cannot parse: .*\n.*nothing was written/ },
  { name: "no grammY bot", fixture: "bad/no-bot", args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /no grammY bot found.*\n.*--entry/ },
  { name: "two bots", fixture: "bad/two-bots", args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 2, message: /found 2 grammY bots: bots\.ts:3 \(userBot\), bots\.ts:4 \(adminBot\)\n.*--entry/ },
  { name: "an --entry outside the project", fixture: "cjs-single", args: (d) => ["add", "error-handler", "--yes", "--entry", "../outside.ts", "--cwd", d], code: 2, message: /--entry "\.\.\/outside\.ts" is outside the project/ },
  { name: "a recipe target outside the project", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", pack({ "evil/recipe.json": manifest("../escaped.ts"), "evil/x.ts.hbs": "export {};\n" })], code: 2, message: /target path "\.\.\/escaped\.ts" is outside the project/ },
  { name: "an absolute recipe target", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", pack({ "evil/recipe.json": manifest("/tmp/escaped.ts"), "evil/x.ts.hbs": "export {};\n" })], code: 2, message: /target path "\/tmp\/escaped\.ts" is absolute/ },
  { name: "a template with a syntax error", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", pack({ "evil/recipe.json": manifest("x.ts"), "evil/x.ts.hbs": "// ok\n{{#if a}}\n" })], code: 1, message: /evil\/x\.ts\.hbs:\d+:\d+: template error: handlebars syntax error: unexpected end of template/ },
];

describe.each(cases)("$name", ({ fixture, args, code, message }) => {
  it(`exits ${code} with one clear message and writes nothing`, () => {
    const dir = copyFixture(fixture);
    const before = treeHash(dir);
    const r = runCli(args(dir));
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
    expect(r.stdout).toBe("");
    expect(treeHash(dir)).toBe(before);
  });
});

describe("a symlink pointing out of the project", () => {
  it("is refused as a target", () => {
    const dir = copyFixture("cjs-single");
    const outside = tmpDir("outside");
    symlinkSync(outside, join(dir, "linked"));
    const before = treeHash(outside);
    const r = runCli(["add", "evil", "--yes", "--cwd", dir, "--templates", pack({ "evil/recipe.json": manifest("linked/escaped.ts"), "evil/x.ts.hbs": "export {};\n" })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/goes through a symlink that points outside the project/);
    expect(treeHash(outside)).toBe(before);
  });
});

describe("--verbose", () => {
  it("adds the stack trace", () => {
    const dir = copyFixture("bad/no-bot");
    const r = runCli(["add", "error-handler", "--yes", "--verbose", "--cwd", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at .*:\d+:\d+/);
  });
});

describe("answers checked by a recipe's own pattern", () => {
  it.each([
    ["update-filters", ["--set", "welcomeNewMembers=true", "--set", "welcomeText=Hello there"], /the greeting must contain \{name\}/],
    ["reply-keyboards", ["--set", "rows=Yes||No"], /"Yes\|\|No": a row is 1-12 labels/],
  ])("%s refuses a bad answer before writing", (id, args, message) => {
    const dir = copyFixture("cjs-single");
    const before = treeHash(dir);
    const r = runCli(["add", id, "--yes", ...args, "--cwd", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(treeHash(dir)).toBe(before);
  });
});
