import { Node, SyntaxKind, type SourceFile } from "./syntax/tree.js";
import { withParsed } from "./parse.js";

/** A place where a project sets how the bot handles errors. */
export interface ErrorHandlerCall {
  /** `bot.catch(handler)`, or `bot.errorBoundary(handler, …middleware)`. */
  kind: "catch" | "boundary";
  /** The expression holding the bot (`bot`, `this`, `app`). */
  receiver: string;
  line: number;
  /** The whole call as written. */
  text: string;
  /** The handler argument as written, and where it stands in the file. */
  handler?: { text: string; start: number; end: number };
  /**
   * The function that handles errors: the handler when it is a name, or the
   * function an arrow hands the error to (`(err) => handleBotError(err, …)`),
   * with the module it is imported from, if it is.
   */
  head?: { name: string; from?: string };
}

/**
 * Every `x.catch(…)` and `x.errorBoundary(…)` in a file where `x` holds the
 * bot (`isBot` decides, as for start calls). `promise.catch(…)` is not one:
 * its receiver does not hold the bot.
 */
export function findErrorHandlerCalls(path: string, text: string, isBot: (receiver: string, sf: SourceFile) => boolean): ErrorHandlerCall[] {
  return withParsed(path, text, (sf) => {
    const out: ErrorHandlerCall[] = [];
    for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (!Node.isPropertyAccessExpression(callee)) continue;
      const name = callee.getName();
      if (name !== "catch" && name !== "errorBoundary") continue;
      const holder = callee.getExpression();
      if (!(Node.isIdentifier(holder) || holder.getKind() === SyntaxKind.ThisKeyword || (Node.isPropertyAccessExpression(holder) && /^[\w$.]+$/.test(holder.getText())))) continue;
      const receiver = holder.getText();
      if (!isBot(receiver, sf)) continue;
      const arg = call.getArguments()[0];
      let headNode: Node | undefined = arg;
      if (arg && Node.isArrowFunction(arg)) {
        const body = arg.getBody();
        const inner = Node.isCallExpression(body) ? body : Node.isAwaitExpression(body) && Node.isCallExpression(body.getExpression()) ? body.getExpression() : undefined;
        headNode = inner && Node.isCallExpression(inner) ? inner.getExpression() : undefined;
      }
      const headName = headNode && Node.isIdentifier(headNode) ? headNode.getText() : undefined;
      const from = headName === undefined ? undefined : sf.getImportDeclarations().find((d) => d.getNamedImports().some((n) => (n.getAliasNode()?.getText() ?? n.getName()) === headName))?.getModuleSpecifierValue();
      out.push({
        kind: name === "catch" ? "catch" : "boundary",
        receiver,
        line: call.getStartLineNumber(),
        text: call.getText(),
        ...(arg && { handler: { text: arg.getText(), start: arg.getStart(), end: arg.getEnd() } }),
        ...(headName !== undefined && { head: { name: headName, ...(from !== undefined && { from }) } }),
      });
    }
    return out;
  });
}

/**
 * Removes `names` from the named imports of `specifiers` when nothing else
 * in the file uses them (an import an earlier op added for code that ended up
 * elsewhere, or nowhere); the whole declaration goes when it empties. `false`
 * when there is nothing to remove.
 */
export function dropUnusedNamedImports(path: string, text: string, specifiers: string[], names: string[]): string | false {
  return withParsed(path, text, (sf) => {
    const removals: Array<{ start: number; end: number }> = [];
    for (const decl of sf.getImportDeclarations()) {
      if (!specifiers.includes(decl.getModuleSpecifierValue())) continue;
      const elements = decl.getNamedImports();
      const unused = elements.filter((e) => {
        if (!names.includes(e.getName())) return false;
        const local = e.getAliasNode()?.getText() ?? e.getName();
        // A reference, not the name of a member (`bot.errorBoundary(…)`) nor the import itself.
        const refersTo = (id: Node) => {
          const parent = id.getParent();
          if (parent && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id) return false;
          return !id.getFirstAncestorByKind(SyntaxKind.ImportDeclaration);
        };
        return !sf.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === local && refersTo(id));
      });
      if (unused.length === 0) continue;
      if (unused.length === elements.length && !decl.getDefaultImport() && !decl.getNamespaceImport()) {
        // The whole line, with its line break.
        let end = decl.getEnd();
        if (text[end] === "\r") end++;
        if (text[end] === "\n") end++;
        removals.push({ start: decl.getStart(), end });
        continue;
      }
      for (const e of unused) {
        // The element and the comma (and space) that separates it from its neighbour.
        const index = elements.indexOf(e);
        const start = index === 0 ? e.getStart() : elements[index - 1]!.getEnd();
        const end = index === 0 ? (elements[1]?.getStart() ?? e.getEnd()) : e.getEnd();
        removals.push({ start, end });
      }
    }
    if (removals.length === 0) return false;
    let out = text;
    for (const r of removals.sort((a, b) => b.start - a.start)) out = out.slice(0, r.start) + out.slice(r.end);
    return out;
  });
}
