import { readdirSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

// === The CLI's folders in the OS cache folder ===
//
// Imported by bin before the bundle loads (see bundle-code-cache.ts): it
// imports nothing of the CLI.

/** The folder journals are kept in: `$CREATE_BOT_SNIPPET_JOURNAL_DIR`, else the OS cache folder. */
export function journalDir(): string {
  const env = process.env;
  if (env.CREATE_BOT_SNIPPET_JOURNAL_DIR) return env.CREATE_BOT_SNIPPET_JOURNAL_DIR;
  const cache =
    process.platform === "win32"
      ? (env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"))
      : process.platform === "darwin"
        ? join(homedir(), "Library", "Caches")
        : (env.XDG_CACHE_HOME ?? join(homedir(), ".cache"));
  return join(cache, "create-bot-snippet", "journal");
}

/** The code cache folder: `$CREATE_BOT_SNIPPET_CODE_CACHE`, else `code/` beside the journal folder. */
export function codeCacheDir(): string {
  return process.env.CREATE_BOT_SNIPPET_CODE_CACHE || join(dirname(journalDir()), "code");
}

/** Where `lint --typecheck` keeps its results: `lint/` beside the journal folder (src/lint/typecheck-cache.ts). */
export function lintCacheDir(): string {
  return join(dirname(journalDir()), "lint");
}

/**
 * Keeps the newest `keep` code caches named `<prefix>….bin` in `dir`, and
 * removes the half-written ones (`.tmp`) a killed run left, once older than a minute.
 */
export function pruneCodeCaches(dir: string, prefix: string, keep: number): void {
  const entries = readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => ({ name, path: join(dir, name), time: statSync(join(dir, name)).mtimeMs }));
  for (const left of entries.filter((e) => e.name.endsWith(".tmp") && e.time < Date.now() - 60_000)) rmSync(left.path, { force: true });
  const caches = entries.filter((e) => e.name.endsWith(".bin")).sort((a, b) => b.time - a.time);
  for (const old of caches.slice(keep)) rmSync(old.path, { force: true });
}
