// `add X` then `remove X` gives back the original tree byte for byte, on
// every fixture project (test/fixtures/* of the recipe matrix and the field
// fixtures) and every recipe with default answers. Both are planned in one
// virtual Tree over the fixture itself: the round trip is exact when the
// tree has no change left against the disk.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Tree } from "../../src/engine/tree.js";
import { fieldDir, fieldFixtureNames } from "../helpers/toolchain.js";
import { fixtureNames, fixturesDir, recipes, tmpRoot } from "../helpers/recipes.js";
import { applyToTree, planAddRecorded, planRemoveIn } from "./remove-helpers.js";

const projects = [...fixtureNames.map((name) => ({ name, dir: join(fixturesDir, name) })), ...fieldFixtureNames.map((name) => ({ name: `field/${name}`, dir: join(fieldDir, name) }))];
const rows: string[] = [];
const totals = { pairs: 0, refused: 0, identical: 0 };

afterAll(() => {
  const summary = `round trip (add X, remove X): ${recipes.length} recipes × ${projects.length} fixtures = ${totals.pairs}; add refused ${totals.refused}; byte-identical ${totals.identical} of ${totals.pairs - totals.refused}\n${rows.join("\n")}\n`;
  mkdirSync(tmpRoot, { recursive: true });
  writeFileSync(join(tmpRoot, "round-trip-summary.txt"), summary);
  process.stdout.write(summary);
});

describe.each(projects)("$name", ({ name, dir }) => {
  it("add X then remove X leaves every file byte-identical, for every recipe", async () => {
    const differ: string[] = [];
    let refused = 0;
    for (const recipe of recipes) {
      const id = recipe.manifest.id;
      totals.pairs++;
      let changes;
      try {
        ({ changes } = await planAddRecorded(dir, id));
      } catch {
        refused++;
        totals.refused++;
        continue;
      }
      const tree = new Tree(dir);
      applyToTree(tree, changes);
      const removal = planRemoveIn(tree, [id]);
      const left = tree.changes();
      if (left.length === 0 && removal.manual.length === 0) totals.identical++;
      else differ.push(`${id}: ${left.map((c) => `${c.kind} ${c.path}`).join(", ")}${removal.manual.length > 0 ? ` manual: ${removal.manual.map((m) => `${m.file} ${m.reason}`).join("; ")}` : ""}`);
    }
    rows.push(`${name.padEnd(36)} recipes ${recipes.length}, refused by add ${refused}, not identical ${differ.length}`);
    expect(differ).toEqual([]);
  }, 60_000);
});
