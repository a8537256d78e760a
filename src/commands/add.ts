import { failure, usageError } from "../core/errors.js";
import { describeMismatch, NeedsRefusal, peerMismatches, settlePeers, VersionRefusal, type PeerLookup } from "../engine/requirements.js";
import { commitChanges, revertChanges } from "../engine/commit.js";
import type { FileChange } from "../engine/tree.js";
import { findBots, locateBot, planAdd, templateFacts, type PlanRequest } from "../engine/plan.js";
import { scanProject } from "../project/scan-project.js";
import { loadCatalogue } from "../recipes/catalogue.js";
import { safeProjectPath } from "../engine/safe-path.js";
import { choose, confirm, promptAsk } from "../ui/ask.js";
import { color } from "../ui/colors.js";
import { formatDiff, formatSummary, planToJson, projectFileCount } from "../ui/print-plan.js";
import { answersFor, givenAnswers } from "./collect-answers.js";
import { exampleAnswer } from "../recipes/example-answers.js";
import type { Answers, JsonValue, Question, Recipe } from "../recipes/manifest.js";
import { RECORD_FILE } from "../record/record-file.js";
import { runAddGate } from "../check/add-gate.js";
import { checkInstalled } from "../check/typecheck-gate.js";
import { dropPrewarmed, prewarmCheck, willCheck } from "../check/api-checker.js";
import type { TscDiagnostic } from "../check/tsc.js";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { installDependencies, installFailure, registryPeerLookup, type InstallReport } from "../engine/install-dependencies.js";
import type { Plan } from "../engine/plan-types.js";
import { addDependenciesCommands, detectPackageManager, formatCommand, installAllCommand, lockfiles } from "../project/package-manager.js";

export interface AddOptions {
  cwd: string;
  yes?: boolean;
  set?: string[];
  answers?: string;
  dryRun?: boolean;
  json?: boolean;
  entry?: string;
  force?: boolean;
  templates?: string[];
  verbose?: boolean;
  /** `--check`/`--no-check`: type-check the change before writing (default: when the project has typescript). */
  check?: boolean;
  /** Package manager to install with (`--pm`); detected when absent. */
  pm?: string;
  /** `--no-install` sets false: only package.json is edited and the command printed. */
  install?: boolean;
  /** `--upgrade`: raise installed packages below what a recipe needs (grammY, a plugin) instead of refusing. */
  upgrade?: boolean;
  /** `--bot`: which bot to edit when the project has several (`file:line`, a file, or its variable or class). */
  bot?: string;
}

/**
 * Whether prompts may be shown: a terminal on stdin, not CI, not --yes, not
 * --json (which, in a terminal and without --yes, refuses to answer for the user instead).
 */
export function isInteractive(options: { yes?: boolean; json?: boolean }): boolean {
  return !options.yes && !options.json && process.stdin.isTTY === true && !process.env.CI;
}

export async function addCommand(refs: string[], options: AddOptions): Promise<void> {
  try {
    await add(refs, options);
  } finally {
    dropPrewarmed(); // a compiler process the gate did not take (nothing to write, or an error)
  }
}

