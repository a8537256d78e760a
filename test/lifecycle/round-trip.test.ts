// `add X` then `remove X` gives back the original tree byte for byte, on
// every fixture project and every recipe with default answers (the field
// fixtures are split between this file and round-trip-field.test.ts so the
// two run side by side). add and remove are planned in one virtual Tree over
// the fixture itself: the round trip is exact when the tree has no change
// left against the disk, and no step was left to the user.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fieldDir, fieldFixtureNames } from "../helpers/toolchain.js";
import { fixtureNames, fixturesDir, recipes } from "../helpers/recipes.js";
import { roundTrip } from "./remove-helpers.js";

const half = Math.ceil(fieldFixtureNames.length / 2);
const projects = [...fixtureNames.map((name) => ({ name, dir: join(fixturesDir, name) })), ...fieldFixtureNames.slice(0, half).map((name) => ({ name: `field/${name}`, dir: join(fieldDir, name) }))];
const ids = recipes.map((r) => r.manifest.id);

describe.each(projects)("$name", ({ name, dir }) => {
  it("add X then remove X leaves every file byte-identical, for every recipe", async () => {
    const { refused, differ, identical } = await roundTrip(dir, ids);
    process.stdout.write(`round trip ${name}: ${ids.length} recipes, refused by add ${refused}, byte-identical ${identical}\n`);
    expect(differ).toEqual([]);
    expect(identical + refused).toBe(ids.length);
  }, 60_000);
});
