import { diff3Merge } from "node-diff3";

// === Three-way merge of one generated file (`update`) ===
//
// base   = the pristine rendering `add` recorded (.bot-snippets/base/<path>.base)
// ours   = the file as the user has it now
// theirs = the new recipe version rendered with the recorded answers
//
// Line based, through node-diff3. A region changed on one side only takes
// that side; a region both sides changed the same way is not a conflict; a
// region they changed differently is a conflict, written (when the user
// agrees) with git's diff3-style markers so any editor or `git mergetool`
// knows them.

export interface MergeLabels {
  ours: string;
  base: string;
  theirs: string;
}

export interface MergeResult {
  /** The merged text (with conflict markers when `conflicts` > 0), in the line endings of `ours`. */
  text: string;
  /** Conflicting regions. */
  conflicts: number;
}

/** The line ending a text uses (its first one), `\n` when it has none. */
export function eolOf(text: string): "\n" | "\r\n" {
  const at = text.indexOf("\n");
  return at > 0 && text[at - 1] === "\r" ? "\r\n" : "\n";
}

const linesOf = (text: string): string[] => text.replace(/\r\n/g, "\n").split("\n");

export function merge3(base: string, ours: string, theirs: string, labels: MergeLabels): MergeResult {
  const eol = eolOf(ours === "" ? theirs : ours);
  // Fast paths, which are also what diff3 would say: one side unchanged takes the other.
  const norm = (t: string) => t.replace(/\r\n/g, "\n");
  const [b, o, t] = [norm(base), norm(ours), norm(theirs)];
  if (o === t || t === b) return { text: ours, conflicts: 0 };
  if (o === b) return { text: t.replace(/\n/g, eol), conflicts: 0 };
  // A final newline splits into a last "" element on every side: it merges like any other line.
  const regions = diff3Merge(linesOf(o), linesOf(b), linesOf(t), { excludeFalseConflicts: true });
  const out: string[] = [];
  let conflicts = 0;
  for (const region of regions) {
    if (region.ok) {
      out.push(...region.ok);
      continue;
    }
    const c = region.conflict;
    if (!c) continue;
    conflicts++;
    // The region may end at the file's last "" (the final newline): keep it out of the markers.
    const tail = c.a[c.a.length - 1] === "" && c.b[c.b.length - 1] === "" && c.o[c.o.length - 1] === "";
    const trim = (lines: string[]) => (tail ? lines.slice(0, -1) : lines);
    out.push(`<<<<<<< ${labels.ours}`, ...trim(c.a), `||||||| ${labels.base}`, ...trim(c.o), "=======", ...trim(c.b), `>>>>>>> ${labels.theirs}`);
    if (tail) out.push("");
  }
  return { text: out.join("\n").replace(/\n/g, eol), conflicts };
}
