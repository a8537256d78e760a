import { failure } from "../core/errors.js";
import { parseWithBabel } from "./syntax/from-babel.js";
import { parseWithTypescript } from "./syntax/from-typescript.js";
import type { SourceFile } from "./syntax/tree.js";

// The engine parses only the files it edits or must look into, one at a
// time, with a JavaScript parser (./syntax/from-babel.ts): the TypeScript
// compiler is not loaded unless that parser refuses a file, and then
// TypeScript's parser decides (a real syntax error is reported in its words).
// Parsing a file costs the same whether the user's repo has ten files or five
// thousand.

/**
 * Parses TypeScript text. `path` is used for messages and to pick TS/TSX.
 * Throws a one-line CliError at `path:line:column` when the text has a syntax
 * error, so nothing is planned on a file the engine does not understand.
 */
export function parseTs(path: string, text: string): SourceFile {
  // The trees are never changed, and one `add` asks about the same text many times (each op, each check).
  const key = `${path}\0${text}`;
  const cached = recent.get(key);
  if (cached) return cached;
  const file = parseFresh(path, text);
  recent.set(key, file);
  if (recent.size > 16) recent.delete(recent.keys().next().value!);
  return file;
}

/** The last trees parsed, by path and text. */
const recent = new Map<string, SourceFile>();

function parseFresh(path: string, text: string): SourceFile {
  const fast = parseWithBabel(path, text);
  if (fast) return fast;
  let parsed: ReturnType<typeof parseWithTypescript>;
  try {
    parsed = parseWithTypescript(path, text);
  } catch (error) {
    // Thousands of nested levels (`"a" + "b" + …` over 10,000 terms): the tree is walked recursively.
    if (error instanceof RangeError) throw failure(`${path}: cannot parse: the code is nested too deeply for the engine to read`, "pass --entry with the file that creates your bot, or move the deeply nested expression to a module of its own; nothing was written");
    throw error;
  }
  const { file, error } = parsed;
  if (error) {
    throw failure(`${path}:${error.line}:${error.column}: cannot parse: ${error.message}`, "fix the syntax error (or pass --entry to point at another file); nothing was written");
  }
  return file;
}

/** Parses and runs `fn` on the tree. */
export function withParsed<T>(path: string, text: string, fn: (sf: SourceFile) => T): T {
  return fn(parseTs(path, text));
}

/**
 * The tree of text that may not parse (generated code before lint has judged
 * it, lines cut out of a file): TypeScript's parser takes what Babel refuses
 * and never fails, as `ts.createSourceFile` never did.
 */
export function parseTolerant(path: string, text: string): SourceFile {
  return parseWithBabel(path, text) ?? parseWithTypescript(path, text).file;
}
