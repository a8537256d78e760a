// Many CLI runs in one Node process (test/helpers/cli-batch-driver.mjs), for
// tests of what a command prints and exits with when the process itself is
// not what is tested. Same environment as runCli (NO_COLOR, offline, stdin
// closed, not a TTY). A run is ~1 s of loading the CLI; a batch pays it once.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CliResult } from "./cli.js";
import { repoRoot, tmpRoot } from "./recipes.js";

export interface BatchRun {
  args: string[];
  cwd?: string;
  /** Extra environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
}

const driver = join(repoRoot, "test/helpers/cli-batch-driver.mjs");
const marker = (i: number) => `\u0000cli-batch ${i}\u0000`;

/** Splits one stream at the markers the driver writes before each run. */
function split(text: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = text.indexOf(marker(i));
    if (start === -1) throw new Error(`cli batch: run ${i} left no output marker (the driver stopped early?)`);
    const from = start + marker(i).length;
    const next = i + 1 < n ? text.indexOf(marker(i + 1), from) : -1;
    out.push(text.slice(from, next === -1 ? undefined : next));
  }
  return out;
}

/** Runs the CLI once per item, in order, in one process; results in the same order. */
export function runCliBatch(runs: BatchRun[], options: { timeout?: number } = {}): CliResult[] {
  mkdirSync(tmpRoot, { recursive: true });
  const work = mkdtempSync(join(tmpRoot, "cli-batch-"));
  try {
    const casesFile = join(work, "cases.json");
    const resultsFile = join(work, "codes.json");
    writeFileSync(casesFile, JSON.stringify(runs.map((r) => ({ args: r.args, cwd: r.cwd ?? repoRoot, env: Object.fromEntries(Object.entries(r.env ?? {}).map(([k, v]) => [k, v ?? null])) }))));
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", CREATE_BOT_SNIPPET_OFFLINE: "1" };
    delete env.FORCE_COLOR;
    const result = spawnSync(process.execPath, [driver, casesFile, resultsFile, repoRoot], {
      cwd: repoRoot,
      env: env as NodeJS.ProcessEnv,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeout ?? 60_000 + runs.length * 10_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    let codes: number[];
    try {
      codes = JSON.parse(readFileSync(resultsFile, "utf8")) as number[];
    } catch {
      throw new Error(`cli batch: the driver did not finish (status ${result.status}, signal ${result.signal})\n${result.stderr.slice(-2000)}`);
    }
    const stdout = split(result.stdout, runs.length);
    const stderr = split(result.stderr, runs.length);
    return codes.map((code, i) => ({ code, stdout: stdout[i]!, stderr: stderr[i]! }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
