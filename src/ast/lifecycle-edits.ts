import { Node, SyntaxKind, type CallExpression, type SourceFile, type Statement } from "./syntax/tree.js";
import type { CodeStyle } from "../project/code-style.js";
import { withParsed } from "./parse.js";
import { applySplices, findStartCalls, sameCode, type Splice } from "./text-edits.js";

// === Code that runs when the bot starts and when it has stopped ===
//
// A pure edit of one file, like those in text-edits.ts: it finds where the
// file starts the bot (`bot.start(…)`, `await bot.start(…)`, runner's
// `run(bot)`, or a recipe's start function such as `startBot(bot)`) and
// places a statement before it (start) or after the bot has stopped (stop):
// after an awaited start, which resolves once the bot has stopped, or else
// in the file's SIGINT/SIGTERM handlers, after the call that stops the bot.

export interface LifecycleRequest {
  when: "start" | "stop";
  /** The statement, rendered for the expression holding the bot at the call site, without a trailing semicolon. May contain `await`. */
  codeFor: (receiver: string) => string;
  /** Whether an expression at a call site holds the bot (see `bindsBot`). */
  isBot: (receiver: string, sf: SourceFile) => boolean;
  /**
   * Functions that start the bot and resolve once it has stopped (a recipe's
   * `startBot`): exported name → the file name it is imported from (`server-lifecycle`).
   */
  starters: ReadonlyMap<string, string>;
  /** Where this statement sorts among the start or stop statements of other recipes. */
  key: number;
  /** The sort key of a statement earlier runs placed, undefined for the user's own statements. */
  keyOf: (statement: string) => number | undefined;
  /** Whether `await` may stand at the top level of this file. */
  topLevelAwait: boolean;
}

export type LifecycleResult =
  | { status: "placed"; text: string }
  | { status: "present" }
  /** No start call in the file. */
  | { status: "none" }
  /** A start call, but no place the engine can write to. */
  | { status: "manual"; line: number; reason: string };

function endOfLine(text: string, pos: number): number {
  const nl = text.indexOf("\n", pos);
  if (nl === -1) return text.length;
  return text[nl - 1] === "\r" ? nl - 1 : nl;
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

function indentAt(text: string, pos: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, pos)))![0];
}

const awaits = (code: string) => /(^|[^\w$.])await\b/.test(code);

type FunctionNode = Node & { isAsync(): boolean };

function enclosingFunction(node: Node): FunctionNode | undefined {
  return node.getFirstAncestor((a) => Node.isArrowFunction(a) || Node.isFunctionDeclaration(a) || Node.isFunctionExpression(a) || Node.isMethodDeclaration(a)) as FunctionNode | undefined;
}

interface StartSite {
  call: CallExpression;
  /** The statement the call is part of, in a block or at the top level. */
  statement: Statement;
  /** `await start(…);`: the statement ends once the bot has stopped. */
  awaited: boolean;
  /** `start(…);` or `void start(…);` alone. */
  plain: boolean;
  /** `run`: runner's `run(bot)`, which returns a handle, not a promise that ends with the bot. */
  kind: "start" | "run" | "starter";
  /** `const handle = run(bot)`: the name of what the call returned. */
  handle?: string;
  receiver: string;
}

