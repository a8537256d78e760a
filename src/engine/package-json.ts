import type { DependencyChange } from "./plan-types.js";

/** The major version a range allows (`^1.2.0` → 1, `~0.1.1` → 0.1, `1.x` → 1), or undefined for anything fancier. */
function majorOf(range: string): string | undefined {
  const m = /^[\^~>=v\s]*(\d+)(?:\.(\d+))?/.exec(range.trim());
  if (!m) return undefined;
  return m[1] === "0" && m[2] !== undefined ? `0.${m[2]}` : m[1];
}

/**
 * Adds dependencies to package.json text, keeping its indentation, line
 * endings and key order (new keys are inserted alphabetically, as npm does).
 * A dependency already present is never changed: same major → present, a
 * different major → reported as a conflict for the user to resolve.
 */
export function addDependencies(
  text: string,
  wanted: Array<{ name: string; version: string; dev?: boolean }>,
): { text: string; results: DependencyChange[] } {
  const pkg = JSON.parse(text.replace(/^\uFEFF/, "")) as Record<string, unknown>;
  const results: DependencyChange[] = [];
  let changed = false;
  for (const dep of wanted) {
    const existing =
      (pkg.dependencies as Record<string, string> | undefined)?.[dep.name] ??
      (pkg.devDependencies as Record<string, string> | undefined)?.[dep.name] ??
      (pkg.peerDependencies as Record<string, string> | undefined)?.[dep.name];
    const dev = dep.dev === true;
    if (existing !== undefined) {
      const a = majorOf(existing);
      const b = majorOf(dep.version);
      const compatible = a === undefined || b === undefined || a === b || /^(\*|latest|workspace:|file:|link:|github:|git)/.test(existing);
      results.push({ name: dep.name, version: dep.version, dev, status: compatible ? "present" : "conflict", existing });
      continue;
    }
    const field = dev ? "devDependencies" : "dependencies";
    const section = { ...((pkg[field] as Record<string, string> | undefined) ?? {}), [dep.name]: dep.version };
    pkg[field] = Object.fromEntries(Object.entries(section).sort(([a], [b]) => a.localeCompare(b)));
    results.push({ name: dep.name, version: dep.version, dev, status: "added" });
    changed = true;
  }
  if (!changed) return { text, results };
  return { text: serializePackageJson(text, pkg), results };
}

/**
 * Raises the ranges of packages package.json already names (`--upgrade`),
 * in the section that names them, keeping indentation and line endings;
 * a package it does not name is added to `dependencies`.
 */
export function upgradeDependencies(text: string, upgrades: Array<{ name: string; range: string }>): { text: string; results: DependencyChange[] } {
  const pkg = JSON.parse(text.replace(/^\uFEFF/, "")) as Record<string, unknown>;
  const results: DependencyChange[] = [];
  for (const { name, range } of upgrades) {
    const field = ["dependencies", "devDependencies", "optionalDependencies"].find((f) => (pkg[f] as Record<string, string> | undefined)?.[name] !== undefined) ?? "dependencies";
    const section = { ...((pkg[field] as Record<string, string> | undefined) ?? {}) };
    const existing = section[name];
    if (existing === range) continue;
    section[name] = range;
    pkg[field] = existing === undefined ? Object.fromEntries(Object.entries(section).sort(([a], [b]) => a.localeCompare(b))) : section;
    results.push({ name, version: range, dev: field === "devDependencies", status: "upgraded", ...(existing !== undefined && { existing }) });
  }
  if (results.length === 0) return { text, results };
  return { text: serializePackageJson(text, pkg), results };
}

/** package.json text in the style of the original: its indent, line endings (CRLF, LF or CR), final newline and BOM. */
export function serializePackageJson(original: string, pkg: Record<string, unknown>): string {
  const indent = /^[ \t]+(?=")/m.exec(original)?.[0] ?? "  ";
  const eol = original.includes("\r\n") ? "\r\n" : original.includes("\r") && !original.includes("\n") ? "\r" : "\n";
  const trailing = /[\r\n]$/.test(original) ? eol : "";
  const bom = original.startsWith("\uFEFF") ? "\uFEFF" : "";
  return bom + JSON.stringify(pkg, null, indent).replace(/\n/g, eol) + trailing;
}

/**
 * Takes dependencies out of package.json text, keeping its indentation, line
 * endings, final newline and key order (the inverse of `addDependencies`); a
 * section left empty goes with them.
 */
export function removeDependencies(text: string, deps: Array<{ name: string; dev: boolean }>): { text: string; removed: Array<{ name: string; dev: boolean }> } {
  const pkg = JSON.parse(text.replace(/^\uFEFF/, "")) as Record<string, unknown>;
  const removed: Array<{ name: string; dev: boolean }> = [];
  for (const dep of deps) {
    const fields = dep.dev ? ["devDependencies", "dependencies"] : ["dependencies", "devDependencies"];
    const field = fields.find((f) => (pkg[f] as Record<string, string> | undefined)?.[dep.name] !== undefined);
    if (!field) continue;
    const section = { ...(pkg[field] as Record<string, string>) };
    delete section[dep.name];
    if (Object.keys(section).length === 0) delete pkg[field];
    else pkg[field] = section;
    removed.push({ name: dep.name, dev: field === "devDependencies" });
  }
  if (removed.length === 0) return { text, removed };
  return { text: serializePackageJson(text, pkg), removed };
}
