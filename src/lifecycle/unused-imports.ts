import { parseTolerant } from "../ast/parse.js";
import type { SourceFile, SyntaxNode } from "../ast/syntax/tree.js";

// === Imports a removal takes back, and those it must keep ===
//
// Undoing a recipe's hunks takes its imports back with them. A name it
// imported may be used elsewhere by then (another recipe, the user's own
// code): such a name stays imported; only names nothing uses go, and a
// declaration goes only when nothing of it is left.

export interface ImportBinding {
  module: string;
  /** The local name the file uses. */
  local: string;
  kind: "default" | "namespace" | "named";
  /** The specifier as written (`type Foo`, `a as b`), for named bindings. */
  text: string;
  /** `import type { … }`. */
  typeOnly: boolean;
}

const parse = parseTolerant;

function declarations(sf: SourceFile): SyntaxNode[] {
  return sf.getImportDeclarations().filter((d) => d.getModuleSpecifier()?.kind === "StringLiteral");
}

function bindingsOf(decl: SyntaxNode): ImportBinding[] {
  const module = decl.getModuleSpecifierValue();
  const clause = decl.getImportClause();
  if (!clause) return [];
  const typeOnly = clause.flags.typeOnly ?? false;
  const out: ImportBinding[] = [];
  const name = clause.field("name");
  if (name) out.push({ module, local: name.getText(), kind: "default", text: name.getText(), typeOnly });
  const named = clause.field("namedBindings");
  if (named?.kind === "NamespaceImport") out.push({ module, local: named.getNameNode().getText(), kind: "namespace", text: named.getNameNode().getText(), typeOnly });
  if (named?.kind === "NamedImports") for (const e of named.getElements()) out.push({ module, local: localOf(e), kind: "named", text: e.getText(), typeOnly });
  return out;
}

/** The local name of an import specifier (`b` of `a as b`). */
const localOf = (specifier: SyntaxNode): string => specifier.field("name")!.getText();

/** Every name a file's import declarations bind. */
export function importBindings(path: string, text: string): ImportBinding[] {
  return declarations(parse(path, text)).flatMap((d) => bindingsOf(d));
}

/**
 * The identifiers a file uses outside its import declarations: a member name
 * (`bot.errorBoundary`) or a property key (`{ rateLimit: 1 }`) is not a use
 * of an import of that name; a shorthand property (`{ rateLimit }`) is.
 */
export function usedNames(path: string, text: string): Set<string> {
  const sf = parse(path, text);
  const used = new Set<string>();
  const named = new Set(["PropertyAssignment", "PropertyDeclaration", "PropertySignature", "MethodDeclaration", "MethodSignature"]);
  const visit = (node: SyntaxNode): void => {
    if (node.kind === "ImportDeclaration") return;
    if (node.kind === "Identifier") {
      const parent = node.parent;
      const member =
        (parent?.kind === "PropertyAccessExpression" && parent.field("name") === node) ||
        (parent?.kind === "QualifiedName" && parent.field("right") === node) ||
        (parent !== undefined && named.has(parent.kind) && parent.field("name") === node);
      if (!member) used.add(node.getText());
    }
    for (const child of node.children()) visit(child);
  };
  visit(sf);
  return used;
}

const key = (b: ImportBinding) => `${b.module}\0${b.local}`;

/**
 * `after` is `before` with a recipe's hunks undone. Names those hunks took
 * out of the imports that `after` still uses are imported again: into a
 * declaration of the same module that is left, else in a declaration of
 * their own after the last import. Returns the text and the names kept.
 */
export function keepUsedImports(path: string, before: string, after: string): { text: string; kept: string[] } {
  if (!/\.[cm]?[jt]sx?$/.test(path)) return { text: after, kept: [] };
  const remaining = new Set(importBindings(path, after).map(key));
  const dropped = importBindings(path, before).filter((b) => !remaining.has(key(b)));
  if (dropped.length === 0) return { text: after, kept: [] };
  const used = usedNames(path, after);
  const keep = dropped.filter((b) => used.has(b.local));
  let text = after;
  for (const binding of keep) text = addBinding(path, text, binding, before);
  return { text, kept: keep.map((b) => b.local) };
}

