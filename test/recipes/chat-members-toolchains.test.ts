// chat-members in every answer combination (file or Redis, with or without
// member tracking) type-checks on the oldest toolchain it declares (TypeScript
// 4.5, grammY 1.20, @types/node 16) and on the strictest (exactOptionalPropertyTypes,
// noUncheckedIndexedAccess, NodeNext): the field matrix only adds each recipe with its defaults.
import { describe, expect, it } from "vitest";
import { applyRecipes } from "../helpers/recipes.js";
import { checkFieldCopies, copyFieldFixture, prepareFieldRoot } from "../helpers/toolchain.js";

const combos = [
  { store: "file", members: false },
  { store: "file", members: true },
  { store: "redis", members: false },
  { store: "redis", members: true },
];

describe.each(["ts45-function-bot", "ts59-nodenext-strictest"])("chat-members on %s", (fixture) => {
  it("every answer combination type-checks with the fixture's own toolchain", { timeout: 240_000 }, async () => {
    const { root, versions } = prepareFieldRoot(fixture);
    const copies: string[] = [];
    for (const answers of combos) {
      const dir = copyFieldFixture(fixture, root, `${answers.store}-${answers.members ? "members" : "chats"}`);
      const plan = await applyRecipes(dir, [{ id: "chat-members", answers }]);
      expect(plan.skipped).toEqual([]);
      copies.push(dir);
    }
    const result = await checkFieldCopies(root, copies);
    expect(result.diagnostics.map((d) => `${versions.typescript}: ${JSON.stringify(d)}`)).toEqual([]);
  });
});