async function add(refs: string[], options: AddOptions): Promise<void> {
  const catalogue = loadCatalogue(options.templates ?? []);
  const recipes = [...new Set(refs)].map((ref) => catalogue.get(ref));
  const snippet = recipes.find((r) => r.manifest.kind === "snippet");
  if (snippet) {
    throw usageError(
      `${snippet.ref} is a snippet, not a recipe: add does not insert it`,
      `print it with \`create-bot-snippet show ${snippet.ref}\`, or write it with \`show ${snippet.ref} --copy-to <file>\``,
    );
  }
  // The check before writing (when there is one) loads the project's compiler and parses the project while the change is planned.
  if (willCheck(options)) prewarmCheck(resolve(options.cwd));
  const interactive = isInteractive(options);
  const given = givenAnswers(recipes, options.set, options.answers, catalogue.recipes);

  const entry = options.entry ? safeProjectPath(options.cwd, options.entry, "--entry") : undefined;
  const project = scanProject(options.cwd, entry);
  // Several bots (a folder of examples): an interactive run asks which one.
  let bot = options.bot;
  const bots = findBots(project).filter((b) => b.site.kind !== "unwireable");
  if (!bot && interactive && bots.length > 1) bot = await choose("This project has several grammY bots; which one do the recipes go into?", bots.map((b) => ({ title: b.label, value: `${b.file}:${b.site.line}` })));
  if (!bot && bots.length > 1) throw severalBots(bots, options.entry !== undefined);
  const facts = templateFacts(project, locateBot(project, bot));
  const answers = await answersOf(recipes, given, facts, options, interactive);

  const pm = detectPackageManager(project.root, options.pm);
  const request: PlanRequest = {
    project,
    recipes: recipes.map((recipe) => ({ recipe, answers: answers.get(recipe)! })),
    catalogue: catalogue.recipes,
    record: true,
    force: options.force,
    upgrade: options.upgrade,
    bot,
    installCommand: (packages: Array<{ name: string; version: string }>) => addDependenciesCommands(pm.name, packages.map((p) => ({ ...p, dev: false }))).map(formatCommand).join(" && "),
  };
  const writes = !options.dryRun && (!options.json || options.yes === true);
  const plan = writes ? await settleAddedPeers(await planAsking(request, interactive), request, interactive) : await planAsking(request, interactive);

  const nothing = plan.changes.length === 0;
  if (options.json) {
    // --json is an output format: it writes only when --yes says so.
    const write = options.yes === true && !options.dryRun && !nothing;
    const gate = write ? await runAddGate(project.root, plan, options) : undefined;
    const locks = readLockfiles(project.root);
    if (write) commitChanges(project.root, plan.changes);
    const install = write ? await installAdded(project.root, plan, options) : undefined;
    if (install?.status === "installed" && gate?.baseline) await verifyInstalled(project.root, plan, gate.baseline, locks, options, () => {});
    process.stdout.write(`${JSON.stringify({ ...(planToJson(plan, write) as object), ...(install && { install }) }, null, 2)}\n`);
    if (install?.status === "failed") throw installFailure(project.root, install);
    if (!write && !nothing && !options.dryRun) process.stderr.write(color.dim("--json without --yes: nothing was written; add --yes to write the plan\n"));
    return;
  }
  if (nothing) {
    // The notes were printed when the recipes were added: not again on every re-run.
    process.stderr.write(`${color.green("✓")} ${recipes.map((r) => r.ref).join(", ")}: already applied, nothing to do\n`);
    const rest = formatSummary(plan, process.stderr, { notes: false });
    if (rest) process.stderr.write(`${rest}\n`);
    return;
  }
  if (options.dryRun || interactive) process.stdout.write(`${formatDiff(plan, process.stdout)}\n`);
  process.stderr.write(`${formatSummary(plan, process.stderr)}\n`);
  if (options.dryRun) {
    process.stderr.write(color.dim("dry run: nothing was written\n"));
    return;
  }
  if (interactive && !(await confirm(`Write ${projectFileCount(plan)} file(s)?`))) {
    process.stderr.write("nothing was written\n");
    return;
  }
  const log = (line: string) => process.stderr.write(`${color.dim(line)}\n`);
  const gate = await runAddGate(project.root, plan, options, log);
  const locks = readLockfiles(project.root);
  commitChanges(project.root, plan.changes);
  process.stderr.write(`${color.green("✓")} wrote ${projectFileCount(plan)} file(s)${projectFileCount(plan) < plan.changes.length ? ` and recorded it in ${RECORD_FILE}` : ""}\n`);
  const install = await installAdded(project.root, plan, options);
  if (install?.status === "failed") throw installFailure(project.root, install);
  if (install?.status === "installed" && gate?.baseline) await verifyInstalled(project.root, plan, gate.baseline, locks, options, log);
}

