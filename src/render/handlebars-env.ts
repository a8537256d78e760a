import Handlebars from "handlebars";
import { failure } from "../core/errors.js";
import { checkTemplateNames, errorPosition, parseTemplate, summarize, type TemplateProblem } from "./template-names.js";
import { builtinHelpers, helpers } from "./helpers.js";
import { findCompiled } from "./precompiled.js";

/**
 * One isolated handlebars environment for rendering code, not HTML: no HTML
 * escaping, strict mode (a missing variable is an error) and only the helpers
 * below (an unknown helper is an error at compile time).
 */
const env = Handlebars.create();

for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);

const knownHelpers = Object.fromEntries([...builtinHelpers, ...Object.keys(helpers)].map((h) => [h, true]));

export const compileOptions = { strict: true, noEscape: true, knownHelpers, knownHelpersOnly: true } as const;

export type Renderer = (context: Record<string, unknown>) => string;

const cache = new Map<string, Renderer>();

/**
 * Compiles a template. `source` names it in errors (`templates/x/y.ts.hbs`).
 * Syntax errors are thrown at once as a one-line CliError with the line.
 */
export function compileTemplate(text: string, source: string): Renderer {
  const key = `${source}\0${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // A bundled template the build compiled (src/render/precompiled.ts); else parsed and compiled here.
  const built = findCompiled(text, env.VERSION, compileOptions);
  const parsed = built ?? parseTemplate(text); // compile() is lazy: parse now so syntax errors surface here
  if ("problem" in parsed) throw templateProblem(parsed.problem, source);
  const template = built ? env.template(specOf(built.spec)) : env.compile(parsed.ast, compileOptions);
  const render: Renderer = (context) => {
    // Handlebars' strict mode misses helper arguments, #if and #each: check every name against the context.
    const defined = new Set(Object.keys(context).filter((k) => context[k] !== undefined));
    const [problem] = checkTemplateNames(parsed.ast, defined, { plainItems: false });
    if (problem) throw templateProblem(problem, source);
    try {
      return template(context);
    } catch (error) {
      throw templateError(error, source);
    }
  };
  cache.set(key, render);
  return render;
}

/** The spec object of a template the build precompiled (its source is the build's own output, as Handlebars' own compile evaluates it). */
function specOf(source: string): TemplateSpecification {
  return new Function(`return ${source};`)() as TemplateSpecification;
}

/** The template (as precompiled) of `ast`: what the build keeps for `findCompiled`. */
export function precompile(ast: hbs.AST.Program): string {
  // A copy: precompile adds to the options it is given (`data`), and compileOptions is part of every template's key.
  return env.precompile(ast, { ...compileOptions, knownHelpers: { ...compileOptions.knownHelpers } }) as string;
}

function templateError(error: unknown, source: string) {
  return templateProblem({ ...errorPosition(error), message: summarize(error) }, source);
}

function templateProblem(problem: TemplateProblem, source: string) {
  return failure(`${source}:${problem.line}:${problem.column}: template error: ${problem.message}`, "fix the template; `create-bot-snippet lint` checks every template");
}

export { env as handlebars, builtinHelpers, helpers };