/** Where the bot is started in a file, with the statement around each start. */
function startSites(path: string, sf: SourceFile, text: string, isBot: LifecycleRequest["isBot"], starters: ReadonlyMap<string, string>): StartSite[] {
  const found: Array<{ start: number; end: number; receiver: string; kind: StartSite["kind"] }> = findStartCalls(path, text, isBot).map((c) => ({ start: c.start, end: c.end, receiver: c.receiver, kind: c.kind }));
  // A recipe's start function imported here: `startBot(bot, …)`.
  const starterLocals = new Set<string>();
  for (const decl of sf.getImportDeclarations()) {
    const specifier = decl.getModuleSpecifierValue();
    for (const n of decl.getNamedImports()) {
      const stem = starters.get(n.getName());
      // The recipe's file, not a function of the same name of the user's own (`import { startBot } from "./bot"`).
      if (stem !== undefined && specifier.replace(/\.[cm]?[jt]s$/, "").endsWith(`/${stem}`)) starterLocals.add(n.getAliasNode()?.getText() ?? n.getName());
    }
  }
  const calls = sf.getDescendantsOfKind(SyntaxKind.CallExpression);
  for (const call of calls) {
    const callee = call.getExpression();
    const first = call.getArguments()[0];
    if (Node.isIdentifier(callee) && starterLocals.has(callee.getText()) && first && isBot(first.getText(), sf)) {
      found.push({ start: call.getStart(), end: call.getEnd(), receiver: first.getText(), kind: "starter" });
    }
  }
  const sites: StartSite[] = [];
  for (const f of found) {
    const call = calls.find((c) => c.getStart() === f.start && c.getEnd() === f.end);
    if (!call) continue;
    let node: Node = call;
    let parent = node.getParentOrThrow();
    const awaited = Node.isAwaitExpression(parent);
    if (awaited || Node.isVoidExpression(parent)) {
      node = parent;
      parent = node.getParentOrThrow();
    }
    let statement: Statement | undefined;
    let handle: string | undefined;
    if (Node.isExpressionStatement(parent)) statement = parent;
    else if (Node.isVariableDeclaration(parent) && parent.getInitializer() === node) {
      handle = Node.isIdentifier(parent.getNameNode()) ? parent.getName() : undefined;
      statement = parent.getVariableStatement();
    }
    const container = statement?.getParent();
    if (!statement || !container || !(Node.isBlock(container) || Node.isSourceFile(container))) {
      // `bot.start().catch(…)`, `if (x) bot.start()`: no statement of its own the engine can write around.
      sites.push({ call, statement: call.getFirstAncestor((a) => Node.isStatement(a)) as Statement, awaited: false, plain: false, kind: f.kind, receiver: f.receiver });
      continue;
    }
    sites.push({ call, statement, awaited: awaited && Node.isExpressionStatement(parent), plain: Node.isExpressionStatement(parent) && !awaited, kind: f.kind, ...(handle !== undefined && { handle }), receiver: f.receiver });
  }
  return sites.sort((a, b) => a.call.getStart() - b.call.getStart());
}

function inAsyncContext(node: Node, topLevelAwait: boolean): boolean {
  const fn = enclosingFunction(node);
  return fn === undefined ? topLevelAwait : fn.isAsync();
}

function statementsOf(container: Node): Statement[] {
  return Node.isBlock(container) || Node.isSourceFile(container) ? container.getStatements() : [];
}

/**
 * Where a new statement goes among the start or stop statements of other
 * recipes next to `anchor`: a run of statements with a key, kept sorted.
 * `after`: the run follows the anchor (stop code); else it precedes it (start code).
 */
function insertionPoint(siblings: Statement[], anchorIndex: number, after: boolean, req: LifecycleRequest): { before?: Statement; after?: Statement } {
  if (after) {
    let last: Statement = siblings[anchorIndex]!;
    for (let i = anchorIndex + 1; i < siblings.length; i++) {
      const key = req.keyOf(siblings[i]!.getText());
      if (key === undefined) break;
      if (key > req.key) return { before: siblings[i]! };
      last = siblings[i]!;
    }
    return { after: last };
  }
  let first = anchorIndex;
  while (first > 0 && req.keyOf(siblings[first - 1]!.getText()) !== undefined) first--;
  for (let i = first; i < anchorIndex; i++) if (req.keyOf(siblings[i]!.getText())! > req.key) return { before: siblings[i]! };
  return { before: siblings[anchorIndex]! };
}

function statementSplice(text: string, point: { before?: Statement; after?: Statement }, line: string, style: CodeStyle): Splice {
  if (point.after) {
    const at = endOfLine(text, point.after.getEnd());
    return { at, insert: `${style.eol}${indentAt(text, point.after.getStart())}${line}` };
  }
  const start = point.before!.getStart();
  return { at: lineStart(text, start), insert: `${indentAt(text, start)}${line}${style.eol}` };
}

const present = (siblings: Statement[], code: string) => siblings.some((s) => sameCode(s.getText(), code));

/** The process signal handlers of a file: the functions passed to `process.on/once("SIGINT" | "SIGTERM", …)`. */
function signalHandlers(sf: SourceFile): Node[] {
  const out: Node[] = [];
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getExpression().getText() !== "process") continue;
    if (!["on", "once", "addListener", "prependListener", "prependOnceListener"].includes(callee.getName())) continue;
    const [signal, handler] = call.getArguments();
    if (!signal || !handler || !Node.isStringLiteral(signal) || !["SIGINT", "SIGTERM"].includes(signal.getLiteralValue())) continue;
    let fn: Node | undefined = handler;
    if (Node.isIdentifier(handler)) {
      // `process.once("SIGINT", shutdown)`: a function or arrow declared in this file.
      const name = handler.getText();
      fn = sf.getFunction(name) ?? sf.getVariableDeclaration(name)?.getInitializer();
    }
    if (fn && (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isFunctionDeclaration(fn)) && !out.includes(fn)) out.push(fn);
  }
  return out;
}