/**
 * The answers of every recipe. Interactive: unanswered questions are asked.
 * `--json` without `--yes` in a terminal answers nothing for the user: it
 * refuses, naming every question left unanswered. Otherwise (no terminal,
 * `--yes`) defaults are taken.
 */
async function answersOf(recipes: Recipe[], given: Map<Recipe, Record<string, unknown>>, facts: Record<string, JsonValue>, options: AddOptions, interactive: boolean): Promise<Map<Recipe, Answers>> {
  if (interactive) return answersFor(recipes, given, facts, (r) => promptAsk(r.ref));
  const terminal = process.stdin.isTTY === true && !process.env.CI;
  if (!(options.json && !options.yes && terminal)) return answersFor(recipes, given, facts);
  const unanswered: string[] = [];
  const note = (recipe: Recipe) => async (q: Question, initial: JsonValue | undefined) => {
    unanswered.push(`${recipe.ref}.${q.name}`);
    return initial ?? exampleAnswer(q);
  };
  try {
    const answers = await answersFor(recipes, given, facts, note);
    if (unanswered.length === 0) return answers;
  } catch (error) {
    if (unanswered.length === 0) throw error;
  }
  throw usageError(
    `--json answers no question for you: ${unanswered.length === 1 ? `${unanswered[0]} is` : `${unanswered.join(", ")} are`} not answered`,
    "answer with --set key=value or --answers <file>, or pass --yes to take the defaults (--yes --json writes; add --dry-run to only print the plan)",
  );
}

/**
 * Plans the change. An interactive run asks where the plan would refuse for
 * something the user may accept: a recipe that needs a long-running process
 * on a serverless bot (warned, then written if confirmed), a version below
 * what a recipe needs (upgraded if confirmed).
 */
async function planAsking(request: PlanRequest, interactive: boolean): Promise<Plan> {
  try {
    return planAdd(request);
  } catch (error) {
    if (interactive && error instanceof NeedsRefusal) {
      process.stderr.write(`${color.yellow("warning")}: ${error.message.replace(/; nothing was written$/, "")}\n`);
      if (!(await confirm("Write it anyway?"))) throw usageError("nothing was written");
      return planAsking({ ...request, acceptNeeds: true }, interactive);
    }
    if (!(interactive && !request.upgrade && error instanceof VersionRefusal)) throw error;
    process.stderr.write(`${error.message}\n`);
    if (!(await confirm("Upgrade them with this change?"))) throw usageError("not upgraded; nothing was written");
    return planAsking({ ...request, upgrade: true }, interactive);
  }
}

/**
 * Before anything is written or installed: the plugins the plan adds whose
 * newest version in the recipe's range needs a newer grammY (or another
 * installed package) than the project has, by the registry's peer ranges.
 * `--upgrade` upgrades it; a terminal asks; otherwise (or when the user says
 * no) the newest version that works with the installed one is installed.
 */
async function settleAddedPeers(plan: Plan, request: PlanRequest, interactive: boolean, lookup: PeerLookup = registryPeerLookup(request.project.root)): Promise<Plan> {
  const added = plan.dependencies.filter((d) => d.status === "added");
  if (added.length === 0) return plan;
  const mismatches = await peerMismatches(added, request.project.installed, lookup);
  if (mismatches.length === 0) return plan;
  let upgrade = request.upgrade === true;
  if (!upgrade && interactive) {
    for (const m of mismatches) process.stderr.write(`${describeMismatch(m)}${m.fits ? ` (${m.fits.version} works with it)` : ""}\n`);
    upgrade = await confirm(`Upgrade ${[...new Set(mismatches.flatMap((m) => m.peers.map((p) => p.name)))].join(", ")} with this change?`);
  }
  return settlePeers(plan, mismatches, upgrade, request.installCommand);
}

