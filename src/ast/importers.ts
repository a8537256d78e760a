import { posix } from "node:path";

/**
 * The modules that reach the bot's module through imports, found by a text
 * scan (no parsing): the importers of a file are looked for only among
 * specifiers whose last segment could name it (`./bot`, `@/bot.js`, `./core`
 * for `core/index.ts`), from an index built once: the cost is one regular
 * expression per file and a few resolutions, whatever the size of the project.
 */
export interface BotImporters {
  /**
   * Modules a file can import the bot from: its own module and the barrels
   * that re-export it (`export * from "./bot"`, `export { bot } from "./bot"`),
   * transitively.
   */
  exporters: ReadonlySet<string>;
  /** Every module that imports the bot's module, directly, through a barrel or through another importer. */
  importers: ReadonlySet<string>;
  /** Whether module `a` imports module `b`, transitively, so that `b` runs before `a`. */
  imports: (a: string, b: string) => boolean;
}

interface Reference {
  specifier: string;
  /** `export * from` / `export { … } from`: a re-export. */
  reexport: boolean;
}

/** `import … from "x"`, `export … from "x"`, `import "x"`, `import("x")`, `require("x")`. */
const referencePattern = /\b(import|export)\s+(?:type\s+)?[^;'"`]*?\bfrom\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']|\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g;

function references(text: string): Reference[] {
  const out: Reference[] = [];
  for (const m of text.matchAll(referencePattern)) {
    const specifier = m[2] ?? m[3] ?? m[4];
    if (specifier !== undefined) out.push({ specifier, reexport: m[1] === "export" });
  }
  return out;
}

/** The last segments a specifier naming `file` can end with: `bot` for `src/bot.ts`, `core` too for `src/core/index.ts`. */
function stemsOf(file: string): Set<string> {
  const base = posix.basename(file).replace(/\.(m|c)?tsx?$/, "");
  const stems = new Set([base]);
  if (base === "index") stems.add(posix.basename(posix.dirname(file)));
  return stems;
}

function lastSegment(specifier: string): string {
  return (specifier.split("/").pop() ?? "").replace(/\.(m|c)?[jt]sx?$/, "");
}

/**
 * Finds the importers of `botFile` among `texts` (project-relative paths to
 * file contents). `resolve(from, specifier)` names the project file a
 * specifier points at (relative, or through the project's aliases).
 */
export function findBotImporters(texts: ReadonlyMap<string, string>, botFile: string, resolve: (from: string, specifier: string) => string | undefined): BotImporters {
  // A file's references are read only when its text names the target's stem (`bot` of `./bot.js`) or a
  // folder specifier (`"."`, `"../"`): on a large repo most files are never matched against the pattern.
  const refs = new Map<string, Reference[]>();
  const referencesOf = (file: string, text: string): Reference[] => {
    let found = refs.get(file);
    if (!found) refs.set(file, (found = /\b(?:from|import|require)\b/.test(text) ? references(text) : []));
    return found;
  };
  const folderSpecifier = (text: string) => /["']\.\.?\/?["']/.test(text);
  /** Files that import `target`, and whether each re-exports it. */
  const importersOf = (target: string): Array<{ file: string; reexport: boolean }> => {
    const stems = [...stemsOf(target)];
    const found = new Map<string, boolean>();
    for (const [file, text] of texts) {
      if (file === target || !(stems.some((stem) => text.includes(stem)) || folderSpecifier(text))) continue;
      for (const ref of referencesOf(file, text)) {
        const last = lastSegment(ref.specifier);
        if (!(last === "." || last === ".." || last === "" || stems.includes(last))) continue;
        if (resolve(file, ref.specifier) !== target) continue;
        found.set(file, (found.get(file) ?? false) || ref.reexport);
      }
    }
    return [...found].map(([file, reexport]) => ({ file, reexport }));
  };

  const exporters = new Set([botFile]);
  const importers = new Set<string>();
  const importedBy = new Map<string, Set<string>>();
  const queue = [botFile];
  while (queue.length > 0) {
    const target = queue.shift()!;
    for (const { file, reexport } of importersOf(target)) {
      let by = importedBy.get(target);
      if (!by) importedBy.set(target, (by = new Set()));
      by.add(file);
      if (exporters.has(target) && reexport) exporters.add(file);
      if (importers.has(file) || file === botFile) continue;
      importers.add(file);
      queue.push(file);
    }
  }
  const imports = (a: string, b: string): boolean => {
    const seen = new Set<string>();
    const stack = [b];
    while (stack.length > 0) {
      for (const by of importedBy.get(stack.pop()!) ?? []) {
        if (by === a) return true;
        if (!seen.has(by)) {
          seen.add(by);
          stack.push(by);
        }
      }
    }
    return false;
  };
  return { exporters, importers, imports };
}
