#!/usr/bin/env node
import module from "node:module";

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

const { main } = await import("../dist/src/bundle/cli.js");
// This process is the CLI: its piped stdout can be written to directly.
await main(process.argv.slice(2), { ownStdout: true });
