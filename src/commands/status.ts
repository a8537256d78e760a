import { readRecord } from "../lifecycle/installed.js";
import { projectStatus, type ProjectStatus } from "../lifecycle/status.js";
import { loadCatalogue } from "../recipes/catalogue.js";
import type { JsonValue } from "../recipes/manifest.js";
import { RECORD_FILE } from "../record/record-file.js";
import { color } from "../ui/colors.js";

export interface StatusOptions {
  /** The project root (the CLI resolves --cwd to the nearest package.json). */
  cwd: string;
  json?: boolean;
  templates?: string[];
  /** The bundled templates folder (tests pass a copy with a changed recipe). */
  bundledDir?: string;
}

/**
 * `status` and `list --installed`: the recipes the record lists, their
 * answers, the generated files the user changed since, which ones the
 * catalogue has a newer version of, and recipes recognised in the code but
 * not recorded. Reads only; exit 0.
 */
export function statusCommand(options: StatusOptions): ProjectStatus {
  const record = readRecord(options.cwd);
  const catalogue = loadCatalogue(options.templates ?? [], ...(options.bundledDir ? [options.bundledDir] : []));
  const status = projectStatus(options.cwd, record, catalogue);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return status;
  }
  process.stdout.write(formatStatus(status));
  return status;
}

/** An answer as written on the command line when it is a plain word, as JSON otherwise (a sentence, a list). */
const show = (value: JsonValue): string => (typeof value === "string" && /^[\w.@/:+-]+$/.test(value) ? value : JSON.stringify(value));

export function formatStatus(status: ProjectStatus, stream: NodeJS.WriteStream = process.stdout): string {
  const lines: string[] = [];
  if (status.recipes.length === 0 && status.unrecorded.length === 0) {
    return `no recipes installed${status.recorded ? "" : ` (no ${RECORD_FILE})`}; add one with \`create-bot-snippet add <recipe>\`\n`;
  }
  const width = Math.max(...status.recipes.map((r) => r.ref.length), 4);
  for (const r of status.recipes) {
    const state = r.latest === undefined ? color.dim(`pack "${r.pack}" not loaded: pass --templates <dir> to check for a newer version`, stream) : r.newer ? color.yellow(`newer version ${r.latest}`, stream) : color.green("up to date", stream);
    lines.push(`${color.cyan(r.ref.padEnd(width), stream)}  ${r.version}  ${state}`);
    const answers = Object.entries(r.answers).map(([k, v]) => `${k}=${show(v)}`);
    if (answers.length > 0) lines.push(`  answers: ${answers.join(", ")}`);
    const changed = r.files.filter((f) => f.state === "changed").map((f) => f.path);
    const missing = r.files.filter((f) => f.state === "missing").map((f) => f.path);
    if (changed.length > 0) lines.push(`  ${color.yellow("changed by you", stream)}: ${changed.join(", ")}`);
    if (missing.length > 0) lines.push(`  ${color.red("deleted", stream)}: ${missing.join(", ")}`);
  }
  if (status.unrecorded.length > 0) {
    if (lines.length > 0) lines.push("");
    lines.push(`${color.bold(`Recognised in the code, not in ${RECORD_FILE}`, stream)} (added before the record, or by hand):`);
    for (const u of status.unrecorded) lines.push(`  ${color.cyan(u.ref, stream)}  ${u.files.join(", ")}`);
  }
  const newer = status.recipes.filter((r) => r.newer);
  if (newer.length > 0) lines.push("", `${newer.length} update${newer.length === 1 ? "" : "s"} available: ${color.cyan("create-bot-snippet update", stream)} (see the changes first with \`create-bot-snippet diff <recipe> --upstream\`)`);
  return `${lines.join("\n")}\n`;
}
