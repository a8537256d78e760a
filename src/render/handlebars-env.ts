import Handlebars from "handlebars";
import { failure } from "../core/errors.js";
import { templateUses, type TemplateVariable } from "./template-variables.js";
import { commentText, toCamelCase, toPascalCase, tsLiteral, tsString } from "./literals.js";

/**
 * One isolated handlebars environment for rendering code, not HTML: no HTML
 * escaping, strict mode (a missing variable is an error) and only the helpers
 * below (an unknown helper is an error at compile time).
 */
const env = Handlebars.create();

type HelperArgs = unknown[];
const values = (args: HelperArgs) => args.slice(0, -1); // the last argument is handlebars' options object

export const helpers: Record<string, (...args: HelperArgs) => unknown> = {
  /** `{{str answer}}` → a TypeScript string literal with the same value. */
  str: (value) => tsString(String(value)),
  /** `{{json answer}}` → a literal for any JSON value (lists, numbers, booleans). */
  json: (value) => tsLiteral(value),
  /** `{{comment answer}}` → text that cannot end the comment it stands in. */
  comment: (value) => commentText(String(value)),
  camel: (value) => toCamelCase(String(value)),
  pascal: (value) => toPascalCase(String(value)),
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  and: (...args) => values(args).every(Boolean),
  or: (...args) => values(args).some(Boolean),
  not: (value) => !value,
  /** `{{#if (includes list "x")}}` for multiselect answers. */
  includes: (list, value) => Array.isArray(list) && list.includes(value),
  /** `{{#if (nonEmpty list)}}`: a list or string with something in it. */
  nonEmpty: (value) => (Array.isArray(value) ? value.length > 0 : typeof value === "string" ? value.length > 0 : Boolean(value)),
  /** `{{join list ", "}}` */
  join: (list, separator) => (Array.isArray(list) ? list.join(typeof separator === "string" ? separator : ", ") : ""),
  /** `{{mul a b}}`, e.g. seconds to milliseconds. */
  mul: (a, b) => Number(a) * Number(b),
};

for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);

export const builtinHelpers = ["if", "unless", "each", "with", "lookup", "log"];
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
  let template: HandlebarsTemplateDelegate;
  let variables: TemplateVariable[];
  try {
    variables = templateUses(text).variables; // parses: syntax errors surface here, not at first render
    template = env.compile(text, compileOptions);
  } catch (error) {
    throw templateError(error, source);
  }
  const render: Renderer = (context) => {
    // Handlebars' strict mode misses helper arguments, #if and #each: check every root variable.
    const missing = variables.find((v) => context[v.name] === undefined);
    if (missing) throw failure(`${source}:${missing.line}:${missing.column}: template error: "${missing.name}" is not a question of the recipe nor a project fact`, "fix the template; `create-bot-snippet lint` checks every template");
    try {
      return template(context);
    } catch (error) {
      throw templateError(error, source);
    }
  };
  cache.set(key, render);
  return render;
}

function templateError(error: unknown, source: string) {
  const message = (error as Error).message ?? String(error);
  const line = /on line (\d+)/.exec(message)?.[1] ?? (error as { lineNumber?: number }).lineNumber;
  const lines = message.split("\n").map((l) => l.trim());
  const expecting = lines.find((l) => l.startsWith("Expecting"));
  const summary = expecting?.includes("got 'EOF'")
    ? "unexpected end of template (a {{#block}} is not closed)"
    : expecting
      ? expecting.replace(/^Expecting [^,]+(, [^,]+)*, got/, "unexpected")
      : (lines.find((l) => l !== "" && !/^Parse error on line/.test(l)) ?? message);
  return failure(
    `${source}${line ? `:${line}` : ""}: template error: ${summary.replace(/^Error:\s*/, "")}`,
    "fix the template; `create-bot-snippet lint` checks every template",
  );
}

export { env as handlebars };
