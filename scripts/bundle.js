#!/usr/bin/env node
// Run by `npm run build` after tsc: bundles the compiled CLI (dist/src/cli.js
// and what it imports, with handlebars, semver, commander, diff and node-diff3) into
// dist/src/bundle/, what bin/create-bot-snippet.js loads. One run of the CLI
// then reads a few files instead of about 110 modules: Node resolves, reads
// and links each ESM module separately, which was a fifth of an `add`.
//
// Each command's modules stay a chunk of their own, loaded when the command
// runs (the dynamic imports in cli.ts), so `--help` and `list` load no more
// than before. The large packages loaded through `require` (src/core/cjs.ts:
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
await build({
  input: { cli: join(dist, "cli.js") },
  platform: "node",
  // Loaded lazily, and large: prompts (only when a question is asked), ts-morph/typescript (only for --check and lint).
  external: (id) => builtins.has(id) || /^(ts-morph|typescript|prompts|@babel\/parser)(\/|$)/.test(id),
  logLevel: "warn",
  output: {
    dir: out,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
  },
});
