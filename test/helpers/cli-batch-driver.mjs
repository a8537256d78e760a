// Runs several CLI invocations one after another in ONE Node process, for
// tests of what the CLI prints and exits with (test/helpers/cli-batch.ts).
// Loading the CLI (ts-morph and the TypeScript bundle) is most of a run's
// second; a batch pays it once. Each invocation gets its own cwd and
// environment and calls the same `main` as bin/create-bot-snippet.js. Its
// stdout and stderr are whatever reaches file descriptors 1 and 2 between two
// markers (so bytes written around process.stdout are counted too); the exit
// code is process.exitCode after `main`, or what process.exit was called with.
// An error that escapes `main` (or is thrown later, while the run is the
// current one) is printed with its stack and counts as exit 1, as Node would.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// Batch: `driver <cases.json> <codes.json> <repoRoot>`. Session (test/helpers/cli-session.ts):
// `driver --serve <repoRoot>` reads one JSON run per line from fd 3 and answers each with
// its exit code on fd 4, after an end marker on fds 1 and 2.
const serve = process.argv[2] === "--serve";
const [casesFile, resultsFile, repoRoot] = serve ? [undefined, undefined, process.argv[3]] : process.argv.slice(2);
const { main } = await import(pathToFileURL(join(repoRoot, "dist/src/cli.js")).href);

const baseEnv = { ...process.env };
const baseCwd = process.cwd();
const marker = (i) => `\u0000cli-batch ${i}\u0000`;
const endMarker = (i) => `\u0000cli-batch-end ${i}\u0000`;
const cases = serve ? [] : JSON.parse(readFileSync(casesFile, "utf8"));

class ExitCalled extends Error {
  constructor(code) {
    super(`process.exit(${code})`);
    this.code = code;
  }
}
const realExit = process.exit.bind(process);
let escaped = false;
const escape = (error) => {
  escaped = true;
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
};
process.on("uncaughtException", escape);
process.on("unhandledRejection", escape);

/** One run: its own env and cwd, `main` as the bin calls it; returns the exit code. */
async function runOne(i, c) {
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
  Object.assign(process.env, baseEnv);
  for (const [key, value] of Object.entries(c.env ?? {})) {
    if (value === null) delete process.env[key];
    else process.env[key] = value;
  }
  process.chdir(c.cwd ?? baseCwd);
  // Listeners a run adds to process, stdout and stderr (an EPIPE handler, signal handlers) are
  // removed after it, as its process would have ended: they would pile up over the runs.
  const emitters = [process, process.stdout, process.stderr];
  const listenersBefore = emitters.map((e) => new Map(e.eventNames().map((name) => [name, new Set(e.listeners(name))])));
  process.exitCode = 0;
  escaped = false;
  process.stdout.write(marker(i));
  process.stderr.write(marker(i));
  let code;
  process.exit = (n) => {
    throw new ExitCalled(n ?? process.exitCode ?? 0);
  };
  try {
    await main(c.args);
    code = process.exitCode ?? 0;
  } catch (error) {
    if (error instanceof ExitCalled) code = error.code;
    else escape(error);
  } finally {
    process.exit = realExit;
  }
  // Let what the run left queued (a rejected promise, a timer at 0) fail it, not the next one.
  await new Promise((resolve) => setImmediate(resolve));
  emitters.forEach((e, k) => {
    for (const name of e.eventNames()) {
      const kept = listenersBefore[k].get(name) ?? new Set();
      for (const listener of e.listeners(name)) if (!kept.has(listener)) e.removeListener(name, listener);
    }
  });
  return escaped ? 1 : Number(code);
}

if (serve) {
  const { createInterface } = await import("node:readline");
  const { createReadStream, writeSync } = await import("node:fs");
  let i = 0;
  for await (const line of createInterface({ input: createReadStream(null, { fd: 3 }) })) {
    if (line.trim() === "") continue;
    const n = i++;
    const code = await runOne(n, JSON.parse(line));
    process.stdout.write(endMarker(n));
    process.stderr.write(endMarker(n));
    writeSync(4, `${JSON.stringify({ i: n, code })}\n`);
  }
  process.exitCode = 0;
  realExit(0);
}

const codes = [];
for (const [i, c] of cases.entries()) codes.push(await runOne(i, c));
writeFileSync(resultsFile, JSON.stringify(codes));
process.exitCode = 0;
realExit(0);
