import { RECORD_FILE, parseRecord, type ProjectRecord } from "../record/record-file.js";
import type { Tree } from "../engine/tree.js";

/**
 * The project's record as the tree sees it (planned writes included), or
 * undefined when the project has none. A record that does not parse is
 * refused by `parseRecord` (one line, nothing written).
 * Stands in for the lead's `readProjectRecord(root)` until it lands; reading
 * through the Tree lets a test plan an `add` and a `remove` in one tree.
 */
export function readRecord(tree: Tree): ProjectRecord | undefined {
  const text = tree.read(RECORD_FILE);
  return text === undefined ? undefined : parseRecord(text);
}
