import { createRequire } from "node:module";

/**
 * `require` for the large CommonJS packages that stay out of the bundle
 * (scripts/bundle.js): @babel/parser and ts-morph; and for `node:fs` where only a few of its functions are needed
 * by a command that must start fast (an ESM import of it loads its streams
 * and promises too). An ESM `import` of a CommonJS module makes Node scan its
 * source for export names first; for a large bundle that scan costs more than
 * running it (100 ms for @babel/parser, 240 ms for ts-morph), and the CLI
 * pays it on every run.
 */
export const requireCjs = createRequire(import.meta.url);
