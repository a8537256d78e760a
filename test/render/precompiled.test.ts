// The templates the build compiled (dist/src/compiled-templates/, src/render/precompiled.ts)
// are exactly what compiling them now gives, and a text that differs is never taken from them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/recipes.js";

// The built modules: under the test runner src/ has no compiled templates (its code folder is src/).
const load = <T>(path: string) => import(pathToFileURL(join(repoRoot, "dist/src", path)).href) as Promise<T>;
type Precompiled = typeof import("../../src/render/precompiled.js");
type Env = typeof import("../../src/render/handlebars-env.js");
type Names = typeof import("../../src/render/template-names.js");

/** Every .hbs file under templates/ (as the renderer reads it). */
function templateTexts(): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".hbs")) out.push({ path, text: readFileSync(path, "utf8") });
    }
  };
  walk(join(repoRoot, "templates"));
  return out;
}

describe("templates compiled by the build", () => {
  it("every bundled template is there, with the tree and the compiled source compiling it now gives", async () => {
    const { findCompiled } = await load<Precompiled>("render/precompiled.js");
    const { compileOptions, handlebars, precompile } = await load<Env>("render/handlebars-env.js");
    const { parseTemplate } = await load<Names>("render/template-names.js");
    const texts = templateTexts();
    expect(texts.length).toBeGreaterThan(60);
    for (const { path, text } of texts) {
      const stored = findCompiled(text, handlebars.VERSION, compileOptions);
      expect(stored, path).toBeDefined();
      const parsed = parseTemplate(text);
      if ("problem" in parsed) throw new Error(`${path}: ${parsed.problem.message}`);
      expect(stored!.ast).toEqual(JSON.parse(JSON.stringify(parsed.ast)));
      expect(stored!.spec).toBe(precompile(parsed.ast));
    }
    // Compiling did not change the options every key is made of.
    expect(JSON.stringify(compileOptions)).not.toContain('"data"');
  });

  it("a text that differs by one character, another Handlebars or other options: not found (compiled as before)", async () => {
    const { findCompiled } = await load<Precompiled>("render/precompiled.js");
    const { compileOptions, handlebars } = await load<Env>("render/handlebars-env.js");
    const text = templateTexts()[0]!.text;
    expect(findCompiled(text, handlebars.VERSION, compileOptions)).toBeDefined();
    expect(findCompiled(`${text} `, handlebars.VERSION, compileOptions)).toBeUndefined();
    expect(findCompiled(text, "4.0.0", compileOptions)).toBeUndefined();
    expect(findCompiled(text, handlebars.VERSION, { ...compileOptions, strict: false })).toBeUndefined();
  });

  it("renders what a fresh compile renders, and still reports a missing name at its line", async () => {
    const { compileTemplate, compileOptions, handlebars } = await load<Env>("render/handlebars-env.js");
    const { findCompiled } = await load<Precompiled>("render/precompiled.js");
    const text = readFileSync(join(repoRoot, "templates/error-handler/error-handler.ts.hbs"), "utf8");
    expect(findCompiled(text, handlebars.VERSION, compileOptions)).toBeDefined();
    const view = JSON.parse(readFileSync(join(repoRoot, "templates/error-handler/recipe.json"), "utf8")) as { questions?: Array<{ name: string; default?: unknown }> };
    const context: Record<string, unknown> = { recipesDir: "src/recipes", botImport: "./bot.js", contextType: "Context", contextImport: "grammy" };
    for (const q of view.questions ?? []) context[q.name] = q.default;
    const fresh = handlebars.compile(text, { ...compileOptions, knownHelpers: { ...compileOptions.knownHelpers } });
    let expected: string | Error;
    try {
      expected = fresh(context);
    } catch (error) {
      expected = error as Error;
    }
    if (expected instanceof Error) throw expected; // the context above must render
    expect(expected).toContain("handleBotError");
    expect(compileTemplate(text, "x.hbs")(context)).toBe(expected);
    expect(() => compileTemplate(text, "error-handler.ts.hbs")({})).toThrow(/error-handler\.ts\.hbs:\d+:\d+: template error/);
  });
});
