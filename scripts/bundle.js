#!/usr/bin/env node
// Run by `npm run build` after tsc: bundles the compiled CLI (dist/src/cli.js
// and what it imports, with handlebars, semver, commander, diff and node-diff3) into
// dist/src/bundle/, what bin/create-bot-snippet.js loads. One run of the CLI
// then reads a few files instead of about 110 modules: Node resolves, reads
// and links each ESM module separately, which was a fifth of an `add`.
//
// Each command's modules stay a chunk of their own, loaded when the command
// runs (the dynamic imports in cli.ts), so `--help` and `list` load no more
// than before. The chunks are CommonJS: on Node 20, bin compiles them with
// V8's code cache of an earlier run (src/core/bundle-code-cache.ts). The large packages loaded through `require` (src/core/cjs.ts:
// @babel/parser, with its own code cache, and ts-morph), typescript and
// prompts stay in node_modules.
import { rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const dist = join(dirname(fileURLToPath(import.meta.url)), "../dist/src");
const out = join(dist, "bundle");
rmSync(out, { recursive: true, force: true });
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const { output } = await build({
  input: { cli: join(dist, "cli.js") },
  platform: "node",
  // Loaded lazily, and large: prompts (only when a question is asked), ts-morph/typescript (only for --check and lint).
  external: (id) => builtins.has(id) || /^(ts-morph|typescript|prompts|@babel\/parser)(\/|$)/.test(id),
  logLevel: "warn",
  // CommonJS, so that on Node 20 bin can compile each chunk with V8's code cache
  // (src/core/bundle-code-cache.ts; vm.Script runs scripts, not ES modules).
  output: {
    dir: out,
    format: "cjs",
    entryFileNames: "[name].cjs",
    chunkFileNames: "[name]-[hash].cjs",
  },
});

// A chunk compiled from V8's code cache has no loader for import() on Node 20: an external
// package loaded lazily must be required (src/core/cjs.ts), not imported.
const chunks = new Set(output.map((o) => o.fileName));
for (const chunk of output) {
  const external = (chunk.dynamicImports ?? []).filter((id) => !chunks.has(id));
  if (external.length > 0) throw new Error(`scripts/bundle.js: ${chunk.fileName} imports ${external.join(", ")} with import(); load it with requireCjs instead`);
}
