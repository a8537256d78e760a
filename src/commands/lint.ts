import { bundledTemplatesDir } from "../recipes/catalogue.js";
import { hasErrors } from "../lint/diagnostics.js";
import { formatGithub, formatHuman, formatJson, type LintFormat } from "../lint/format-report.js";
import { lintRecipes } from "../lint/lint-recipes.js";
import { color } from "../ui/colors.js";

export interface LintCommandOptions {
  typecheck?: boolean;
  matrix?: boolean;
  test?: boolean;
  format?: LintFormat;
  fixtures?: string[];
  /** commander's `--no-cache`. */
  cache?: boolean;
}

/** `lint [dir...]`: prints the report; exit 1 when it has an error (usage errors are thrown: exit 2). */
export async function lintCommand(dirs: string[], options: LintCommandOptions): Promise<void> {
  const bundledDir = bundledTemplatesDir();
  const report = await lintRecipes(dirs.length > 0 ? dirs : [bundledDir], {
    typecheck: options.typecheck,
    matrix: options.matrix,
    test: options.test,
    fixtures: options.fixtures,
    cache: options.cache,
    bundledDir,
  });
  const out = process.stdout;
  const text =
    options.format === "json"
      ? formatJson(report)
      : options.format === "github"
        ? formatGithub(report)
        : formatHuman(report, {
            bold: (s) => color.bold(s, out),
            dim: (s) => color.dim(s, out),
            red: (s) => color.red(s, out),
            yellow: (s) => color.yellow(s, out),
            green: (s) => color.green(s, out),
          });
  if (text) out.write(`${text}\n`);
  process.exitCode = hasErrors(report) ? 1 : 0;
}
