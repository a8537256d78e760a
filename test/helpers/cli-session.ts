// One Node process that runs the CLI again and again (test/helpers/cli-batch-driver.mjs
// --serve), for a test file whose tests check what a command prints, exits with and
// writes, not the process itself (startup, signals, a terminal: those keep runCli).
// Loading the CLI (ts-morph and the TypeScript bundle) was most of each run's
// second; a session pays it once. Same environment as runCli: NO_COLOR, offline,
// stdin closed (not a TTY); per run its own cwd and env. Runs are queued, one at a time.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { afterAll } from "vitest";
import type { CliResult } from "./cli.js";
import { repoRoot } from "./recipes.js";

const driver = `${repoRoot}/test/helpers/cli-batch-driver.mjs`;
const marker = (i: number) => `\u0000cli-batch ${i}\u0000`;
const endMarker = (i: number) => `\u0000cli-batch-end ${i}\u0000`;

export interface CliSession {
  /** Runs `create-bot-snippet <args>`; like runCli, resolved when the run is over. */
  run: (args: string[], options?: { cwd?: string; env?: Record<string, string | undefined> }) => Promise<CliResult>;
  close: () => void;
}

/** A session for this test file, closed after its tests. */
export function cliSession(): CliSession {
  let child: ChildProcess | undefined;
  let out = "";
  let err = "";
  const codes = new Map<number, number>();
  let wake: (() => void) | undefined;
  let exited: string | undefined;
  let next = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const start = () => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", CREATE_BOT_SNIPPET_OFFLINE: "1" };
    delete env.FORCE_COLOR;
    const c = spawn(process.execPath, [driver, "--serve", repoRoot], { cwd: repoRoot, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"] });
    c.stdout!.setEncoding("utf8").on("data", (s: string) => ((out += s), wake?.()));
    c.stderr!.setEncoding("utf8").on("data", (s: string) => ((err += s), wake?.()));
    createInterface({ input: c.stdio[4] as Readable }).on("line", (line) => {
      const { i, code } = JSON.parse(line) as { i: number; code: number };
      codes.set(i, code);
      wake?.();
    });
    c.on("exit", (code, signal) => {
      exited = `the CLI session ended (code ${code}, signal ${signal})\n${err.slice(-2000)}`;
      wake?.();
    });
    return c;
  };

  const runNow = async (args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> => {
    child ??= start();
    const i = next++;
    const env = Object.fromEntries(Object.entries(options.env ?? {}).map(([k, v]) => [k, v ?? null]));
    (child.stdio[3] as Writable).write(`${JSON.stringify({ args, cwd: options.cwd ?? repoRoot, env })}\n`);
    const done = () => codes.has(i) && out.includes(endMarker(i)) && err.includes(endMarker(i));
    while (!done()) {
      if (exited) throw new Error(exited);
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const slice = (text: string) => text.slice(text.indexOf(marker(i)) + marker(i).length, text.indexOf(endMarker(i)));
    const result = { code: codes.get(i)!, stdout: slice(out), stderr: slice(err) };
    out = out.slice(out.indexOf(endMarker(i)) + endMarker(i).length);
    err = err.slice(err.indexOf(endMarker(i)) + endMarker(i).length);
    return result;
  };

  const session: CliSession = {
    run: (args, options) => {
      const result = queue.then(() => runNow(args, options));
      queue = result.catch(() => undefined);
      return result;
    },
    close: () => {
      child?.kill();
      child = undefined;
    },
  };
  afterAll(() => session.close());
  return session;
}
