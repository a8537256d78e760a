// add X, add Y (in a random order), remove X: Y stays wired. Pairs and
// orders are drawn by fast-check with a fixed seed. Each pair runs on a copy
// of a fixture on disk (add and remove committed with commitChanges); Y's
// generated files are untouched, the record lists Y alone, Y's recorded
// edits are all in place (removing Y as well gives the fixture back byte for
// byte), and a sample of the results type-checks
// (strict, one compiler run for all of them).
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { sha256 } from "../../src/engine/journal.js";
import { Tree } from "../../src/engine/tree.js";
import type { RemovePlan } from "../../src/lifecycle/plan-remove.js";
import { readRecord } from "../../src/lifecycle/record-io.js";
import type { RecordedRecipe } from "../../src/record/record-file.js";
import { catalogue, copyFixture, fixturesDir, recipes, repoRoot, tmpDir } from "../helpers/recipes.js";
import { renderString } from "../../src/render/render-recipe.js";
import { planAddRecorded, planRemoveIn } from "./remove-helpers.js";

const FIXTURE = "cjs-single";
const ids = recipes.map((r) => r.manifest.id);
const pairs = fc.sample(
  fc
    .tuple(fc.constantFrom(...ids), fc.constantFrom(...ids), fc.boolean())
    .filter(([x, y]) => x !== y)
    .map(([x, y, xFirst]) => ({ x, y, order: xFirst ? [x, y] : [y, x] })),
  { seed: 14, numRuns: 16 },
);
const TYPECHECKED = 10;

interface Outcome {
  x: string;
  y: string;
  order: string[];
  dir: string;
  plan: RemovePlan;
  /** Y's record entry as the last add left it. */
  yEntry: RecordedRecipe;
}

const parent = tmpDir("remove-pairs");
const outcomes: Outcome[] = [];

/** Every file under a folder, relative. */
function filesOf(root: string, rel = ""): string[] {
  return readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesOf(root, `${rel}${e.name}/`) : [`${rel}${e.name}`]));
}

beforeAll(async () => {
  for (const [i, { x, y, order }] of pairs.entries()) {
    const into = join(parent, String(i));
    mkdirSync(into, { recursive: true });
    const dir = copyFixture(FIXTURE, into);
    for (const id of order) commitChanges(dir, (await planAddRecorded(dir, id)).changes);
    const yEntry = readRecord(new Tree(dir))!.recipes.find((r) => r.id === y)!;
    const plan = planRemoveIn(new Tree(dir), [x]);
    commitChanges(dir, plan.changes);
    outcomes.push({ x, y, order, dir, plan, yEntry });
  }
}, 120_000);

describe(`add X, add Y, remove X on ${FIXTURE} (fast-check seed 14, ${pairs.length} pairs)`, () => {
  it("leaves Y wired: its files, its record entry, and every edit it made (removing Y next restores the fixture)", () => {
    const problems: string[] = [];
    for (const { x, y, order, dir, plan, yEntry: recorded } of outcomes) {
      const label = `${order.join(" then ")}, remove ${x}`;
      // Y's files that exist only with X (a sample test with the test kit: `"when": { "facts.recipe:<x>": true }`) go with X.
      const withX = new Set(
        catalogue
          .get(y)
          .manifest.files.filter((f) => Object.keys(f.when ?? {}).includes(`facts.recipe:${x}`))
          .map((f) => renderString(catalogue.get(y), f.target, { recipesDir: "recipes", bot: "bot" }, "target")),
      );
      const yEntry: RecordedRecipe = { ...recorded, files: recorded.files.filter((f) => !withX.has(f.path)) };
      for (const path of withX) if (existsSync(join(dir, path))) problems.push(`${label}: ${y}'s ${path}, which goes with ${x}, is still there`);
      const record = readRecord(new Tree(dir));
      if (JSON.stringify(record?.recipes) !== JSON.stringify([yEntry])) problems.push(`${label}: the record is not ${y}'s entry alone`);
      for (const f of yEntry.files) {
        const text = readFileSync(join(dir, f.path), "utf8");
        if (sha256(text) !== f.hash) problems.push(`${label}: ${y}'s ${f.path} changed`);
      }
      // Y is wired exactly as recorded: removing Y too (planned, not written) gives the fixture back byte for byte.
      const tree = new Tree(dir);
      const rest = planRemoveIn(tree, [y]);
      if (rest.manual.length > 0) problems.push(`${label}: ${y} can no longer be removed cleanly: ${rest.manual.map((m) => m.file).join(", ")}`);
      for (const file of filesOf(dir)) {
        const want = existsSync(join(fixturesDir, FIXTURE, file)) ? readFileSync(join(fixturesDir, FIXTURE, file), "utf8") : undefined;
        if (tree.read(file) !== want) problems.push(`${label}: then removing ${y} leaves ${file} ${want === undefined ? "behind" : "different from the fixture"}`);
      }
      // What could not be undone is said, never guessed (then it is the user's step, not a silent change).
      for (const m of plan.manual) if (m.code.trim() === "") problems.push(`${label}: a manual step without lines`);
    }
    expect(problems).toEqual([]);
  });

  it(`type-checks (strict) for ${TYPECHECKED} of the pairs, in one compiler run`, () => {
    const checked = outcomes.filter((o) => o.plan.manual.length === 0).slice(0, TYPECHECKED);
    expect(checked.length).toBe(Math.min(TYPECHECKED, outcomes.length));
    // One tsconfig over the sampled copies only (the others are not compiled).
    const config = {
      extends: relative(parent, join(fixturesDir, FIXTURE, "tsconfig.json")),
      compilerOptions: { noEmit: true, strict: true, types: ["node"], skipLibCheck: true, incremental: false },
      include: checked.map((o) => `./${relative(parent, o.dir)}/**/*.ts`),
      exclude: ["./**/node_modules"],
    };
    writeFileSync(join(parent, "tsconfig.sample.json"), JSON.stringify(config, null, 2));
    const result = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(parent, "tsconfig.sample.json"), "--pretty", "false"], { encoding: "utf8" });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
  }, 120_000);

  it("reports the pairs", () => {
    const lines = outcomes.map((o) => `${o.order.join(" then ")}, remove ${o.x}: ${o.plan.changes.length} change(s), ${o.plan.manual.length} manual step(s)`);
    process.stdout.write(`${lines.join("\n")}\n`);
    expect(lines).toHaveLength(pairs.length);
  });
});
