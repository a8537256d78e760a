// Every bundled recipe × every field fixture (test/fixtures/field: projects
// as users have them, TypeScript 4.5 to 7, grammY 1.11 to 1.46, aliases,
// subclassed and function-made bots, CRLF). Each recipe is added with the
// real engine in-process and classified: wired (no manual step), instructed
// (written, with manual steps) or refused (planAdd threw). Then every copy
// of a fixture is type-checked in one process with the fixture's own
// TypeScript and tsconfig (plus noEmit): the pristine copy is checked with
// them, so every error is one the recipe brought. A second add changes
// nothing; the user's lines stay byte-identical. The outcome table of each
// fixture is a file snapshot (`__snapshots__/field/<fixture>.txt`, update
// with `npx vitest run test/engine/field-matrix.test.ts -u`); a summary is
// printed at the end and written to test/.tmp/field-matrix-summary.txt.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TscDiagnostic } from "../../src/check/tsc.js";
import { CliError } from "../../src/core/errors.js";
import type { Plan } from "../../src/engine/plan-types.js";
import type { LintDiagnostic, LintReport } from "../../src/lint/diagnostics.js";
import { applyRecipes, recipes, tmpRoot } from "../helpers/recipes.js";
import { checkFieldCopies, copyFieldFixture, fieldDir, fieldFixtureNames, prepareFieldRoot, type FieldRoot } from "../helpers/toolchain.js";
import { linesLosingText } from "../helpers/untouched-lines.js";

type Outcome =
  | { kind: "wired"; dir: string; plan: Plan }
  | { kind: "instructed"; dir: string; plan: Plan }
  | { kind: "refused"; message: string }
  | { kind: "crashed"; message: string };

interface FieldRun {
  field: FieldRoot;
  outcomes: Map<string, Outcome>;
  /** tsc diagnostics by copy (`_pristine` or a recipe id). */
  errors: Map<string, TscDiagnostic[]>;
  tscOutput: string;
  timings: { applyMs: number; tscMs: number; processes: number };
}

const PRISTINE = "_pristine";
const runs = new Map<string, FieldRun>();
const recipeIds = recipes.map((r) => r.manifest.id);
const started = performance.now();

/** One line, paths of the scratch copy replaced by `<project>`. */
function oneLine(error: unknown, dir: string): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split(dir).join("<project>").split(tmpRoot).join("<tmp>").replace(/\s*\n\s*/g, " ").trim();
}

// The type-check can come from `lint --typecheck --matrix` instead of a
// second compiler run: .ci/run runs that lint just before the tests (it checks
// every answer combination, the defaults among them, on these same fixtures
// with their own toolchains and tsconfigs, through the same planAdd and
// checkCopies) and points LINT_MATRIX_REPORT at its JSON report. The
// tsc runs were ~130 s of the suite's critical path, done twice in CI.
// Without the variable (a developer's run) the copies are checked here.
const lintReportPath = process.env.LINT_MATRIX_REPORT;
const lintReport: LintReport | undefined = lintReportPath ? (JSON.parse(readFileSync(lintReportPath, "utf8")) as LintReport) : undefined;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The lint report's findings on one field fixture, keyed as the compiler's would be: `_pristine`, `(global)`, `(tsc)` or the recipe. */
function errorsFromLint(report: LintReport, fixture: string): Map<string, TscDiagnostic[]> {
  const errors = new Map<string, TscDiagnostic[]>();
  const add = (copy: string, d: LintDiagnostic, message = d.message) =>
    errors.set(copy, [...(errors.get(copy) ?? []), { file: d.file, line: d.line, column: d.column, code: "lint", message: d.hint ? `${message} (${d.hint})` : message }]);
  const f = escapeRe(fixture);
  for (const d of report.diagnostics) {
    if (d.severity !== "error") continue;
    const text = `${d.message}\n${d.hint ?? ""}`;
    if (new RegExp(`^field fixture ${f} does not type-check as it is: `).test(d.message)) add(PRISTINE, d);
    else if (new RegExp(`^(tsc on|fixture) ${f}: `).test(d.message)) add("(global)", d);
    else if (new RegExp(`^tsc failed on fixture ${f}: `).test(d.message)) add("(tsc)", d);
    else if (new RegExp(`\\bfixture ${f}(?![\\w-])`).test(text)) add(d.recipe, d);
  }
  return errors;
}

/** Evidence that the report is of a --matrix run that reached this fixture: each refusal here is a warning (or a skipped fixture) there. */
function lintCoverageGaps(report: LintReport, fixture: string, outcomes: Map<string, Outcome>): string[] {
  if (report.timings.typecheck === undefined) return ["the lint report has no typecheck stage (lint ran without --typecheck)"];
  const skippedWhole = report.skipped.some((s) => s.startsWith(`--matrix: field fixture ${fixture}: `));
  const gaps: string[] = [];
  for (const [id, o] of outcomes) {
    if (o.kind !== "refused" || skippedWhole) continue;
    const warned = report.diagnostics.some((d) => d.severity === "warning" && d.recipe === id && d.message.startsWith(`refused on field fixture ${fixture} (`));
    if (!warned) gaps.push(`${id} is refused here but the lint report has no refusal of it on ${fixture}: did lint run with --matrix?`);
  }
  return gaps;
}

