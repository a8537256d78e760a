import type { Hunk } from "../record/record-file.js";
import { computeHunks } from "../record/hunks.js";

// === Undoing recorded hunks in a file that may have changed since ===
//
// A hunk says which lines an op put in (`added`), which it took out
// (`removed`) and the lines around them when it was made (`before`,
// `after`). To undo it, its `added` lines are found in the file as it is now
// and replaced by `removed`. Lines above or below may have moved (another
// recipe, the user): every position where the `added` lines stand is scored
// by how many context lines still match around it, and only a unique best is
// taken. Lines are compared exactly first, then ignoring whitespace, quote
// style, semicolons and trailing commas (a formatter run since the add). A
// hunk that cannot be placed is never guessed at: the caller reports it.

/** A file split into lines, with what is needed to join it back byte for byte. */
export interface Lines {
  lines: string[];
  eol: string;
  /** The text ended with a line break. */
  final: boolean;
}

export function splitLines(text: string): Lines {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const eol = crlf > lf ? "\r\n" : "\n";
  if (text === "") return { lines: [], eol, final: false };
  const lines = text.split(/\r?\n/);
  const final = lines[lines.length - 1] === "";
  if (final) lines.pop();
  return { lines, eol, final };
}

export function joinLines({ lines, eol, final }: Lines): string {
  if (lines.length === 0) return "";
  return lines.join(eol) + (final ? eol : "");
}

/** A line as a formatter may have rewritten it: no whitespace, one quote style, no semicolons or trailing commas. */
export function looseLine(line: string): string {
  return line.replace(/\s+/g, "").replace(/['`]/g, '"').replace(/;/g, "").replace(/,(?=[)\]}]|$)/g, "");
}

type Eq = (a: string, b: string) => boolean;
const exact: Eq = (a, b) => a === b;
const loose: Eq = (a, b) => looseLine(a) === looseLine(b);

/** Where a hunk's `added` lines stand now (index of the first one), or why it cannot be told. */
export function locateHunk(lines: string[], hunk: Hunk): { index: number } | { problem: string } {
  for (const eq of [exact, loose]) {
    const found = locateWith(lines, hunk, eq);
    if (found) return found;
  }
  return { problem: hunk.added.length > 0 ? "the lines it added are no longer there (changed since?)" : "the place it took lines from is no longer recognisable" };
}

function locateWith(lines: string[], hunk: Hunk, eq: Eq): { index: number } | { problem: string } | undefined {
  const { added, before, after } = hunk;
  const candidates: number[] = [];
  for (let i = 0; i + added.length <= lines.length; i++) {
    if (added.every((line, k) => eq(lines[i + k]!, line))) candidates.push(i);
  }
  if (candidates.length === 0) return undefined;
  const score = (i: number) => {
    let s = 0;
    for (let k = 1; k <= before.length && i - k >= 0; k++) if (eq(lines[i - k]!, before[before.length - k]!)) s++;
    const end = i + added.length;
    for (let k = 0; k < after.length && end + k < lines.length; k++) if (eq(lines[end + k]!, after[k]!)) s++;
    // A hunk at the very start or end of the file had fewer than three lines of context there.
    if (before.length < 3 && i === before.length) s += 0.5;
    if (after.length < 3 && end + after.length === lines.length) s += 0.5;
    return s;
  };
  const scored = candidates.map((i) => ({ i, s: score(i) })).sort((a, b) => b.s - a.s);
  const best = scored[0]!;
  const second = scored[1];
  // Blank lines or nothing at all prove nothing about where they came from: the context must.
  const weak = added.every((l) => l.trim() === "");
  if (weak && best.s < 1) return undefined;
  if (second && second.s === best.s) return { problem: `the lines it added stand in ${scored.filter((x) => x.s === best.s).length} places that match equally` };
  return { index: best.i };
}

/** Undoes one hunk in `file` (in place); a problem when it cannot be placed. */
export function reverseHunk(file: Lines, hunk: Hunk): string | undefined {
  const at = locateHunk(file.lines, hunk);
  if ("problem" in at) return at.problem;
  file.lines.splice(at.index, hunk.added.length, ...hunk.removed);
  return undefined;
}

/**
 * Undoes one hunk; a hunk that cannot be placed whole (a later edit landed
 * inside it) is split into its smaller changes, each placed on its own.
 * Returns the hunks that could not be undone, each with why.
 */
export function reverseHunkSplitting(file: Lines, hunk: Hunk): Array<{ hunk: Hunk; problem: string }> {
  const problem = reverseHunk(file, hunk);
  if (problem === undefined) return [];
  const parts = splitHunk(hunk);
  if (parts.length <= 1) return [{ hunk, problem }];
  const failed: Array<{ hunk: Hunk; problem: string }> = [];
  for (const part of [...parts].reverse()) {
    const p = reverseHunk(file, part);
    if (p !== undefined) failed.push({ hunk: part, problem: p });
  }
  return failed;
}

/** A hunk's separate changes, each with context taken from inside the hunk and, at its edges, from the hunk's own context. */
export function splitHunk(hunk: Hunk): Hunk[] {
  if (hunk.removed.length === 0 || hunk.added.length === 0) return [hunk];
  const inner = computeHunks(`${hunk.removed.join("\n")}\n`, `${hunk.added.join("\n")}\n`);
  return inner.map((h) => {
    const index = indexOfHunk(hunk.removed, h);
    const before = [...hunk.before, ...hunk.removed.slice(0, index)].slice(-3);
    const after = [...hunk.removed.slice(index + h.removed.length), ...hunk.after].slice(0, 3);
    return { before, removed: h.removed, added: h.added, after };
  });
}

/** Where an inner hunk's removed lines start in the outer `removed` lines (found by its context). */
function indexOfHunk(removed: string[], h: Hunk): number {
  for (let i = 0; i + h.removed.length <= removed.length; i++) {
    const okBefore = h.before.every((l, k) => removed[i - h.before.length + k] === l);
    const okRemoved = h.removed.every((l, k) => removed[i + k] === l);
    const okAfter = h.after.every((l, k) => removed[i + h.removed.length + k] === l);
    if (okBefore && okRemoved && okAfter) return i;
  }
  return 0;
}
