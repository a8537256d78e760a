import { requireCjs } from "../core/cjs.js";

// node:fs through require: an `import` of it makes Node read every export of
// fs, which loads its streams and promises (about 4 ms) that this never uses.
const { fstatSync, writeSync } = requireCjs("node:fs") as typeof import("node:fs");

// stdout for the commands that must start fast (`--help`, `list`, `show`).
//
// Making `process.stdout` for a pipe loads Node's network streams: about 14 ms
// on a start of 100-150 ms, as much as all the rest `list` does. When file
// descriptor 1 is a pipe, a socket or a file (never a terminal), the text is
// written to it directly, in one piece, and process.stdout is never made;
// otherwise (a terminal, or anything unclear) process.stdout is used as
// before. A reader that went away (`list | head -1`) ends the run quietly, as
// the EPIPE handler of `main` does.

let ownStdout = false;

/**
 * Lets the writes below go to file descriptor 1 directly: called by `main`
 * when bin/create-bot-snippet.js runs it, the process being the CLI. Code
 * that calls the commands otherwise (tests that capture process.stdout.write,
 * a process running the CLI many times) gets process.stdout as always.
 */
export function useOwnStdout(): void {
  ownStdout = true;
}

/** True when stdout is the CLI's own and certainly not a terminal: a pipe, a socket or a regular file. */
export function plainStdout(): boolean {
  if (!ownStdout) return false;
  try {
    const stat = fstatSync(1);
    return stat.isFIFO() || stat.isSocket() || stat.isFile();
  } catch {
    return false;
  }
}

/** `list | head -1`: the reader went away; stop quietly, as other command-line tools do. */
export function quietOnEpipe(error: NodeJS.ErrnoException): void {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
}

/** process.stdout, with the EPIPE handler on it. */
export function stdoutWithEpipe(): NodeJS.WriteStream {
  if (!process.stdout.listeners("error").includes(quietOnEpipe)) process.stdout.on("error", quietOnEpipe);
  return process.stdout;
}

/**
 * The stream to give `color` for text bound for stdout: process.stdout, or
 * for a plain stdout what stands for it there (not a terminal, as
 * process.stdout of a pipe or a file says), without making process.stdout.
 */
export function stdoutForColor(): NodeJS.WriteStream {
  return plainStdout() ? ({ isTTY: undefined } as unknown as NodeJS.WriteStream) : process.stdout;
}

/** Writes `text` to stdout: straight to file descriptor 1 when it is plain, else through process.stdout. */
export function writeOut(text: string): void {
  if (text === "") return;
  if (!plainStdout()) {
    stdoutWithEpipe().write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EPIPE") quietOnEpipe(error as NodeJS.ErrnoException);
      // A pipe left non-blocking by another process (EAGAIN), or anything else: the stream writes the rest as it always did.
      stdoutWithEpipe().write(bytes.subarray(done));
      return;
    }
  }
}