// Planning runs in this process one fixture after another; each fixture's
// compiler starts as soon as its copies are written (two at a time).
beforeAll(async () => {
  const pending: Array<Promise<void>> = [];
  for (const fixture of fieldFixtureNames) {
    const applyStart = performance.now();
    const field = prepareFieldRoot(fixture);
    const outcomes = new Map<string, Outcome>();
    const copies = [copyFieldFixture(fixture, field.root, PRISTINE)];
    for (const id of recipeIds) {
      const dir = copyFieldFixture(fixture, field.root, id);
      try {
        const plan = await applyRecipes(dir, [{ id }]);
        outcomes.set(id, { kind: plan.manual.length > 0 ? "instructed" : "wired", dir, plan });
        copies.push(dir);
      } catch (error) {
        // A CliError is the engine refusing, with the one line `add` prints; anything else is a crash.
        outcomes.set(id, { kind: error instanceof CliError ? "refused" : "crashed", message: oneLine(error, dir) });
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const run: FieldRun = { field, outcomes, errors: new Map(), tscOutput: "", timings: { applyMs: Math.round(performance.now() - applyStart), tscMs: 0, processes: 0 } };
    runs.set(fixture, run);
    if (lintReport) {
      run.errors = errorsFromLint(lintReport, fixture);
      run.tscOutput = `(from ${lintReportPath})`;
      continue;
    }
    pending.push(
      checkFieldCopies(field.root, copies).then((result) => {
        run.tscOutput = result.output;
        run.timings.tscMs = result.ms;
        run.timings.processes = result.processes;
        for (const d of result.diagnostics) {
          const copy = d.file.split("/")[0] || "(global)";
          run.errors.set(copy, [...(run.errors.get(copy) ?? []), d]);
        }
        if (result.code !== 0 && result.diagnostics.length === 0) run.errors.set("(tsc)", [{ file: "", line: 0, column: 0, code: "tsc", message: result.output.slice(0, 500) }]);
      }),
    );
  }
  await Promise.all(pending);
}, 600_000);

/** The outcome table of one fixture, as snapshotted. */
function outcomeTable(fixture: string): string {
  const run = runs.get(fixture)!;
  const width = Math.max(...recipeIds.map((id) => id.length));
  const lines = [`# ${fixture}: typescript ${run.field.versions.typescript}, grammy ${run.field.versions.grammy}`, ""];
  for (const id of recipeIds) {
    const o = run.outcomes.get(id)!;
    const head = `${id.padEnd(width)}  ${o.kind}`;
    if (o.kind === "refused" || o.kind === "crashed") lines.push(`${head}: ${o.message}`);
    else if (o.kind === "wired") lines.push(head);
    else {
      lines.push(head);
      for (const m of o.plan.manual) {
        lines.push(`${"".padEnd(width)}    ${m.file}${m.line ? `:${m.line}` : ""}: ${m.reason.replace(/\s*\n\s*/g, " ")}`);
        for (const code of m.code.split(/\r?\n/).filter((l) => l.trim() !== "")) lines.push(`${"".padEnd(width)}      > ${code}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

const written = (run: FieldRun) =>
  [...run.outcomes].flatMap(([id, o]) => (o.kind === "wired" || o.kind === "instructed" ? [{ id, dir: o.dir, plan: o.plan }] : []));

const formatErrors = (ds: TscDiagnostic[]) => ds.map((d) => `${d.file}(${d.line},${d.column}): ${d.code}: ${d.message}`).join("\n");

describe.each(fieldFixtureNames)("field fixture %s", (fixture) => {
  it("type-checks cleanly as it is, with its own toolchain", () => {
    const run = runs.get(fixture)!;
    if (lintReport) expect(lintCoverageGaps(lintReport, fixture, run.outcomes)).toEqual([]);
    expect(formatErrors([...(run.errors.get(PRISTINE) ?? []), ...(run.errors.get("(global)") ?? []), ...(run.errors.get("(tsc)") ?? [])])).toBe("");
  });

  it("adds each recipe as recorded (wired / instructed / refused)", async () => {
    await expect(outcomeTable(fixture)).toMatchFileSnapshot(`__snapshots__/field/${fixture}.txt`);
    const crashed = [...runs.get(fixture)!.outcomes].filter(([, o]) => o.kind === "crashed");
    expect(crashed.map(([id, o]) => `${id}: ${(o as { message: string }).message}`)).toEqual([]);
  });

  it("brings no new type error (every copy in one compiler run)", () => {
    const run = runs.get(fixture)!;
    const mine = [...run.errors].filter(([copy]) => copy !== PRISTINE && !copy.startsWith("("));
    expect(mine.map(([copy, ds]) => `${copy}: ${ds.length} error(s)\n${formatErrors(ds)}`).join("\n\n")).toBe("");
  });

  it("changes nothing when each recipe is added a second time", async () => {
    const again: string[] = [];
    for (const { id, dir } of written(runs.get(fixture)!)) {
      try {
        const plan = await applyRecipes(dir, [{ id }], { write: false });
        if (plan.changes.length > 0) again.push(`${id}: ${plan.changes.map((c) => `${c.kind} ${c.path}`).join(", ")}`);
      } catch (error) {
        again.push(`${id}: the second add throws: ${oneLine(error, dir)}`);
      }
    }
    expect(again).toEqual([]);
  });

  it("keeps every untouched line byte-identical and the file's line endings", () => {
    const problems: string[] = [];
    for (const { id, plan } of written(runs.get(fixture)!)) {
      const replacesStart = recipes.find((r) => r.manifest.id === id)!.manifest.edits.some((e) => e.op === "replace-start");
      for (const change of plan.changes) {
        if (change.kind === "update" && change.path !== "package.json") {
          const original = readFileSync(join(fieldDir, fixture, change.path), "utf8");
          if (change.before !== original) problems.push(`${id}: ${change.path} was read differently from the fixture`);
          const lost = linesLosingText(original, change.after, replacesStart);
          if (lost.length > 0) problems.push(`${id}: ${change.path} lost text from ${JSON.stringify(lost)}`);
          if (original.includes("\r\n") && change.after.replace(/\r\n/g, "").includes("\n")) problems.push(`${id}: ${change.path} mixes LF into a CRLF file`);
        }
        const botFile = plan.bot?.file ? join(fieldDir, fixture, plan.bot.file) : undefined;
        if (change.kind === "create" && /\.[cm]?tsx?$/.test(change.path) && botFile && readFileSync(botFile, "utf8").includes("\r\n") && change.after.replace(/\r\n/g, "").includes("\n")) {
          problems.push(`${id}: created ${change.path} with LF in a CRLF project`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("two bots in one repository", () => {
  it.runIf(fieldFixtureNames.includes("ts7-two-bots"))("refuses every recipe, naming both bots", () => {
    for (const [id, o] of runs.get("ts7-two-bots")!.outcomes) {
      expect(o.kind, id).toBe("refused");
      expect((o as { message: string }).message).toMatch(/customer-bot\.ts.*staff-bot\.ts|staff-bot\.ts.*customer-bot\.ts/);
    }
  });
});

// === The summary the lead quotes ===
afterAll(() => {
  if (runs.size === 0) return;
  const rows: string[] = [];
  const totals = { wired: 0, instructed: 0, refused: 0, crashed: 0, errors: 0 };
  const pad = Math.max(...fieldFixtureNames.map((f) => f.length));
  rows.push(`${"fixture".padEnd(pad)}  ts      grammy  wired instr. refused crashed new-errors  apply  tsc (processes)`);
  for (const [fixture, run] of runs) {
    const count = (kind: Outcome["kind"]) => [...run.outcomes.values()].filter((o) => o.kind === kind).length;
    const errors = [...run.errors].filter(([copy]) => copy !== PRISTINE).reduce((n, [, ds]) => n + ds.length, 0);
    const c = { wired: count("wired"), instructed: count("instructed"), refused: count("refused"), crashed: count("crashed") };
    totals.wired += c.wired;
    totals.instructed += c.instructed;
    totals.refused += c.refused;
    totals.crashed += c.crashed;
    totals.errors += errors;
    const broken = [...run.errors].filter(([copy]) => copy !== PRISTINE).map(([copy, ds]) => `${copy}:${ds.length}`).join(" ");
    rows.push(
      `${fixture.padEnd(pad)}  ${run.field.versions.typescript.padEnd(6)}  ${run.field.versions.grammy.padEnd(6)}  ${String(c.wired).padStart(5)} ${String(c.instructed).padStart(6)} ${String(c.refused).padStart(7)} ${String(c.crashed).padStart(7)} ${String(errors).padStart(10)}  ${(run.timings.applyMs / 1000).toFixed(1).padStart(4)}s ${(run.timings.tscMs / 1000).toFixed(1).padStart(5)}s (${run.timings.processes})${broken ? `  ${broken}` : ""}`,
    );
  }
  const refusals = new Map<string, string[]>();
  for (const [fixture, run] of runs) {
    for (const [id, o] of run.outcomes) {
      if (o.kind !== "refused" && o.kind !== "crashed") continue;
      const reason = o.message.replace(new RegExp(`^${id}\\b`), "<recipe>");
      refusals.set(reason, [...(refusals.get(reason) ?? []), `${fixture}/${id}`]);
    }
  }
  const text = [
    `field matrix: ${runs.size} fixtures × ${recipeIds.length} recipes in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    `wired ${totals.wired}, instructed ${totals.instructed}, refused ${totals.refused}, crashed ${totals.crashed}, new type errors ${totals.errors}`,
    "",
    ...rows,
    "",
    "refusals by reason:",
    ...[...refusals].map(([reason, where]) => `  ${where.length}× ${reason}\n      ${where.join(", ")}`),
    "",
  ].join("\n");
  writeFileSync(join(tmpRoot, "field-matrix-summary.txt"), text);
  process.stdout.write(`\n${text}\n(summary written to ${relative(process.cwd(), join(tmpRoot, "field-matrix-summary.txt"))})\n`);
});
