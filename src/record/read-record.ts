import { resolve } from "node:path";
import { readTextFile } from "../core/regular-file.js";
import { parseRecord, RECORD_FILE, type ProjectRecord } from "./record-file.js";

/** The record of the project at `root` (undefined when it has none); a corrupt one is refused with one line. */
export function readProjectRecord(root: string): ProjectRecord | undefined {
  const text = readTextFile(resolve(root, RECORD_FILE), RECORD_FILE);
  return text === undefined ? undefined : parseRecord(text);
}
