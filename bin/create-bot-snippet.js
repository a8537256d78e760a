#!/usr/bin/env node
import module from "node:module";
import { fileURLToPath } from "node:url";

// Node 22.1+: keep V8's compiled code of what the CLI loads (the CLI, and
// TypeScript when a recipe needs the compiler) between runs, in Node's own
// cache folder. Node 20 has no such call and runs as before. The CLI is
// imported after it, so that what it loads is cached.
if (typeof module.enableCompileCache === "function") {
  try {
    module.enableCompileCache();
  } catch {
    // A cache folder that cannot be made only costs time.
  }
}

// Node 20: the bundle's chunks are compiled with V8's code cache of an earlier run instead,
// except for the light commands (`list`, `show`, `--help`, `--version`): they compile little, and
// the cache's own loading costs them as much as it saves.
const bundle = new URL("../dist/src/bundle/", import.meta.url);
const args = process.argv.slice(2);
const command = args.find((arg) => !arg.startsWith("-"));
const light = command === "list" || command === "show" || command === "help" || (command === undefined && args.some((arg) => /^(-h|--help|-v|--version)$/.test(arg)));
if (typeof module.enableCompileCache !== "function" && !light) {
  const { installBundleCodeCache } = await import("../dist/src/core/bundle-code-cache.js");
  installBundleCodeCache(fileURLToPath(bundle));
}
const { main } = module.createRequire(import.meta.url)(fileURLToPath(new URL("cli.cjs", bundle)));
// This process is the CLI: its piped stdout can be written to directly.
await main(process.argv.slice(2), { ownStdout: true });
