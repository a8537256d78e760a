// `undo` with bad input: one clear line (and a hint), a non-zero exit, no stack trace, nothing written (project and log).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pushUndo, undoFolder, undoRoot } from "../../src/engine/undo-log.js";
import { runCli, treeHash } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

process.env.CREATE_BOT_SNIPPET_UNDO_DIR = tmpDir("undo-bad-log");
process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR = tmpDir("undo-bad-journal");

/** Writes an entry file by hand, as the newest of the project's log. */
function entryFile(dir: string, text: string): string {
  const folder = undoFolder(undoRoot(dir));
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${String(Date.now()).padStart(15, "0")}-1-deadbeef.json`);
  writeFileSync(file, text);
  return file;
}

const entry = (dir: string, files: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 1, root: undoRoot(dir), command: ["add", "x"], at: "2026-12-03T07:00:00.000Z", run: "1-deadbeef", files, ...extra });

interface Case {
  name: string;
  setup?: (dir: string) => void;
  args?: (dir: string) => string[];
  code: number;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: "a log entry that is not JSON",
    setup: (dir) => void entryFile(dir, "{ not json"),
    code: 1,
    message: /^the undo log of this project is damaged \(.*-1-deadbeef\.json: not valid JSON\); nothing was changed$/,
  },
  {
    name: "a log entry of the wrong shape",
    setup: (dir) => void entryFile(dir, entry(dir, "bot.ts")),
    code: 1,
    message: /^the undo log of this project is damaged \(.*: no files\); nothing was changed$/,
  },
  {
    name: "a log entry with a file that has neither before nor after",
    setup: (dir) => void entryFile(dir, entry(dir, [{ path: "bot.ts", before: null, after: null }])),
    code: 1,
    message: /damaged \(.*: bot\.ts: neither before nor after\)/,
  },
  {
    name: "a log entry naming a file outside the project",
    setup: (dir) => void entryFile(dir, entry(dir, [{ path: "../outside.ts", before: null, after: "x\n" }])),
    code: 2,
    message: /^a path in the undo log "\.\.\/outside\.ts" is outside the project$/,
  },
  {
    name: "a change too large to have been kept",
    setup: (dir) => void pushUndo(undoRoot(dir), ["add", "huge"], [{ path: "huge.ts", before: null, after: "x".repeat(2048) }], 1024),
    code: 1,
    message: /^the last change, `create-bot-snippet add huge` \(.*\), cannot be undone: its files come to 2 KB, over the 1 KB undo keeps; nothing was changed$/,
  },
  {
    name: "a file of the entry that is now a folder",
    setup: (dir) => {
      entryFile(dir, entry(dir, [{ path: "recipes", before: null, after: "x\n" }]));
      mkdirSync(join(dir, "recipes"));
    },
    code: 1,
    message: /^recipes is a folder where a file is expected$/,
  },
  {
    name: "a file of the entry that is now not UTF-8",
    setup: (dir) => {
      entryFile(dir, entry(dir, [{ path: "latin1.ts", before: null, after: "x\n" }]));
      writeFileSync(join(dir, "latin1.ts"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    },
    code: 1,
    message: /^latin1\.ts is not valid UTF-8; it is left as it is$/,
  },
  { name: "an unknown flag", args: (dir) => ["undo", "--redo", "--cwd", dir], code: 2, message: /^unknown option '--redo'/ },
  { name: "an argument (undo takes none)", args: (dir) => ["undo", "error-handler", "--cwd", dir], code: 2, message: /^too many arguments for 'undo'/ },
  { name: "--cwd naming a file", args: (dir) => ["undo", "--yes", "--cwd", join(dir, "bot.ts")], code: 1, message: /bot\.ts is not a folder$/ },
];

describe("undo with bad input", () => {
  it.each(cases)("$name", ({ setup, args, code, message }) => {
    const dir = copyFixture("cjs-single");
    setup?.(dir);
    const project = treeHash(dir);
    mkdirSync(undoFolder(undoRoot(dir)), { recursive: true });
    const log = treeHash(undoFolder(undoRoot(dir)));
    const r = runCli(args?.(dir) ?? ["undo", "--yes", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(code);
    const [first, ...rest] = r.stderr.trimEnd().split("\n");
    expect(first).toMatch(/^error /);
    expect(first!.slice("error ".length)).toMatch(message);
    expect(rest.length).toBeLessThanOrEqual(1); // at most a hint
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe("");
    expect(treeHash(dir)).toBe(project);
    expect(treeHash(undoFolder(undoRoot(dir)))).toBe(log);
  });
});
