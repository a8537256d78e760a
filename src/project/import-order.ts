import { builtinModules } from "node:module";
import { withParsed } from "../ast/parse.js";
import type { ImportRules } from "./import-rules.js";
import type { AliasSettings } from "./module-aliases.js";

// === Where a new import goes among the project's imports ===
//
// The groups of eslint-plugin-import's `import/order` (builtin, external,
// internal, parent, sibling, index), ranked by the project's configured
// `groups`, or, without the rule, packages, then aliases, then relative
// paths. A new import goes after the last import of its group or of an
// earlier one; a file whose imports are not in that order already is left
// as the engine writes it (after its last import).

type Group = "builtin" | "external" | "internal" | "parent" | "sibling" | "index";

const builtins = new Set(builtinModules);

/** The `import/order` group of a specifier. */
export function importGroup(specifier: string, aliases: AliasSettings): Group {
  if (specifier === "." || specifier === "./" || /^\.\/index(\.[cm]?[jt]s)?$/.test(specifier)) return "index";
  if (specifier.startsWith("../") || specifier === "..") return "parent";
  if (specifier.startsWith("./")) return "sibling";
  if (specifier.startsWith("node:") || builtins.has(specifier.split("/")[0]!)) return "builtin";
  if (specifier.startsWith("#")) return "internal";
  for (const alias of aliases.aliases) {
    const star = alias.pattern.indexOf("*");
    if (star === -1 ? specifier === alias.pattern : specifier.startsWith(alias.pattern.slice(0, star))) return "internal";
  }
  return "external";
}

/** The rank of a group: its index among the configured groups, else packages (0), aliases (1), relative paths (2). */
export function groupRank(group: Group, rules: ImportRules): number {
  if (rules.orderGroups) {
    const i = rules.orderGroups.findIndex((names) => names.includes(group));
    return i === -1 ? rules.orderGroups.length : i;
  }
  return group === "builtin" || group === "external" ? 0 : group === "internal" ? 1 : 2;
}

/** The rank function of a project: its aliases and import rules. */
export const importRank =
  (project: { aliases: AliasSettings; importRules: ImportRules }) =>
  (specifier: string): number =>
    groupRank(importGroup(specifier, project.aliases), project.importRules);

/**
 * Moves the import of `specifier` that `after` has and `before` did not (the
 * engine appended it after the last import) to where the file's import
 * order puts it. Unchanged when the file's other imports are not ordered by
 * group, or when the import is where it belongs.
 */
export function placeNewImport(path: string, before: string, after: string, specifier: string, rank: (specifier: string) => number): string {
  const count = (text: string) => withParsed(path, text, (sf) => sf.getImportDeclarations().length);
  if (count(after) !== count(before) + 1) return after;
  return withParsed(path, after, (sf) => {
    const decls = sf.getImportDeclarations();
    const ours = decls[decls.length - 1]!;
    if (ours.getModuleSpecifierValue() !== specifier) return after;
    const others = decls.slice(0, -1).map((d) => ({ decl: d, rank: rank(d.getModuleSpecifierValue()) }));
    if (others.some((o, i) => i > 0 && o.rank < others[i - 1]!.rank)) return after;
    const mine = rank(specifier);
    const lastFitting = others.filter((o) => o.rank <= mine).pop();
    if (lastFitting === others[others.length - 1]) return after;
    // Cut our line (with the line break before it) and put it after the last import of its group or an earlier one, or before the first.
    const start = ours.getFullStart();
    const end = ours.getEnd();
    const line = after.slice(ours.getStart(), end);
    const eol = after.includes("\r\n") ? "\r\n" : "\n";
    const without = after.slice(0, start) + after.slice(end);
    if (lastFitting) {
      const at = lastFitting.decl.getEnd();
      return `${without.slice(0, at)}${eol}${line}${without.slice(at)}`;
    }
    const first = others[0]!.decl.getStart();
    return `${without.slice(0, first)}${line}${eol}${without.slice(first)}`;
  });
}
