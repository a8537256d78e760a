// Preloaded with `node --import`: records every module URL resolved, so a
// test can prove a command never loaded ts-morph or the TypeScript compiler.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";

// CommonJS packages are loaded with `require` (src/core/cjs.ts), which the ESM hook below does not see.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const path = resolveFilename.call(this, request, ...rest);
  if (process.env.TRACE_IMPORTS_FILE) appendFileSync(process.env.TRACE_IMPORTS_FILE, `${path}\n`);
  return path;
};

const hooks = `
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.TRACE_IMPORTS_FILE) appendFileSync(process.env.TRACE_IMPORTS_FILE, result.url + "\\n");
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
