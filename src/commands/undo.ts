import { resolve } from "node:path";
import { failure, usageError } from "../core/errors.js";
import { readTextFile } from "../core/regular-file.js";
import { commitChanges } from "../engine/commit.js";
import { safeProjectPath } from "../engine/safe-path.js";
import type { FileChange } from "../engine/tree.js";
import { newestUndo, popUndo, undoCount, undoRoot, type UndoEntry } from "../engine/undo-log.js";
import { detectPackageManager, formatCommand, installAllCommand } from "../project/package-manager.js";
import { locateProject } from "../project/project-root.js";
import { confirm } from "../ui/ask.js";
import { color } from "../ui/colors.js";
import { changesToJson, formatChanges, formatDiff } from "../ui/print-plan.js";

// === undo: take back the last change the CLI made in this project
//
// The newest entry of the project's undo log (src/engine/undo-log.ts) is
// reversed: files it created are deleted (with the folders they leave
// empty), files it deleted are made again, files it changed get their old
// content, all in one commit (all or nothing). A file that differs from what
// the command left is the user's work: undo refuses, naming it (`--force`
// undoes anyway and that change is lost). Undo shows the diff and asks in a
// terminal; elsewhere it writes only with `--yes` (it cannot be redone: its
// own commit keeps no undo entry, and a second undo takes back the change
// before). Nothing to undo is not an error (exit 0).

export interface UndoOptions {
  cwd: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
}

/** Whether to ask: a terminal on stdin, not CI, not --yes, not --json (as `add` decides; not imported from it, which loads ts-morph). */
const isInteractive = (options: UndoOptions) => !options.yes && !options.json && process.stdin.isTTY === true && !process.env.CI;

/** The command line an entry was made by, as the user would type it. */
const commandOf = (entry: UndoEntry) => formatCommand({ command: "create-bot-snippet", args: entry.command });
const timeOf = (entry: UndoEntry) => `${entry.at.slice(0, 16).replace("T", " ")} UTC`;

interface Reversal {
  changes: FileChange[];
  /** Files that hold neither what the command left nor what was there before. */
  changedSince: string[];
  /** The mode of each file made again. */
  modes: Record<string, number>;
}

/**
 * The changes that take an entry back, against what the files hold now.
 * A file already back as it was needs nothing; one the user changed since is
 * listed (and, with `force`, put back all the same).
 */
function reverse(root: string, entry: UndoEntry, force: boolean): Reversal {
  const changes: FileChange[] = [];
  const changedSince: string[] = [];
  const modes: Record<string, number> = {};
  for (const file of entry.files) {
    const path = safeProjectPath(root, file.path, "a path in the undo log");
    const now = readTextFile(resolve(root, path), path);
    const before = file.before ?? undefined;
    if (now === before) continue;
    if (now !== (file.after ?? undefined)) {
      changedSince.push(path);
      if (!force) continue;
    }
    if (before === undefined) changes.push({ path, kind: "delete", before: now, after: "" });
    else changes.push({ path, kind: now === undefined ? "create" : "update", before: now, after: before });
    if (now === undefined && file.mode !== undefined) modes[path] = file.mode;
  }
  return { changes: changes.sort((a, b) => a.path.localeCompare(b.path)), changedSince, modes };
}

export async function undoCommand(options: UndoOptions): Promise<void> {
  const at = locateProject(options.cwd);
  if (at.notice) process.stderr.write(`${color.dim(at.notice)}\n`);
  const root = undoRoot(at.root);
  const newest = newestUndo(root);
  if (!newest) {
    if (options.json) process.stdout.write(`${JSON.stringify({ undone: false, reason: "nothing to undo", root }, null, 2)}\n`);
    process.stderr.write(`nothing to undo in ${root}: no change made by create-bot-snippet is kept for it\n`);
    return;
  }
  const { entry, file } = newest;
  const made = `\`${commandOf(entry)}\` (${timeOf(entry)})`;
  if (entry.unavailable !== undefined) {
    throw failure(`the last change, ${made}, cannot be undone: ${entry.unavailable}; nothing was changed`, "take it back by hand (for example with git); undo has no history before it");
  }
  const { changes, changedSince, modes } = reverse(root, entry, options.force === true);
  if (changedSince.length > 0 && !options.force) {
    throw failure(
      `${changedSince.join(", ")} changed since ${made}; nothing was undone`,
      "undo leaves your changes alone: put those files back as the command left them (or save your change elsewhere), or pass --force to undo anyway and lose your change to them",
    );
  }
  const writes = !options.dryRun && (!options.json || options.yes === true);
  if (changes.length === 0) {
    // Already taken back (by hand, or by an undo killed after its commit): the entry goes, nothing is written.
    if (writes) popUndo(file);
    if (options.json) process.stdout.write(`${JSON.stringify({ undone: false, reason: "already undone", command: entry.command, at: entry.at, changes: [] }, null, 2)}\n`);
    process.stderr.write(`${made} is already undone: every file is as it was before it${writes ? "; removed it from the undo history" : ""}\n`);
    return;
  }

  const interactive = isInteractive(options);
  if (options.json) {
    if (writes) write(root, changes, modes, file);
    process.stdout.write(`${JSON.stringify({ undone: writes, command: entry.command, at: entry.at, changes: changesToJson({ changes }), ...(options.force && changedSince.length > 0 && { forced: changedSince }) }, null, 2)}\n`);
    if (!writes && !options.dryRun) process.stderr.write(color.dim("--json without --yes: nothing was undone; add --yes to undo\n"));
    return;
  }
  process.stderr.write(`${color.bold("undo")} ${made}:\n`);
  if (options.dryRun || interactive) process.stdout.write(`${formatDiff({ changes }, process.stdout)}\n`);
  process.stderr.write(`${formatChanges({ changes }, process.stderr).join("\n")}\n`);
  if (changedSince.length > 0) process.stderr.write(`${color.yellow("warning")}: --force: your changes to ${changedSince.join(", ")} are lost\n`);
  if (options.dryRun) {
    process.stderr.write(color.dim("dry run: nothing was written\n"));
    return;
  }
  if (!options.yes) {
    if (!interactive) throw usageError("undo asks before it writes, and there is no terminal to ask in; nothing was undone", "pass --yes to undo without asking, or --dry-run to only see the diff");
    if (!(await confirm(`Undo ${changes.length} file change(s)?`))) {
      process.stderr.write("nothing was undone\n");
      return;
    }
  }
  write(root, changes, modes, file);
  process.stderr.write(`${color.green("✓")} undid ${made}: ${changes.length} file(s)\n`);
  const left = undoCount(root);
  if (left > 0) process.stderr.write(color.dim(`${left} earlier change(s) can be undone; undo again to take back the one before\n`));
  if (changes.some((c) => c.path === "package.json")) {
    const pm = detectPackageManager(root);
    process.stderr.write(`  package.json changed: run ${color.cyan(formatCommand(installAllCommand(pm.name)))} to bring node_modules and the lockfile in line\n`);
  }
}

/** The reversal, in one commit that keeps no undo entry of its own, then the entry goes. */
function write(root: string, changes: FileChange[], modes: Record<string, number>, file: string): void {
  commitChanges(root, changes, { undo: false, modes });
  try {
    popUndo(file);
  } catch (error) {
    // The files are back; the next undo finds them so and drops the entry then.
    process.stderr.write(`${color.yellow("warning")}: undone, but the entry could not be removed from the undo history: ${(error as Error).message}\n`);
  }
}
