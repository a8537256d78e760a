// Bad input gets one clear line, a non-zero exit, no stack trace, and no file changes.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCliBatch, type BatchRun } from "../helpers/cli-batch.js";
import { treeHash, type CliResult } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

interface Case {
  name: string;
  fixture: string;
  /** Extra environment for the run. */
  env?: Record<string, string>;
  /** Makes the bad input in the project copy (before the tree is hashed). */
  setup?: (dir: string) => void;
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

/** A pack whose recipe has these extra manifest fields and this template text. */
const packWith = (extra: Record<string, unknown>, template = "export {};\n", files: Record<string, string> = {}) =>
  pack({ "evil/recipe.json": JSON.stringify({ ...JSON.parse(manifest("x.ts")), ...extra }), "evil/x.ts.hbs": template, ...files });

/** A pack whose template is a symlink to a file outside the pack (a "private key"). */
function linkedPack(): string {
  const secret = join(tmpDir("secret"), "id_rsa");
  writeFileSync(secret, "-----BEGIN PRIVATE KEY-----\n");
  const dir = pack({ "evil/recipe.json": manifest("x.ts") });
  symlinkSync(secret, join(dir, "evil/x.ts.hbs"));
  return dir;
}

const write = (path: string, text: string | Buffer) => (dir: string) => writeFileSync(join(dir, path), text);
const mkfifo = (path: string) => (dir: string) => {
  rmSync(join(dir, path), { force: true });
  execFileSync("mkfifo", [join(dir, path)]);
};
/** A TypeScript in the project whose tsc runs `body` (or whose package.json is `pkg`). */
const fakeTypeScript = (body: string, pkg = '{"name":"typescript","version":"5.4.0"}') => (dir: string) => {
  mkdirSync(join(dir, "node_modules/typescript/bin"), { recursive: true });
  writeFileSync(join(dir, "node_modules/typescript/package.json"), pkg);
  writeFileSync(join(dir, "node_modules/typescript/bin/tsc"), body);
};

const deepTemplate = `{{${"(concat ".repeat(4000)}"x"${")".repeat(4000)}}}\n`;

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
  { name: "two bots", fixture: "bad/two-bots", args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 2, message: /found 2 grammY bots: bots\.ts:3 \(userBot\), bots\.ts:4 \(adminBot\)\n.*--bot bots\.ts:3/ },
  { name: "an --entry outside the project", fixture: "cjs-single", args: (d) => ["add", "error-handler", "--yes", "--entry", "../outside.ts", "--cwd", d], code: 2, message: /--entry "\.\.\/outside\.ts" is outside the project/ },
  { name: "a recipe target outside the project", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", pack({ "evil/recipe.json": manifest("../escaped.ts"), "evil/x.ts.hbs": "export {};\n" })], code: 2, message: /target path "\.\.\/escaped\.ts" is outside the project/ },
  { name: "an absolute recipe target", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", pack({ "evil/recipe.json": manifest("/tmp/escaped.ts"), "evil/x.ts.hbs": "export {};\n" })], code: 2, message: /target path "\/tmp\/escaped\.ts" is absolute/ },
  // Issue 12 §3: answers refused, never silently changed.
  { name: "a --set key given twice", fixture: "cjs-single", args: (d) => ["add", "access-control", "--yes", "--set", "userIds=1", "--set", "userIds=2", "--cwd", d], code: 2, message: /--set userIds is given twice/ },
  { name: "a multi-line path answer", fixture: "cjs-single", args: (d) => ["add", "file-download", "--yes", "--set", "downloadDir=dl\n!.env\n*", "--cwd", d], code: 2, message: /invalid answer for file-download\.downloadDir: .*a path is one line/ },
  { name: "a glob as a path answer", fixture: "cjs-single", args: (d) => ["add", "file-download", "--yes", "--set", "downloadDir=!.env", "--cwd", d], code: 2, message: /a plain path, without \* \? \[ \] or a leading ! or #/ },
  { name: "__proto__ in --set", fixture: "cjs-single", args: (d) => ["add", "error-handler", "--yes", "--set", "__proto__=1", "--cwd", d], code: 2, message: /no recipe in this run asks "__proto__"/ },
  { name: "__proto__ scoped to a recipe in --set", fixture: "cjs-single", args: (d) => ["add", "error-handler", "--yes", "--set", "error-handler.__proto__=1", "--cwd", d], code: 2, message: /recipe "error-handler" has no question "__proto__"/ },
  { name: "constructor in --answers", fixture: "cjs-single", setup: write("answers.json", '{"constructor": 1}'), args: (d) => ["add", "error-handler", "--yes", "--answers", join(d, "answers.json"), "--cwd", d], code: 2, message: /no recipe in this run asks "constructor"/ },
  { name: "[[1]] as a list of user ids", fixture: "cjs-single", setup: write("answers.json", '{"userIds": [[1]]}'), args: (d) => ["add", "access-control", "--yes", "--answers", join(d, "answers.json"), "--cwd", d], code: 2, message: /invalid answer for access-control\.userIds: .*\[1\] is not a whole number/ },
  { name: "[true] as a boolean", fixture: "cjs-single", setup: write("answers.json", '{"welcomeNewMembers": [true]}'), args: (d) => ["add", "update-filters", "--yes", "--answers", join(d, "answers.json"), "--cwd", d], code: 2, message: /update-filters\.welcomeNewMembers: \[true\]: expected true or false/ },
  // §2: package.json shapes and bytes.
  { name: "dependencies that are a string", fixture: "cjs-single", setup: write("package.json", '{"name":"x","dependencies":"grammy"}\n'), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /package\.json: "dependencies" is a string, not an object of package names to versions/ },
  { name: "a package.json that is a list", fixture: "cjs-single", setup: write("package.json", '[{"dependencies":{"grammy":"^1.30.0"}}]\n'), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /package\.json: the top level is a list, not an object/ },
  { name: "a package.json that is null", fixture: "cjs-single", setup: write("package.json", "null\n"), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /package\.json: the top level is null, not an object/ },
  { name: "a package.json that is a string", fixture: "cjs-single", setup: write("package.json", '"grammy"\n'), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /package\.json: the top level is a string, not an object/ },
  { name: "a dependency version that is not a string", fixture: "cjs-single", setup: write("package.json", '{"dependencies":{"grammy":1}}\n'), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /"dependencies\.grammy" is a number, not a version string/ },
  { name: "a bot file that is not UTF-8", fixture: "cjs-single", setup: (d) => writeFileSync(join(d, "bot.ts"), Buffer.concat([Buffer.from('// caf\xe9 (Latin-1)\n', "latin1"), Buffer.from(`import { Bot } from "grammy";\nexport const bot = new Bot(process.env.BOT_TOKEN ?? "");\n`)])), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /bot\.ts is not valid UTF-8; it is left as it is\n.*save it as UTF-8/ },
  // §4: nothing hangs, nothing crashes.
  { name: "a FIFO as package.json", fixture: "cjs-single", setup: mkfifo("package.json"), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /package\.json is a named pipe \(FIFO\) where a file is expected/ },
  { name: "a FIFO as tsconfig.json", fixture: "cjs-single", setup: mkfifo("tsconfig.json"), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /tsconfig\.json is a named pipe \(FIFO\) where a file is expected/ },
  { name: "a FIFO as --entry", fixture: "cjs-single", setup: mkfifo("entry.ts"), args: (d) => ["add", "error-handler", "--yes", "--entry", "entry.ts", "--cwd", d], code: 1, message: /--entry entry\.ts is a named pipe \(FIFO\) where a file is expected/ },
  { name: "a folder named .gitignore", fixture: "cjs-single", setup: (d) => mkdirSync(join(d, ".gitignore")), args: (d) => ["add", "file-download", "--yes", "--no-check", "--cwd", d], code: 1, message: /^error \.gitignore is a folder where a file is expected/ },
  { name: "a folder named like a target file", fixture: "cjs-single", setup: (d) => mkdirSync(join(d, "recipes/error-handler.ts"), { recursive: true }), args: (d) => ["add", "error-handler", "--yes", "--no-check", "--cwd", d], code: 1, message: /^error recipes\/error-handler\.ts is a folder where a file is expected/ },
  { name: "a file named like a folder a recipe needs", fixture: "cjs-single", setup: write("recipes", "a plain file\n"), args: (d) => ["add", "error-handler", "--yes", "--no-check", "--cwd", d], code: 1, message: /error recipes is a file where a folder is needed for recipes\/error-handler\.ts; nothing was changed/ },
  { name: "--cwd pointing at a file", fixture: "cjs-single", args: (d) => ["add", "error-handler", "--yes", "--cwd", join(d, "bot.ts")], code: 1, message: /bot\.ts is not a folder\n.*point --cwd at the project's folder/ },
  { name: "a template nested 4,000 levels deep", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", packWith({}, deepTemplate)], code: 1, message: /x\.ts\.hbs:1:1: template error: nesting deeper than 50 levels/ },
  { name: "a FIFO as a pack's recipe.json", fixture: "cjs-single", args: (d) => { const p = pack({ "evil/x.ts.hbs": "" }); mkfifo("evil/recipe.json")(p); return ["add", "evil", "--yes", "--cwd", d, "--templates", p]; }, code: 1, message: /recipe\.json is a named pipe \(FIFO\) where a file is expected/ },
  { name: "a FIFO as a pack's template", fixture: "cjs-single", args: (d) => { const p = packWith({}); mkfifo("evil/x.ts.hbs")(p); return ["add", "evil", "--yes", "--cwd", d, "--templates", p]; }, code: 1, message: /x\.ts\.hbs is a named pipe \(FIFO\) where a file is expected/ },
  { name: "--check with a tsc that never ends", fixture: "cjs-single", env: { CREATE_BOT_SNIPPET_CHECK_TIMEOUT: "1" }, setup: fakeTypeScript("setInterval(() => {}, 1000);\n"), args: (d) => ["add", "error-handler", "--yes", "--check", "--cwd", d], code: 1, message: /--check: the change cannot be type-checked: tsc failed: tsc did not finish within 1 s.*nothing was written/ },
  { name: "--check with a TypeScript that crashes", fixture: "cjs-single", setup: fakeTypeScript("throw new Error('broken install');\n"), args: (d) => ["add", "error-handler", "--yes", "--check", "--cwd", d], code: 1, message: /--check: the change cannot be type-checked: tsc failed: .*broken install/ },
  { name: "invalid JSON in node_modules/typescript/package.json", fixture: "cjs-single", setup: fakeTypeScript("", "{ not json"), args: (d) => ["add", "error-handler", "--yes", "--cwd", d], code: 1, message: /node_modules\/typescript\/package\.json: cannot be read \(.*\)\n.*reinstall typescript/ },
  // §5: packs are data, and stay inside their folder.
  { name: "a pack template linked to a file outside the pack (add)", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", linkedPack()], code: 1, message: /x\.ts\.hbs is a symlink to .*id_rsa, outside its pack; it is not read/ },
  { name: "a pack template linked to a file outside the pack (add --dry-run)", fixture: "cjs-single", args: (d) => ["add", "evil", "--dry-run", "--cwd", d, "--templates", linkedPack()], code: 1, message: /outside its pack; it is not read/ },
  { name: "a pack template linked to a file outside the pack (show)", fixture: "cjs-single", args: () => ["show", "evil", "--templates", linkedPack()], code: 1, message: /outside its pack; it is not read/ },
  { name: "a pack dependency named like a flag", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--no-install", "--cwd", d, "--templates", packWith({ dependencies: [{ name: "--prefix=/tmp/OUT", version: "^1.0.0" }] })], code: 1, message: /dependencies\[0\]\.name: "--prefix=\/tmp\/OUT" is not a valid npm package name/ },
  { name: "a pack dependency version that is a file: path", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--no-install", "--cwd", d, "--templates", packWith({ dependencies: [{ name: "evil", version: "file:/tmp/evil" }] })], code: 1, message: /dependencies\[0\]\.version: "file:\/tmp\/evil" is not a semver range/ },
  { name: "a pack import specifier that closes its string", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", packWith({ edits: [{ op: "add-import", named: ["x"], module: 'x"; import "child_process' }] })], code: 1, message: /edits\[0\]\.module: "x\\"; import \\"child_process" is not a module specifier|is not a module specifier/ },
  { name: "a template with a syntax error", fixture: "cjs-single", args: (d) => ["add", "evil", "--yes", "--cwd", d, "--templates", pack({ "evil/recipe.json": manifest("x.ts"), "evil/x.ts.hbs": "// ok\n{{#if a}}\n" })], code: 1, message: /evil\/x\.ts\.hbs:\d+:\d+: template error: handlebars syntax error: unexpected end of template/ },
];

// Every run below is prepared first (project copy, bad input, tree hash), then
// all of them go through the CLI's `main` in ONE process (test/helpers/cli-batch.ts):
// loading the CLI was most of each run's second. Each test asserts on its own run.
const prepared = new Map<string, { run: BatchRun; check: () => void; result?: CliResult }>();
/** Prepares a project copy and a run now; the assertions see its result once the batch ran. */
function prepare(key: string, fixture: string, args: (dir: string) => string[], setup?: (dir: string) => void, env?: Record<string, string>, watch?: (dir: string) => string) {
  const dir = copyFixture(fixture);
  setup?.(dir);
  const watched = watch ? watch(dir) : dir;
  const before = treeHash(watched);
  const entry = { run: { args: args(dir), env }, check: () => expect(treeHash(watched)).toBe(before) };
  prepared.set(key, entry);
  return entry;
}
const resultOf = (key: string): CliResult & { unchanged: () => void } => {
  const entry = prepared.get(key)!;
  return { ...entry.result!, unchanged: entry.check };
};

let symlinkOutside = "";
beforeAll(() => {
  for (const c of cases) prepare(`case:${c.name}`, c.fixture, c.args, c.setup, c.env);
  prepare(
    "symlink",
    "cjs-single",
    (dir) => ["add", "evil", "--yes", "--cwd", dir, "--templates", pack({ "evil/recipe.json": manifest("linked/escaped.ts"), "evil/x.ts.hbs": "export {};\n" })],
    (dir) => {
      symlinkOutside = tmpDir("outside");
      symlinkSync(symlinkOutside, join(dir, "linked"));
    },
    undefined,
    () => symlinkOutside,
  );
  prepare("verbose", "bad/no-bot", (dir) => ["add", "error-handler", "--yes", "--verbose", "--cwd", dir]);
  for (const [id, args] of patternCases) prepare(`pattern:${id}`, "cjs-single", (dir) => ["add", id, "--yes", ...args, "--cwd", dir]);
  const entries = [...prepared.values()];
  const results = runCliBatch(entries.map((e) => e.run));
  entries.forEach((e, i) => (e.result = results[i]));
}, 300_000);

describe.each(cases)("$name", ({ name, code, message }) => {
  it(`exits ${code} with one clear message and writes nothing`, () => {
    const r = resultOf(`case:${name}`);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
    expect(r.stdout).toBe("");
    r.unchanged();
  });
});

describe("a symlink pointing out of the project", () => {
  it("is refused as a target", () => {
    const r = resultOf("symlink");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/goes through a symlink that points outside the project/);
    r.unchanged(); // the folder outside
  });
});

describe("--verbose", () => {
  it("adds the stack trace", () => {
    const r = resultOf("verbose");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at .*:\d+:\d+/);
  });
});

const patternCases: Array<[string, string[], RegExp]> = [
  ["update-filters", ["--set", "welcomeNewMembers=true", "--set", "welcomeText=Hello there"], /the greeting must contain \{name\}/],
  ["reply-keyboards", ["--set", "rows=Yes||No"], /"Yes\|\|No": a row is 1-12 labels/],
];

describe("answers checked by a recipe's own pattern", () => {
  it.each(patternCases)("%s refuses a bad answer before writing", (id, _args, message) => {
    const r = resultOf(`pattern:${id}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    r.unchanged();
  });
});
