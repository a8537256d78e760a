import { statSync, readFileSync } from "node:fs";
import { failure } from "./errors.js";

/** What a path is when it is not a plain file, in words. */
function kindOf(stat: import("node:fs").Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * Reads a file that must be a plain file, checking its type first (through
 * symlinks) so a FIFO, socket or device never blocks the run and a folder
 * never surfaces as EISDIR. Undefined when nothing is there.
 */
export function readRegularFile(abs: string, shown: string = abs): Buffer | undefined {
  let stat;
  try {
    stat = statSync(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw failure(`${shown}: cannot be read (${code ?? (error as Error).message})`, "check the path and its permissions");
  }
  const kind = kindOf(stat);
  if (kind) throw failure(`${shown} is ${kind} where a file is expected`, `move it away or pass another path`);
  return readFileSync(abs);
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Like `readRegularFile`, as text; a file that is not valid UTF-8 is refused by path, never re-encoded. */
export function readTextFile(abs: string, shown: string = abs): string | undefined {
  const bytes = readRegularFile(abs, shown);
  if (bytes === undefined) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    throw failure(`${shown} is not valid UTF-8; it is left as it is`, "save it as UTF-8, then run again");
  }
}
