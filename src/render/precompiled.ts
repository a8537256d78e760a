import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { codeDir } from "../core/package-root.js";

// === Templates the build already compiled ===
//
// Parsing a template with Handlebars' generated parser and compiling it to a
// function was a fifth of an `add` (the parser is large and runs cold once
// per process). The build (scripts/build-catalogue-index.js) does both for
// every bundled template text, the .hbs files and the manifests' strings,
// and keeps the result in dist/src/compiled-templates/<key>.json: the parsed
// tree (for the strict name check, src/render/template-names.ts) and the
// compiled template's source. The key is the hash of the text, the
// Handlebars version and the compile options, so a text that differs in any
// way (a pack's template, an edited one, another Handlebars) is not found
// and is compiled as before. Under a test runner (src/) there is none.

export interface CompiledTemplate {
  ast: hbs.AST.Program;
  /** What Handlebars' `precompile` returned: the source of the template's spec object. */
  spec: string;
}

export const compiledTemplatesDir = () => join(codeDir(), "compiled-templates");

/** The key of a template text compiled with `options` by Handlebars `version`. */
export function compiledKey(text: string, version: string, options: object): string {
  return createHash("sha256").update(`${version}\0${JSON.stringify(options)}\0${text}`).digest("hex").slice(0, 40);
}

/** The build's compilation of `text`, or undefined. */
export function findCompiled(text: string, version: string, options: object): CompiledTemplate | undefined {
  let data: Partial<CompiledTemplate>;
  try {
    data = JSON.parse(readFileSync(join(compiledTemplatesDir(), `${compiledKey(text, version, options)}.json`), "utf8")) as Partial<CompiledTemplate>;
  } catch {
    return undefined;
  }
  return data.ast?.type === "Program" && typeof data.spec === "string" ? (data as CompiledTemplate) : undefined;
}
