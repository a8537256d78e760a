import { diffArrays } from "diff";
import type { Hunk } from "./record-file.js";

/** Lines of a text without their endings (`\r\n` or `\n`); a final newline gives no empty last line. */
export function linesOf(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

const CONTEXT = 3;

/**
 * The changes from `before` to `after` as hunks anchored by up to three
 * unchanged lines on each side. Adjacent changes (fewer than two context
 * widths apart) share one hunk, as in a unified diff.
 */
export function computeHunks(before: string, after: string): Hunk[] {
  const a = linesOf(before);
  const b = linesOf(after);
  // Runs of [kind, lines] over the two files.
  const runs = diffArrays(a, b);
  const hunks: Hunk[] = [];
  // Where we are in `a` (the old file) as runs are walked.
  let ai = 0;
  let open: { start: number; removed: string[]; added: string[]; end: number } | undefined;
  const close = () => {
    if (!open) return;
    hunks.push({ before: a.slice(Math.max(0, open.start - CONTEXT), open.start), removed: open.removed, added: open.added, after: a.slice(open.end, open.end + CONTEXT) });
    open = undefined;
  };
  runs.forEach((run, i) => {
    if (!run.added && !run.removed) {
      // Unchanged lines: a long enough run, or the last one, closes the open hunk.
      if (open && (run.value.length > CONTEXT * 2 || i === runs.length - 1)) close();
      else if (open) {
        open.removed.push(...run.value);
        open.added.push(...run.value);
        open.end += run.value.length;
      }
      ai += run.value.length;
      return;
    }
    if (!open) open = { start: ai, removed: [], added: [], end: ai };
    if (run.removed) {
      open.removed.push(...run.value);
      ai += run.value.length;
      open.end = ai;
    } else {
      open.added.push(...run.value);
    }
  });
  close();
  return hunks;
}
