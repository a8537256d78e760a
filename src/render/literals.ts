/**
 * Turning answers into TypeScript source. Every function here returns text
 * that parses as TypeScript and evaluates to exactly the given value, whatever
 * it contains: quotes, backslashes, `${`, newlines, `*\/`, lone surrogates.
 */

/** A double-quoted string literal. JSON's escaping is a subset of JavaScript's. */
export function tsString(value: string, quote: '"' | "'" = '"'): string {
  const json = JSON.stringify(value);
  if (quote === '"') return json;
  // Swap the quote: unescape \" and escape '.
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** A literal for any JSON value (arrays and objects included). */
export function tsLiteral(value: unknown): string {
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(", ")}]`;
  if (typeof value === "string") return tsString(value);
  if (typeof value === "object" && value !== null) {
    // A `__proto__` key written plainly would set the prototype; a computed key defines the property.
    const key = (k: string) => (k === "__proto__" ? `[${tsString(k)}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? k : tsString(k));
    const entries = Object.entries(value).map(([k, v]) => `${key(k)}: ${tsLiteral(v)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}

/** Text safe inside a `/* … *\/` or `//` comment: no comment terminator, one line. */
export function commentText(value: string): string {
  return value.replace(/\*\//g, "*\\/").replace(/\r?\n|\r|\u2028|\u2029/g, " ");
}

/** `hello world-x` → `helloWorldX`, always a valid identifier. */
export function toCamelCase(value: string): string {
  const words = value.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const camel = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join("");
  const safe = camel === "" ? "value" : camel;
  return /^[0-9]/.test(safe) ? `_${safe}` : safe;
}

export function toPascalCase(value: string): string {
  const camel = toCamelCase(value);
  return camel.startsWith("_") ? camel : camel.charAt(0).toUpperCase() + camel.slice(1);
}