/** Several bots and no --bot: how to choose one. */
function severalBots(bots: Array<{ file: string; site: { line: number; variable?: string; className?: string }; label: string }>, entryGiven: boolean): Error {
  const [first] = bots;
  const name = first!.site.className ?? first!.site.variable;
  const byName = name !== undefined && bots.filter((b) => (b.site.className ?? b.site.variable) === name).length === 1 ? ` or --bot ${name}` : "";
  const files = new Set(bots.map((b) => b.file)).size;
  return usageError(
    `found ${bots.length} grammY bots: ${bots.map((b) => b.label).join(", ")}`,
    `choose the one to edit with --bot <file:line>, for example --bot ${first!.file}:${first!.site.line}${byName}${files > 1 && !entryGiven ? " (or --entry <file>)" : ""}`,
  );
}

/** The lockfiles of the project as they are now (undefined: absent), to put back on a rollback. */
function readLockfiles(root: string): FileChange[] {
  return lockfiles.map(([file]) => {
    const path = join(root, file);
    const before = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    return { path: file, kind: before === undefined ? "create" : "update", before, after: "" } satisfies FileChange;
  });
}

/**
 * The gate checked the change before its packages were installed; this
 * checks what the user now has. New errors roll everything back: the files,
 * package.json and the lockfile, and node_modules by a plain install.
 */
async function verifyInstalled(root: string, plan: Plan, baseline: TscDiagnostic[], locks: FileChange[], options: AddOptions, log: (line: string) => void): Promise<void> {
  const fresh = await checkInstalled(root, baseline);
  if (fresh.length === 0) {
    log("✓ type-checked again with the new packages installed: no new errors");
    return;
  }
  const changedLocks = locks.filter((l) => (existsSync(join(root, l.path)) ? readFileSync(join(root, l.path), "utf8") : undefined) !== l.before);
  revertChanges(root, [...plan.changes, ...changedLocks]);
  const pm = detectPackageManager(root, options.pm);
  const reinstall = await installDependencies(root, pm, [installAllCommand(pm.name)], { run: true, log });
  const lines = fresh.slice(0, 10).map((d) => `  ${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`);
  if (fresh.length > 10) lines.push(`  … and ${fresh.length - 10} more`);
  throw failure(
    `with ${plan.dependencies.filter((d) => d.status === "added" || d.status === "upgraded").map((d) => `${d.name}@${d.version}`).join(", ")} installed, the change adds ${fresh.length} type error(s):\n${lines.join("\n")}\nthe change was rolled back (files, package.json and the lockfile)${reinstall.status === "installed" ? " and your packages re-installed" : `; re-install your packages: ${reinstall.commands.join(" && ")}`}`,
    "--no-check skips the check; --force writes despite new errors",
  );
}

/**
 * Installs the dependencies the plan added to package.json, with the
 * project's package manager (`--pm` overrides; `--no-install` prints the
 * command instead). Undefined when nothing was added.
 */
export async function installAdded(root: string, plan: Plan, options: { pm?: string; install?: boolean }): Promise<InstallReport | undefined> {
  const added = plan.dependencies.filter((d) => d.status === "added" || d.status === "upgraded");
  if (added.length === 0) return undefined;
  const pm = detectPackageManager(root, options.pm);
  const commands = addDependenciesCommands(pm.name, added);
  const report = await installDependencies(root, pm, commands, { run: options.install !== false, log: (line) => process.stderr.write(`${color.dim(line)}\n`) });
  if (report.status === "skipped") process.stderr.write(`  install the new dependencies: ${color.cyan(report.commands.join(" && "))}\n`);
  else if (report.status === "installed") process.stderr.write(`${color.green("✓")} installed ${added.map((d) => d.name).join(", ")} with ${pm.name}\n`);
  return report;
}
