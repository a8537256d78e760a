import module, { createRequire } from "node:module";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import vm from "node:vm";
import { requireCjs } from "../../core/cjs.js";
import { codeCacheDir } from "../../core/cache-folder.js";

// === Loading @babel/parser with V8's code cache on Node 20 ===
//
// Most of the first parse of a run is V8 compiling Babel's functions, lazily,
// as they are first called (about 60 ms of a 100 ms load-and-parse). Node 22
// keeps compiled code between runs itself (`module.enableCompileCache()`, see
// bin/); on older Node the parser's one file is run through `vm.Script` with
// the code cache of an earlier run, kept in the user's cache folder beside the
// journals. V8 checks that a cache fits the source and its own version, and
// ignores one that does not; then the run writes a new one.

export type BabelParse = (text: string, options: object) => unknown;


export function loadBabelParser(): BabelParse {
  const nativeCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === "function";
  if (nativeCache || process.env.CREATE_BOT_SNIPPET_CODE_CACHE === "off") return (requireCjs("@babel/parser") as { parse: BabelParse }).parse;
  const file = requireCjs.resolve("@babel/parser");
  const version = (requireCjs("@babel/parser/package.json") as { version: string }).version;
  const cachePath = join(codeCacheDir(), `babel-parser-${version}-${process.version}-${process.arch}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    // No cache yet.
  }
  const source = readFileSync(file, "utf8");
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, ...(cachedData && { cachedData }) });
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;
  const loaded = { exports: {} as { parse: BabelParse } };
  wrapper(loaded.exports, createRequire(file), loaded, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    // Written when the run ends, so the functions its parses compiled are in it.
    process.once("exit", () => {
      try {
        mkdirSync(dirname(cachePath), { recursive: true });
        const temp = `${cachePath}.${process.pid}.tmp`;
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cachePath);
      } catch {
        // A cache that cannot be written only costs time.
      }
    });
  }
  return loaded.exports.parse;
}