/** Imports one binding again into `text`, in the style of the declaration it had in `from`. */
function addBinding(path: string, text: string, binding: ImportBinding, from: string): string {
  const sf = parse(path, text);
  const decls = declarations(sf);
  if (binding.kind === "named") {
    const target = decls.find((d) => d.getModuleSpecifierValue() === binding.module && (d.getImportClause()?.flags.typeOnly ?? false) === binding.typeOnly && d.getImportClause()?.field("namedBindings")?.kind === "NamedImports");
    const named = target?.getImportClause()?.field("namedBindings");
    if (named) {
      const elements = named.getElements();
      const last = elements[elements.length - 1];
      if (last) return text.slice(0, last.end) + `, ${binding.text}` + text.slice(last.end);
      return text.slice(0, named.start) + `{ ${binding.text} }` + text.slice(named.end);
    }
  }
  // A declaration of its own, written as the one it came from was (quotes, semicolon).
  const origin = parse(path, from);
  const source = declarations(origin).find((d) => bindingsOf(d).some((b) => key(b) === key(binding)));
  const spec = source ? source.getModuleSpecifier()!.getText() : JSON.stringify(binding.module);
  const semi = source ? source.getText().trimEnd().endsWith(";") : true;
  const clause = binding.kind === "default" ? binding.local : binding.kind === "namespace" ? `* as ${binding.local}` : `{ ${binding.text} }`;
  const line = `import ${binding.typeOnly ? "type " : ""}${clause} from ${spec}${semi ? ";" : ""}`;
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lastDecl = decls[decls.length - 1];
  if (!lastDecl) return line + eol + text;
  const at = lastDecl.end;
  return text.slice(0, at) + eol + line + text.slice(at);
}

/**
 * Takes named imports of `module` out of a file, except those the file
 * still uses; a declaration left with nothing is removed with its line.
 * For hunks that could not be undone whole (a later edit merged another
 * name into the same import line).
 */
export function removeImportNames(path: string, text: string, module: string, names: string[]): { text: string; removed: string[]; kept: string[] } {
  const sf = parse(path, text);
  const used = usedNames(path, text);
  const removed: string[] = [];
  const kept: string[] = [];
  const splices: Array<{ start: number; end: number; insert?: string }> = [];
  for (const decl of declarations(sf)) {
    if (decl.getModuleSpecifierValue() !== module) continue;
    const clause = decl.getImportClause();
    const named = clause?.field("namedBindings");
    if (!clause || named?.kind !== "NamedImports") continue;
    const elements = named.getElements();
    const goes = elements.filter((e) => names.includes(localOf(e)) && !used.has(localOf(e)));
    for (const e of elements) if (names.includes(localOf(e)) && used.has(localOf(e))) kept.push(localOf(e));
    if (goes.length === 0) continue;
    removed.push(...goes.map(localOf));
    const defaultName = clause.field("name");
    if (goes.length === elements.length && !defaultName) {
      // The whole declaration, with its line break.
      let end = decl.end;
      if (text.startsWith("\r\n", end)) end += 2;
      else if (text.startsWith("\n", end)) end += 1;
      splices.push({ start: decl.start, end });
      continue;
    }
    if (goes.length === elements.length) {
      // `import x, { a } from "m"` → `import x from "m"`.
      splices.push({ start: defaultName!.end, end: named.end });
      continue;
    }
    // The names left, joined as the declaration joins them (", " or one per line).
    const separator = elements.length > 1 ? text.slice(elements[0]!.end, elements[1]!.start) : ", ";
    const left = elements.filter((e) => !goes.includes(e)).map((e) => e.getText());
    splices.push({ start: elements[0]!.start, end: elements[elements.length - 1]!.end, insert: left.join(separator) });
  }
  let out = text;
  for (const s of splices.sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + (s.insert ?? "") + out.slice(s.end);
  return { text: out, removed, kept };
}

/** The names a hunk's lines import that its removed lines did not, by module (parsed from the lines alone). */
export function importsAddedBy(added: string[], removed: string[]): Map<string, string[]> {
  const before = new Set(importBindings("hunk.ts", removed.join("\n")).map(key));
  const out = new Map<string, string[]>();
  for (const b of importBindings("hunk.ts", added.join("\n"))) {
    if (before.has(key(b)) || b.kind !== "named") continue;
    out.set(b.module, [...(out.get(b.module) ?? []), b.local]);
  }
  return out;
}
