import { commentText, toCamelCase, toPascalCase, tsLiteral, tsString } from "./literals.js";

type HelperArgs = unknown[];
const values = (args: HelperArgs) => args.slice(0, -1); // the last argument is handlebars' options object

/** The helpers every recipe template may use (the whole list: anything else is an error). */
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

/** Handlebars' own block helpers, allowed as well. */
export const builtinHelpers = ["if", "unless", "each", "with", "lookup", "log"];
