import type { LintDiagnostic, LintReport } from "./diagnostics.js";

/** Report formats of `lint --format`. */
export const lintFormats = ["human", "json", "github"] as const;
export type LintFormat = (typeof lintFormats)[number];

export interface Paint {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
}

const plain: Paint = { bold: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, green: (s) => s };

/** The human report: diagnostics grouped by file, then a one-line summary. */
export function formatHuman(report: LintReport, paint: Paint = plain): string {
  const lines: string[] = [];
  const byFile = new Map<string, LintDiagnostic[]>();
  for (const d of report.diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  for (const [file, list] of byFile) {
    lines.push(paint.bold(file));
    for (const d of list) {
      const severity = d.severity === "error" ? paint.red("error") : paint.yellow("warning");
      lines.push(`  ${`${d.line}:${d.column}`.padEnd(8)}${severity}  ${d.message}  ${paint.dim(d.check)}`);
      if (d.hint) lines.push(`  ${" ".repeat(8)}${paint.dim(`→ ${d.hint}`)}`);
    }
    lines.push("");
  }
  for (const s of report.skipped) lines.push(paint.yellow(s));
  const errors = report.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = report.diagnostics.length - errors;
  const stages = Object.entries(report.timings)
    .map(([k, v]) => `${k} ${v} ms`)
    .join(", ");
  const cached = report.cached;
  const kept = !cached
    ? ""
    : cached.units !== undefined
      ? cached.hits
        ? `; ${cached.hits} of ${cached.units} recipe × fixture checks unchanged since an earlier run`
        : ""
      : cached.renders > 0
        ? `; ${cached.renders} recipe(s) rendered as in an earlier run`
        : "";
  const summary = `${report.recipes} recipe(s), ${report.combinations} answer combination(s): ${errors} error(s), ${warnings} warning(s)${stages || kept ? ` (${stages}${kept})` : ""}`;
  lines.push(errors > 0 ? paint.red(`✗ ${summary}`) : paint.green(`✓ ${summary}`));
  return lines.join("\n");
}

/** `--format json`: the report as it is. */
export function formatJson(report: LintReport): string {
  return JSON.stringify(report, null, 2);
}

/**
 * `--format github`: workflow commands, so each problem shows on its line of
 * a pull request. Data is escaped as the runner expects (%, CR, LF; and , :
 * in properties).
 */
export function formatGithub(report: LintReport): string {
  const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const prop = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const lines = report.diagnostics.map((d) => {
    const command = d.severity === "error" ? "error" : "warning";
    const title = `create-bot-snippet lint (${d.check})`;
    return `::${command} file=${prop(d.file)},line=${d.line},col=${d.column},title=${prop(title)}::${data(d.hint ? `${d.message} (${d.hint})` : d.message)}`;
  });
  for (const s of report.skipped) lines.push(`::notice title=${prop("create-bot-snippet lint")}::${data(s)}`);
  return lines.join("\n");
}
