// What the engine may do to a user's line: insert into it, never delete from it.
import { diffLines } from "diff";

/** Whether `small` can be obtained from `big` by deleting characters. */
function isSubsequence(small: string, big: string): boolean {
  let i = 0;
  for (const ch of big) if (ch === small[i]) i++;
  return i === small.length;
}

/**
 * User lines the change deleted text from. The engine only inserts (a new
 * line, or text inside a line: a merged import name, `& Flavor`, `wrapper(`…),
 * so every altered line must survive as a subsequence of a line that replaced
 * it; only a start call that `replace-start` replaces by design is exempt.
 */
export function linesLosingText(before: string, after: string, replacesStart: boolean): string[] {
  const parts = diffLines(before, after);
  const added = parts.filter((p) => p.added).flatMap((p) => p.value.split(/\r?\n/));
  const lost: string[] = [];
  for (const part of parts.filter((p) => p.removed)) {
    for (const line of part.value.split(/\r?\n/).filter((l) => l.trim() !== "")) {
      if (replacesStart && /\.start\(|\brun\(/.test(line)) continue;
      // on-stop turns a signal handler's `() => bot.stop()` into an async function that awaits the stop, by design.
      if (/\.stop\(/.test(line) && added.some((a) => /\bawait\b.*\.stop\(/.test(a))) continue;
      if (!added.some((a) => isSubsequence(line, a))) lost.push(line);
    }
  }
  return lost;
}
