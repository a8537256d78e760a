// remove in a project without a record (recipes added before there was
// one): every recipe added with default answers to the matrix fixtures,
// then the record deleted. Removal by recognition either gives the fixture
// back byte for byte, or says by path what it could not infer; it never
// leaves a difference unsaid.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Tree } from "../../src/engine/tree.js";
import { planRecognisedRemove } from "../../src/lifecycle/recognise.js";
import { BASE_DIR, RECORD_FILE } from "../../src/record/record-file.js";
import { catalogue, fixtureNames, fixturesDir, recipes } from "../helpers/recipes.js";
import { applyToTree, planAddRecorded } from "./remove-helpers.js";

describe.each(fixtureNames)("%s without a record", (fixture) => {
  it("undoes each recipe exactly, or lists what it cannot infer", async () => {
    const dir = join(fixturesDir, fixture);
    const silent: string[] = [];
    const counts = { identical: 0, manual: 0, unrecognised: 0, refusedByAdd: 0 };
    for (const recipe of recipes) {
      const id = recipe.manifest.id;
      let changes;
      try {
        ({ changes } = await planAddRecorded(dir, id));
      } catch {
        counts.refusedByAdd++;
        continue;
      }
      const tree = new Tree(dir);
      applyToTree(tree, changes.filter((c) => c.path !== RECORD_FILE && !c.path.startsWith(`${BASE_DIR}/`)));
      let plan;
      try {
        plan = planRecognisedRemove({ tree, refs: [id], catalogue });
      } catch (error) {
        counts.unrecognised++;
        expect((error as Error).message).toMatch(new RegExp(`^${id} is not installed in this project`));
        continue;
      }
      const left = tree.changes();
      if (left.length === 0) counts.identical++;
      else if (plan.manual.length > 0 || plan.kept.length > 0) counts.manual++;
      else silent.push(`${id}: ${left.map((c) => c.path).join(", ")} differ and nothing says so`);
    }
    process.stdout.write(`without a record, ${fixture}: ${JSON.stringify(counts)}\n`);
    expect(silent).toEqual([]);
  }, 60_000);
});