/**
 * Places the code before the start of the bot (start) or where the bot
 * has stopped (stop), in every place the file starts it.
 */
export function placeLifecycleCode(path: string, text: string, req: LifecycleRequest, style: CodeStyle): LifecycleResult {
  return withParsed(path, text, (sf) => {
    const sites = startSites(path, sf, text, req.isBot, req.starters);
    if (sites.length === 0) return { status: "none" };
    const semi = style.semicolons ? ";" : "";
    const splices: Splice[] = [];
    let isPresent = false;
    let problem: { line: number; reason: string } | undefined;

    if (req.when === "start") {
      for (const site of sites) {
        const code = req.codeFor(site.receiver);
        const line = `${code}${semi}`;
        const container = site.statement.getParent();
        const siblings = container ? statementsOf(container) : [];
        const index = siblings.indexOf(site.statement);
        if (index === -1) {
          problem ??= { line: site.call.getStartLineNumber(), reason: "the bot is started inside an expression; run this right before it starts" };
          continue;
        }
        if (present(siblings.slice(0, index), code)) {
          isPresent = true;
          continue;
        }
        if (!awaits(code) || inAsyncContext(site.statement, req.topLevelAwait)) {
          splices.push(statementSplice(text, insertionPoint(siblings, index, false, req), line, style));
        } else if (site.plain) {
          // `bot.start();` where `await` cannot stand: both run in an async function, in order.
          const indent = indentAt(text, site.statement.getStart());
          const started = site.statement.getText().replace(/^void\s+/, "");
          const body = [line, started.endsWith(";") || !style.semicolons ? started : `${started};`].map((l) => `${indent}${style.indent}${l}`).join(style.eol);
          splices.push({ at: site.statement.getStart(), remove: site.statement.getWidth(), insert: `void (async () => {${style.eol}${body}${style.eol}${indent}})()${semi}` });
        } else {
          problem ??= { line: site.call.getStartLineNumber(), reason: "this code awaits, and the bot is started where `await` cannot stand; run it right before the bot starts" };
        }
      }
    } else {
      const pending: StartSite[] = [];
      for (const site of sites) {
        const container = site.statement.getParent();
        const siblings = container ? statementsOf(container) : [];
        const index = siblings.indexOf(site.statement);
        const code = req.codeFor(site.receiver);
        const line = `${code}${semi}`;
        if (site.awaited && index !== -1) {
          if (present(siblings.slice(index + 1), code)) isPresent = true;
          else splices.push(statementSplice(text, insertionPoint(siblings, index, true, req), line, style));
        } else {
          pending.push(site);
        }
      }
      // A recipe's start function stops the bot on SIGINT/SIGTERM itself and resolves once it has
      // (server-lifecycle's startBot, whichever way it serves the bot): its end is the place, not the user's handlers.
      const starter = pending.some((s) => s.kind === "starter" && s.plain);
      if (pending.length > 0 && splices.length === 0 && !isPresent) {
        // Not awaited: the code goes into the signal handlers, after the call that stops the bot.
        const stoppers = new Set(pending.flatMap((s) => [s.receiver, ...(s.handle !== undefined ? [s.handle] : [])]));
        const isStopCall = (call: CallExpression) => {
          const callee = call.getExpression();
          if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== "stop") return false;
          const receiver = callee.getExpression().getText();
          return stoppers.has(receiver) || req.isBot(receiver, sf);
        };
        const code = req.codeFor(pending[0]!.receiver);
        const line = `${code}${semi}`;
        let handled = 0;
        for (const fn of starter ? [] : signalHandlers(sf)) {
          const stopCall = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find(isStopCall);
          if (!stopCall || !(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isFunctionDeclaration(fn))) continue;
          handled++;
          const body = fn.getBody();
          if (!body) continue;
          const asyncSplice: Splice[] = fn.isAsync() ? [] : [{ at: fn.getStart(), insert: "async " }];
          if (!Node.isBlock(body)) {
            // `() => bot.stop()`, `() => void bot.stop()`: a body that awaits the stop, then runs the code.
            const indent = indentAt(text, fn.getStart());
            let expr: Node = body;
            if (Node.isVoidExpression(expr) || Node.isAwaitExpression(expr)) expr = expr.getExpression();
            if (Node.isParenthesizedExpression(expr)) expr = expr.getExpression();
            const simple = Node.isCallExpression(expr) || Node.isPropertyAccessExpression(expr) || Node.isIdentifier(expr);
            const stop = `await ${simple ? expr.getText() : `(${expr.getText()})`}${semi}`;
            const lines = [stop, line].map((l) => `${indent}${style.indent}${l}`).join(style.eol);
            splices.push(...asyncSplice, { at: body.getStart(), remove: body.getWidth(), insert: `{${style.eol}${lines}${style.eol}${indent}}` });
            continue;
          }
          const siblings = body.getStatements();
          const index = siblings.findIndex((s) => s.getStart() <= stopCall.getStart() && stopCall.getEnd() <= s.getEnd());
          const statement = siblings[index];
          if (!statement) continue;
          if (present(siblings.slice(index + 1), code)) {
            isPresent = true;
            continue;
          }
          splices.push(...asyncSplice);
          // The stop call's statement awaits it: `bot.stop();` and `void bot.stop();` become `await bot.stop();`.
          if (Node.isExpressionStatement(statement)) {
            const expr = statement.getExpression();
            if (Node.isVoidExpression(expr)) splices.push({ at: expr.getStart(), remove: "void".length, insert: "await" });
            else if (!Node.isAwaitExpression(expr)) splices.push({ at: expr.getStart(), insert: "await " });
          } else if (!Node.isAwaitExpression(stopCall.getParent())) {
            splices.push({ at: stopCall.getStart(), insert: "await " });
          }
          splices.push(statementSplice(text, insertionPoint(siblings, index, true, req), line, style));
        }
        if (handled === 0 && !isPresent) {
          // No handler stops it here. A recipe's start function handles the signals
          // itself and its promise ends with the bot: the code runs after it, awaited
          // in an async function of its own (or in the one the start code was put in).
          for (const site of pending) {
            if (!site.plain || site.kind === "run" || (starter && site.kind !== "starter")) continue;
            const indent = indentAt(text, site.statement.getStart());
            const call = site.call.getText();
            const container = site.statement.getParent();
            const siblings = container ? statementsOf(container) : [];
            const own = ownAsyncWrapper(site.statement, siblings);
            // A plain `bot.start()` with nothing that stops it on a signal: the user decides (a manual step).
            if (site.kind !== "starter" && !own) continue;
            if (own) {
              // The wrapper the start code was put in: the start becomes awaited in it.
              const expr = (site.statement as Statement & { getExpression(): Node }).getExpression();
              splices.push({ at: expr.getStart(), remove: expr.getWidth(), insert: `await ${call}` });
              splices.push(statementSplice(text, { after: site.statement }, line, style));
              continue;
            }
            const body = [`await ${call}${semi}`, line].map((l) => `${indent}${style.indent}${l}`).join(style.eol);
            splices.push({ at: site.statement.getStart(), remove: site.statement.getWidth(), insert: `void (async () => {${style.eol}${body}${style.eol}${indent}})()${semi}` });
          }
        }
        if (handled === 0 && !isPresent && splices.length === 0) {
          problem = { line: pending[0]!.call.getStartLineNumber(), reason: "the bot is started without `await` and no SIGINT/SIGTERM handler stops it here; run this once the bot has stopped (after `await bot.stop()`)" };
        }
      }
    }
    if (splices.length > 0) return { status: "placed", text: applySplices(text, dedupe(splices)) };
    if (isPresent) return { status: "present" };
    return { status: "manual", ...(problem ?? { line: sites[0]!.call.getStartLineNumber(), reason: "no place was found to run this" }) };
  });
}

/**
 * Whether a plain start statement is the last one of the wrapper the start
 * op writes in CommonJS, `void (async () => { …; bot.start(); })();`.
 */
function ownAsyncWrapper(statement: Statement, siblings: Statement[]): boolean {
  if (siblings[siblings.length - 1] !== statement) return false;
  const block = statement.getParent();
  const fn = block?.getParent();
  if (!block || !Node.isBlock(block) || !fn || !Node.isArrowFunction(fn) || !fn.isAsync() || fn.getParameters().length > 0) return false;
  const paren = fn.getParent();
  const call = paren?.getParent();
  return paren !== undefined && Node.isParenthesizedExpression(paren) && call !== undefined && Node.isCallExpression(call) && call.getArguments().length === 0 && Node.isVoidExpression(call.getParent());
}

/** One `async ` per function, even when two signals share a handler. */
function dedupe(splices: Splice[]): Splice[] {
  const seen = new Set<string>();
  return splices.filter((s) => {
    const key = `${s.at}:${s.remove ?? 0}:${s.insert}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
