import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { basename, dirname, join, sep } from "node:path";
import vm from "node:vm";
import { codeCacheDir, pruneCodeCaches } from "./cache-folder.js";

// === V8's code cache for the CLI's own bundle, on Node 20 ===
//
// Node 22 keeps compiled code between runs itself (`module.enableCompileCache()`,
// which bin calls). On Node 20, bin installs this before it requires the
// bundle (dist/src/bundle/*.cjs, CommonJS for this reason): each chunk is
// compiled through `vm.Script` with the code cache an earlier run left, kept
// by the chunk's content hash in the code cache folder. V8 compiles functions
// on their first call, so a cache written as the run ends holds the functions
// that run used. A cache V8 rejects (another V8, flags) is written anew.

/** Installs the hook for chunks under `bundleDir`; false when this Node cannot (no main-context loader for `import()` in vm scripts). */
export function installBundleCodeCache(bundleDir: string): boolean {
  // (typed as a number by @types/node; a symbol at runtime, and absent before Node 20.12)
  const loader = (vm.constants as unknown as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!loader || process.env.CREATE_BOT_SNIPPET_CODE_CACHE === "off") return false;
  const dir = codeCacheDir();
  const prefix = bundleDir.endsWith(sep) ? bundleDir : `${bundleDir}${sep}`;
  const toWrite: Array<{ path: string; script: vm.Script }> = [];
  type Compile = (this: Module, content: string, filename: string) => unknown;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (this: Module, content: string, filename: string): unknown {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    const hash = createHash("sha256").update(content).digest("hex").slice(0, 20);
    const path = join(dir, `bundle-${basename(filename, ".cjs")}-${hash}-${process.version}-${process.arch}.bin`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(path);
    } catch {
      // None yet.
    }
    const script = new vm.Script(Module.wrap(content), { filename, importModuleDynamically: loader as never, ...(cachedData && { cachedData }) });
    if (!cachedData || script.cachedDataRejected) toWrite.push({ path, script });
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => unknown;
    const require = Module.createRequire(filename);
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  process.once("exit", () => {
    if (toWrite.length === 0) return;
    try {
      mkdirSync(dir, { recursive: true });
      for (const { path, script } of toWrite) {
        const temp = `${path}.${process.pid}.tmp`;
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, path);
      }
      // The newest 80 chunk caches: a few builds' worth.
      pruneCodeCaches(dir, "bundle-", 80);
    } catch {
      // A cache that cannot be written only costs time.
    }
  });
  return true;
}

