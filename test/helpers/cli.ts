// Running the built CLI as a process, as users do.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./recipes.js";

export const binPath = join(repoRoot, "bin/create-bot-snippet.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with stdin closed (not a TTY), so it never prompts. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): CliResult {
  // CREATE_BOT_SNIPPET_OFFLINE: `add` asks no registry for peer ranges (tests never touch the network).
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", CREATE_BOT_SNIPPET_OFFLINE: "1", ...options.env };
  delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
  const result = spawnSync(process.execPath, [binPath, ...args], { cwd: options.cwd ?? repoRoot, env: env as NodeJS.ProcessEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A fingerprint of every file under a folder: equal before and after means nothing was written. */
export function treeHash(dir: string): string {
  const hash = createHash("sha256");
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) hash.update(`${path}\0${(stat.mode & 0o7777).toString(8)}\0`).update(readFileSync(path));
      else hash.update(`${path}\0special\0`); // a FIFO or socket: never opened (it would block)
    }
  };
  walk(dir);
  return hash.digest("hex");
}
