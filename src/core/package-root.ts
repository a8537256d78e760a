import { basename, dirname, join, parse } from "node:path";
import { fileURLToPath } from "node:url";
import { requireCjs } from "./cjs.js";

// === Where this installation's own files are ===
//
// The CLI runs from one of three places: the bundle (dist/src/bundle/*.js,
// what bin loads), the compiled modules (dist/src/**/*.js) or the TypeScript
// sources under a test runner (src/**/*.ts). Paths are therefore found by
// looking upward from this module, never by a fixed number of `../`.

// node:fs through require, as in catalogue-index.ts: `list` and `show` load this.
const { existsSync } = requireCjs("node:fs") as typeof import("node:fs");

const here = () => dirname(fileURLToPath(import.meta.url));

/** The package's root: the nearest folder at or above this module with a package.json and a templates/ folder; undefined when missing. */
export function packageRoot(): string | undefined {
  let dir = here();
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "templates")) && existsSync(join(dir, "package.json"))) return dir;
    if (dir === parse(dir).root) return undefined;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * The folder of the compiled code: dist/src (src under a test runner), the
 * nearest folder named `src` at or above this module. The catalogue index,
 * the `show` previews and the help cache live there.
 */
export function codeDir(): string {
  if (code !== undefined) return code;
  let dir = here();
  for (let i = 0; i < 4 && basename(dir) !== "src"; i++) dir = dirname(dir);
  return (code = dir);
}
let code: string | undefined;
