import { commitChanges } from "../engine/commit.js";
import { locateBot, planAdd, templateFacts } from "../engine/plan.js";
import { scanProject } from "../project/scan-project.js";
import { loadCatalogue } from "../recipes/catalogue.js";
import { safeProjectPath } from "../engine/safe-path.js";
import { confirm, promptAsk } from "../ui/ask.js";
import { color } from "../ui/colors.js";
import { formatDiff, formatSummary, planToJson } from "../ui/print-plan.js";
import { answersFor, givenAnswers } from "./collect-answers.js";

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
}

/** Whether prompts may be shown: a terminal on stdin, not CI, not --yes, not --json. */
export function isInteractive(options: { yes?: boolean; json?: boolean }): boolean {
  return !options.yes && !options.json && process.stdin.isTTY === true && !process.env.CI;
}

export async function addCommand(refs: string[], options: AddOptions): Promise<void> {
  const catalogue = loadCatalogue(options.templates ?? []);
  const recipes = [...new Set(refs)].map((ref) => catalogue.get(ref));
  const interactive = isInteractive(options);
  const given = givenAnswers(recipes, options.set, options.answers);

  const entry = options.entry ? safeProjectPath(options.cwd, options.entry, "--entry") : undefined;
  const project = scanProject(options.cwd, entry);
  const facts = templateFacts(project, locateBot(project));
  const answers = await answersFor(recipes, given, facts, interactive ? (r) => promptAsk(r.ref) : undefined);

  const plan = planAdd({
    project,
    recipes: recipes.map((recipe) => ({ recipe, answers: answers.get(recipe)! })),
    catalogue: catalogue.recipes,
    force: options.force,
  });

  const nothing = plan.changes.length === 0;
  if (options.json) {
    const write = !options.dryRun && !nothing;
    if (write) commitChanges(project.root, plan.changes);
    process.stdout.write(`${JSON.stringify(planToJson(plan, write), null, 2)}\n`);
    return;
  }
  if (nothing) {
    process.stderr.write(`${color.green("✓")} ${recipes.map((r) => r.ref).join(", ")}: already applied, nothing to do\n`);
    const rest = formatSummary(plan, process.stderr);
    if (rest) process.stderr.write(`${rest}\n`);
    return;
  }
  if (options.dryRun || interactive) process.stdout.write(`${formatDiff(plan, process.stdout)}\n`);
  process.stderr.write(`${formatSummary(plan, process.stderr)}\n`);
  if (options.dryRun) {
    process.stderr.write(color.dim("dry run: nothing was written\n"));
    return;
  }
  if (interactive && !(await confirm(`Write ${plan.changes.length} file(s)?`))) {
    process.stderr.write("nothing was written\n");
    return;
  }
  commitChanges(project.root, plan.changes);
  process.stderr.write(`${color.green("✓")} wrote ${plan.changes.length} file(s)\n`);
  const added = plan.dependencies.filter((d) => d.status === "added");
  if (added.length > 0) process.stderr.write(`  install the new dependencies: ${color.cyan("npm install")}\n`);
}
