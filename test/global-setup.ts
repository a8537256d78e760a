import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

// Scratch copies live in test/.tmp inside the repo, so that they resolve
// grammy and @types/node from its node_modules. Runs may overlap (several
// vitest processes at once), so only folders older than an hour are removed.
export default function setup(): void {
  const root = join(import.meta.dirname, ".tmp");
  // The CLI's cache folder (journals, undo history, the gate's build info, the parser's code cache) is
  // the OS one by default: the tests' thousands of scratch projects keep theirs here, not in the
  // developer's ~/.cache. The workers inherit this environment.
  if (process.platform === "linux") process.env.XDG_CACHE_HOME = join(root, "xdg-cache");
  let entries: string[] = [];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  const cutoff = Date.now() - 60 * 60 * 1000;
  for (const entry of entries) {
    const path = join(root, entry);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by an overlapping run
    }
  }
}
