import type { Plan } from "../engine/plan-types.js";
import type { Hunk, RecordedEdit, RecordedRecipe } from "../record/record-file.js";
import { joinLines, locateHunk, looseLine, splitLines } from "./reverse-hunks.js";

// === An edit the new version makes differently (`update`) ===
//
// Re-planning an `add` re-applies a recipe's edits idempotently: the same
// import or install line is found and left alone. A line the new version
// writes differently (`installLogging(bot)` → `installLogging(bot, {})`) is
// not found, so the op inserts it beside the old one. Such a pair is taken
// for a replacement when the new line is a pure insertion by the same op in
// the same file, right next to where the old version's recorded line stands,
// and calls the same function: the old line is then taken out (its recorded
// hunk undone) and the record keeps only the new one.

/** What a statement line calls, past its receiver: `installLogging`, `errorBoundary` (of `bot.use(errorBoundary())`). */
function callee(line: string): string | undefined {
  const loose = looseLine(line).replace(/^(await|void)(?=[\w$])/, "").replace(/^[\w$]+\.(use|catch|errorBoundary|on|command)\(/, "");
  return /^[\w$.]+(?=\()/.exec(loose)?.[0];
}

/** The hunk's context taken again from the file as it is now around its added lines at `index`. */
function recontext(lines: string[], index: number, hunk: Hunk): Hunk {
  return { ...hunk, before: lines.slice(Math.max(0, index - 3), index), after: lines.slice(index + hunk.added.length, index + hunk.added.length + 3) };
}

/**
 * Takes out of `plan` the lines the old version added that the new version
 * replaces (see above), and out of the plan's record their hunks. Returns
 * `file: line` of each old line taken out.
 */
export function replaceSupersededEdits(plan: Plan, recorded: RecordedRecipe, generated: Set<string>): string[] {
  const entry = plan.record?.recipes.find((r) => r.id === recorded.id && r.pack === recorded.pack);
  if (!entry) return [];
  // The planned record appends this run's edits to the ones recorded before.
  const oldEdits = entry.edits.slice(0, recorded.edits.length);
  const newEdits = entry.edits.slice(recorded.edits.length);
  const replaced: string[] = [];
  const gone = new Set<Hunk>();
  for (const ne of newEdits) {
    if (generated.has(ne.file)) continue;
    const change = plan.changes.find((c) => c.path === ne.file && c.kind !== "delete");
    if (!change) continue;
    const file = splitLines(change.after);
    ne.hunks = ne.hunks.map((nh) => {
      if (nh.removed.length > 0 || nh.added.length === 0) return nh;
      const key = callee(nh.added[0]!);
      if (key === undefined) return nh;
      for (const oe of oldEdits.filter((e: RecordedEdit) => e.op === ne.op && e.file === ne.file)) {
        for (const oh of oe.hunks) {
          if (gone.has(oh) || oh.added.length === 0 || callee(oh.added[0]!) !== key) continue;
          const at = locateHunk(file.lines, oh);
          const nat = locateHunk(file.lines, nh);
          if ("problem" in at || "problem" in nat) continue;
          const touching = nat.index + nh.added.length >= at.index - 1 && nat.index <= at.index + oh.added.length + 1;
          if (!touching || nat.index === at.index) continue;
          file.lines.splice(at.index, oh.added.length, ...oh.removed);
          gone.add(oh);
          replaced.push(`${ne.file}: ${oh.added[0]!.trim()}`);
          const moved = locateHunk(file.lines, nh);
          return "problem" in moved ? nh : recontext(file.lines, moved.index, nh);
        }
      }
      return nh;
    });
    change.after = joinLines(file);
  }
  if (gone.size > 0) entry.edits = entry.edits.map((e) => ({ ...e, hunks: e.hunks.filter((h) => !gone.has(h)) })).filter((e) => e.hunks.length > 0);
  return replaced;
}
