/**
 * What `lint` finds: one problem at a file, line and column, with what to do.
 * The lint code only returns these; `src/commands/lint.ts` prints them.
 */
export interface LintDiagnostic {
  /** Path of the file, relative to the folder lint ran in (`templates/x/recipe.json`). */
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning";
  /** The check that found it: `manifest`, `template`, `render`, `syntax`, `typecheck`, `test`. */
  check: LintCheck;
  /** The recipe (`pack/id` or its folder name). */
  recipe: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}

export type LintCheck = "manifest" | "template" | "render" | "syntax" | "typecheck" | "test";

export interface LintReport {
  diagnostics: LintDiagnostic[];
  /** Recipe folders linted. */
  recipes: number;
  /** Answer combinations rendered (all recipes). */
  combinations: number;
  /** Milliseconds per stage, for the curious and for the CI log. */
  timings: Partial<Record<LintCheck, number>>;
  /** Why a requested stage did not run (for example no fixtures for --typecheck). */
  skipped: string[];
  /**
   * What was taken from an earlier run (lint-cache.ts): `renders`, recipes whose renderings (stage 3)
   * did not change; with --typecheck, `hits` of its `units` (a recipe on a fixture). Absent with --no-cache.
   */
  cached?: { renders: number; hits?: number; units?: number };
}

export const hasErrors = (report: LintReport) => report.diagnostics.some((d) => d.severity === "error");
