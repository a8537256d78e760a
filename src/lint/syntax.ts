import { ts } from "ts-morph";

/** The first syntax error of a TypeScript text, at an offset, or undefined when it parses. */
export function firstSyntaxError(path: string, text: string): { offset: number; message: string } | undefined {
  const key = `${path.endsWith("x") ? "x" : ""}\0${text}`;
  if (cache.has(key)) return cache.get(key);
  const result = parseError(path, text);
  if (cache.size > 2000) cache.clear();
  cache.set(key, result);
  return result;
}

const cache = new Map<string, { offset: number; message: string } | undefined>();

function parseError(path: string, text: string): { offset: number; message: string } | undefined {
  const kind = /\.[cm]?tsx$/.test(path) ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind);
  const diagnostics = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  if (!first) return undefined;
  return { offset: first.start, message: ts.flattenDiagnosticMessageText(first.messageText, " ") };
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNl = before.lastIndexOf("\n");
  return { line: before.split("\n").length, column: offset - lastNl };
}

/** Whether a target path is TypeScript (checked for syntax and types). */
export const isTsPath = (path: string) => /\.[cm]?tsx?$/.test(path) && !path.endsWith(".d.ts");
