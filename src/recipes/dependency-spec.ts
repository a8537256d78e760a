
import validRange from "semver/ranges/valid.js";

/**
 * The one check of a pack's dependency (used by `add`, `new` and `lint`
 * through the manifest validator): a valid npm package name, and a semver
 * range, never a `file:`, `git:`, URL, alias or tag, so nothing a pack says
 * can reach the package manager as a flag or a script.
 */
export function dependencyNameProblem(name: string): string | undefined {
  if (name.length > 214 || !/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(name)) return `"${name}" is not a valid npm package name`;
  return undefined;
}

export function dependencyRangeProblem(range: string): string | undefined {
  if (!/^[\w\s.^~<>=|*+-]+$/.test(range) || /^\s*-/.test(range) || validRange(range) === null) return `"${range}" is not a semver range such as ^1.2.0`;
  return undefined;
}

/**
 * A module specifier a pack writes into an import (`add-import`): a package
 * name with an optional subpath, `node:` built-ins, or a relative path;
 * nothing that could close the string literal it is written into.
 */
export function moduleSpecifierProblem(specifier: string): string | undefined {
  if (/^(node:)?[a-z0-9@][\w@./~-]*$/i.test(specifier) && !specifier.includes("..")) return undefined;
  if (/^\.{1,2}\/[\w@./~-]*$/.test(specifier)) return undefined;
  return `"${specifier}" is not a module specifier (a package name, node:…, or ./path)`;
}

/**
 * A `name@range` (or bare `name`) argument of an install command, checked
 * again where the package manager is started: whatever built the command, no
 * argument that is not a valid package name with a semver range reaches it
 * (nothing starting with `-`, no `file:`, URL or path).
 */
export function packageSpecProblem(spec: string): string | undefined {
  const at = spec.indexOf("@", 1);
  const name = at === -1 ? spec : spec.slice(0, at);
  return dependencyNameProblem(name) ?? (at === -1 ? undefined : dependencyRangeProblem(spec.slice(at + 1)));
}
