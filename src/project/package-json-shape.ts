import { failure } from "../core/errors.js";

const dependencyFields = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"] as const;

const describe = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/**
 * Parses package.json text (a UTF-8 BOM is allowed) and checks its shape: an
 * object whose dependency fields are objects of names to version strings.
 * Anything else is refused with the path and the field, never reshaped.
 */
export function parsePackageJson(text: string, shown: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw failure(`${shown}: not valid JSON (${(error as Error).message})`, "fix package.json, then run again");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw failure(`${shown}: the top level is ${describe(data)}, not an object`, "fix package.json, then run again");
  }
  const pkg = data as Record<string, unknown>;
  for (const field of dependencyFields) {
    const value = pkg[field];
    if (value === undefined) continue;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw failure(`${shown}: "${field}" is ${describe(value)}, not an object of package names to versions`, "fix package.json, then run again");
    }
    for (const [name, version] of Object.entries(value)) {
      if (typeof version !== "string") throw failure(`${shown}: "${field}.${name}" is ${describe(version)}, not a version string`, "fix package.json, then run again");
    }
  }
  return pkg;
}
