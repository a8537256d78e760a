import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parseJsonc } from "../project/jsonc.js";

/**
 * The configs a tsconfig extends, and those they extend (absolute paths): a
 * relative path from the config's folder, or a package's config looked up in
 * node_modules as TypeScript does. One that cannot be found is listed where
 * it was looked for first (its appearing then changes the state).
 */
export function extendedConfigs(config: string, depth = 0): string[] {
  if (depth > 8) return [];
  let data: { extends?: unknown };
  try {
    data = parseJsonc(readFileSync(config, "utf8")) as { extends?: unknown };
  } catch {
    return [];
  }
  const list = Array.isArray(data?.extends) ? data.extends : [data?.extends];
  const out: string[] = [];
  for (const spec of list) {
    if (typeof spec !== "string" || spec === "") continue;
    const candidates: string[] = [];
    if (spec.startsWith(".") || isAbsolute(spec)) {
      const path = resolve(dirname(config), spec);
      candidates.push(path, `${path}.json`);
    } else {
      for (let dir = dirname(config); ; dir = dirname(dir)) {
        const path = join(dir, "node_modules", spec);
        candidates.push(path, `${path}.json`, join(path, "tsconfig.json"));
        if (dirname(dir) === dir) break;
      }
    }
    const found = candidates.find(isFile);
    out.push(found ?? candidates[0]!);
    if (found) out.push(...extendedConfigs(found, depth + 1));
  }
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
