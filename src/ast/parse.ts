import { Project, ts, type SourceFile } from "ts-morph";
import { failure } from "../core/errors.js";

// One in-memory project for the whole run: nothing is read from disk by the
// compiler, no tsconfig is loaded, imports are never resolved. Parsing a file
// costs the same whether the user's repo has ten files or five thousand.
let project: Project | undefined;
let counter = 0;

function getProject(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    skipFileDependencyResolution: true,
    compilerOptions: { allowJs: true, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.Preserve },
  });
  return project;
}

/**
 * Parses TypeScript text. `path` is used for messages and to pick TS/TSX.
 * Throws a one-line CliError at `path:line:column` when the text has a syntax
 * error, so nothing is planned on a file the engine does not understand.
 */
export function parseTs(path: string, text: string): SourceFile {
  const ext = /\.[cm]?tsx$/.test(path) ? ".tsx" : /\.[cm]?[jt]s$/.test(path) ? path.slice(path.lastIndexOf(".")) : ".ts";
  const sf = getProject().createSourceFile(`/f${counter++}${ext}`, text, { overwrite: true });
  const diagnostics = (sf.compilerNode as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  if (first) {
    const { line, character } = sf.compilerNode.getLineAndCharacterOfPosition(first.start);
    forget(sf);
    throw failure(
      `${path}:${line + 1}:${character + 1}: cannot parse: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}`,
      "fix the syntax error (or pass --entry to point at another file); nothing was written",
    );
  }
  return sf;
}

/** Drops a parsed file from the in-memory project. */
export function forget(sf: SourceFile): void {
  getProject().removeSourceFile(sf);
}

/** Parses, runs `fn`, and always releases the file. */
export function withParsed<T>(path: string, text: string, fn: (sf: SourceFile) => T): T {
  const sf = parseTs(path, text);
  try {
    return fn(sf);
  } finally {
    forget(sf);
  }
}

export { ts };
