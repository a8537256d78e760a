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

const [casesFile, resultsFile, repoRoot] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesFile, "utf8"));
const { main } = await import(pathToFileURL(join(repoRoot, "dist/src/cli.js")).href);

const baseEnv = { ...process.env };
const baseCwd = process.cwd();
const marker = (i) => `\u0000cli-batch ${i}\u0000`;

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

const codes = [];
for (const [i, c] of cases.entries()) {
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
  Object.assign(process.env, baseEnv);
  for (const [key, value] of Object.entries(c.env ?? {})) {
    if (value === null) delete process.env[key];
    else process.env[key] = value;
  }
  process.chdir(c.cwd ?? baseCwd);
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
    else {
      escape(error);
    }
  } finally {
    process.exit = realExit;
  }
  // Let what the run left queued (a rejected promise, a timer at 0) fail it, not the next one.
  await new Promise((resolve) => setImmediate(resolve));
  codes.push(escaped ? 1 : Number(code));
}
writeFileSync(resultsFile, JSON.stringify(codes));
process.exitCode = 0;
realExit(0);
