// Few plans that together contain every recipe's own change, for tests that
// type-check "every bundled recipe on a fixture" without one gate run per recipe.
//
// A recipe added alone (its solo plan) is the product a user gets from
// `add <recipe>`. Planning is cheap (in-process, well under a second for all
// recipes); the type-check gate is what costs. So the solo plans are all made,
// and the recipes are checked together in one plan as long as that plan
// provably contains what each solo plan writes:
//   - a file only this recipe touches (its own module, its locales…) is
//     byte-identical in the combined plan;
//   - a file several recipes touch (the bot's module, package.json,
//     .gitignore) has every line the solo plan adds (trimmed) somewhere in
//     the combined version.
// A recipe whose solo edit the combination does not contain (typically the
// start of the bot: one lifecycle recipe takes it over from the others, or a
// context type that becomes an intersection of several flavors) is checked
// again in a later plan of the remaining recipes, down to a plan of one recipe,
// which is its solo plan. So any line a recipe adds on its own is type-checked
// in some plan; what a merge cannot show is an error that another recipe's
// lines happen to repair (an import the solo plan forgets but another recipe
// adds), which the snapshot and behaviour tests of each recipe cover.
import { planAdd } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { scanProject } from "../../src/project/scan-project.js";
import type { Catalogue } from "../../src/recipes/catalogue.js";
import { answersFor } from "./recipes.js";

/** Plans `ids` together into the project at `dir` (nothing is written). */
export async function planTogether(dir: string, catalogue: Catalogue, ids: string[]): Promise<Plan> {
  const project = scanProject(dir);
  const facts = { served: project.served };
  const resolved = await Promise.all(ids.map(async (id) => ({ recipe: catalogue.get(id), answers: await answersFor(catalogue.get(id), {}, facts) })));
  return planAdd({ project, recipes: resolved, catalogue: catalogue.recipes });
}

const linesOf = (text: string | undefined): string[] => (text ?? "").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");

/** `import { a, b } from "m";` as its module and names, else undefined. */
function namedImport(line: string): { from: string; names: string[] } | undefined {
  const m = /^import (type )?\{([^}]*)\} from (["'][^"']+["']);?$/.exec(line);
  if (!m) return undefined;
  return { from: `${m[1] ?? ""}${m[3]!.slice(1, -1)}`, names: m[2]!.split(",").map((n) => n.trim()).filter((n) => n !== "") };
}

/**
 * Whether the combined file has `line`: the same line, or for a named import
 * one from the same module that imports at least the same names (recipes add
 * their names to one import of a module, so a combination lists more).
 */
function hasLine(line: string, have: Set<string>, imports: Array<{ from: string; names: string[] }>): boolean {
  if (have.has(line)) return true;
  const mine = namedImport(line);
  return mine !== undefined && imports.some((i) => i.from === mine.from && mine.names.every((n) => i.names.includes(n)));
}

/** What of `solo` the plan `combined` does not contain (empty: all of it). */
export function missingFrom(combined: Plan, solo: Plan, sharedPaths: ReadonlySet<string>): string[] {
  const byPath = new Map(combined.changes.map((c) => [c.path, c]));
  const missing: string[] = [];
  for (const change of solo.changes) {
    const there = byPath.get(change.path);
    if (!there) missing.push(`${change.path}: not changed`);
    else if (change.kind === "delete" || there.kind === "delete") {
      if (change.kind !== there.kind) missing.push(`${change.path}: ${change.kind} vs ${there.kind}`);
    } else if (!sharedPaths.has(change.path)) {
      if (there.after !== change.after) missing.push(`${change.path}: differs`);
    } else {
      const before = new Set(linesOf(change.before));
      const have = new Set(linesOf(there.after));
      const imports = [...have].flatMap((l) => namedImport(l) ?? []);
      for (const line of linesOf(change.after)) if (!before.has(line) && !hasLine(line, have, imports)) missing.push(`${change.path}: ${line}`);
    }
  }
  for (const dep of solo.dependencies) {
    if (!combined.dependencies.some((d) => JSON.stringify(d) === JSON.stringify(dep))) missing.push(`dependency ${JSON.stringify(dep)}`);
  }
  return missing;
}

export interface CoveringPlan {
  /** The recipes planned together. */
  ids: string[];
  /** Those whose solo change this plan contains (checked here, not again). */
  covers: string[];
  plan: Plan;
}

/**
 * Plans that together contain each recipe's solo change (see above). The first
 * plans every recipe together; each later one the recipes the earlier ones did
 * not contain. Every id is in the `covers` of exactly one plan.
 */
export async function coveringPlans(dir: string, catalogue: Catalogue, ids: string[]): Promise<CoveringPlan[]> {
  const solo = new Map<string, Plan>();
  for (const id of ids) solo.set(id, await planTogether(dir, catalogue, [id]));
  const touchedBy = new Map<string, number>();
  for (const plan of solo.values()) for (const c of plan.changes) touchedBy.set(c.path, (touchedBy.get(c.path) ?? 0) + 1);
  const shared = new Set([...touchedBy].filter(([, n]) => n > 1).map(([path]) => path));

  const out: CoveringPlan[] = [];
  let left = [...ids];
  while (left.length > 0) {
    if (left.length === 1) {
      out.push({ ids: left, covers: left, plan: solo.get(left[0]!)! });
      break;
    }
    const plan = await planTogether(dir, catalogue, left);
    const covers = left.filter((id) => missingFrom(plan, solo.get(id)!, shared).length === 0);
    if (covers.length > 0) {
      out.push({ ids: left, covers, plan });
      left = left.filter((id) => !covers.includes(id));
      continue;
    }
    // No recipe's solo change is in the combination of all that are left (they
    // compete for the same lines: the bot's start, the context type): pack them
    // greedily into groups whose plan contains every member's solo change.
    let group = [left[0]!];
    let groupPlan = solo.get(left[0]!)!;
    for (const id of left.slice(1)) {
      const tried = await planTogether(dir, catalogue, [...group, id]).catch(() => undefined);
      if (tried && [...group, id].every((g) => missingFrom(tried, solo.get(g)!, shared).length === 0)) {
        group = [...group, id];
        groupPlan = tried;
      }
    }
    out.push({ ids: group, covers: group, plan: groupPlan });
    left = left.filter((id) => !group.includes(id));
  }
  return out;
}
