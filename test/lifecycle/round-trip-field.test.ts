// add X then remove X, byte for byte: the second half of the field fixtures
// (the first half and the recipe-matrix fixtures are in round-trip.test.ts).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fieldDir, fieldFixtureNames } from "../helpers/toolchain.js";
import { recipes } from "../helpers/recipes.js";
import { roundTrip } from "./remove-helpers.js";

const half = Math.ceil(fieldFixtureNames.length / 2);
const projects = [...fieldFixtureNames.slice(half).map((name) => ({ name: `field/${name}`, dir: join(fieldDir, name) }))];
const ids = recipes.map((r) => r.manifest.id);

describe.each(projects)("$name", ({ name, dir }) => {
  it("add X then remove X leaves every file byte-identical, for every recipe", async () => {
    const { refused, differ, identical } = await roundTrip(dir, ids);
    process.stdout.write(`round trip ${name}: ${ids.length} recipes, refused by add ${refused}, byte-identical ${identical}\n`);
    expect(differ).toEqual([]);
    expect(identical + refused).toBe(ids.length);
  }, 60_000);
});
