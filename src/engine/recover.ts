import { dirname, resolve } from "node:path";
import { color } from "../ui/colors.js";
import { recoverInterruptedCommit } from "./journal.js";
import { commandLine, keepUndoLog } from "./undo-log.js";

// === Before any command writes: finish what a killed run left ===
//
// One place (a commander hook in cli.ts) runs this before every command
// that writes the user's files (`add`, `update`, `remove`, `undo`, `new`,
// the run without a command, `show --copy-to`), so an interrupted commit is rolled back, and its stray
// temporary files removed, before anything is planned against a half-written
// tree. Read-only commands (`list`, `show`, `lint`) leave the files alone.
// The same hook turns the undo log on for the run (src/engine/undo-log.ts):
// every commit the CLI makes keeps an undo entry with its command line.

/** The folder a command writes in; undefined for commands that write nothing. */
export function writtenFolder(command: string, args: readonly unknown[], options: Record<string, unknown>): string | undefined {
  switch (command) {
    case "add":
    case "update":
    case "remove":
    case "undo":
      return typeof options.cwd === "string" ? options.cwd : ".";
    case "new":
    case "init":
      return typeof args[0] === "string" ? args[0] : ".";
    case "show":
      return typeof options.copyTo === "string" ? dirname(resolve(options.copyTo)) : undefined;
    default:
      return undefined;
  }
}

/** Rolls back an interrupted commit where `command` is about to write, and says what it did (on stderr). */
export function recoverBeforeWriting(command: string, args: readonly unknown[], options: Record<string, unknown>, write = (line: string) => void process.stderr.write(line)): void {
  keepUndoLog(commandLine(command, args, options));
  const folder = writtenFolder(command, args, options);
  if (folder === undefined) return;
  for (const line of recoverInterruptedCommit(folder)) write(`${color.yellow("!")} ${line}\n`);
}
