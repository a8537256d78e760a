// The bundled catalogue: every manifest valid, every seed row covered, and the README listing every recipe and snippet.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalogue, repoRoot } from "../helpers/recipes.js";

const seedRows = [...Array.from({ length: 35 }, (_, i) => `C${i + 1}`), "C6b", ...Array.from({ length: 10 }, (_, i) => `D${i + 1}`)];
const readme = readFileSync(join(repoRoot, "README.md"), "utf8");

describe("the bundled catalogue", () => {
  it("covers every row of RECIPES.md §3 with a recipe or a snippet", () => {
    const covered = new Set(catalogue.recipes.flatMap((r) => r.manifest.seeds));
    expect(seedRows.filter((row) => !covered.has(row))).toEqual([]);
  });

  it("is listed in the README: every recipe as a row of its table, every snippet by name", () => {
    for (const { manifest } of catalogue.recipes) {
      const listed = (manifest.kind ?? "recipe") === "recipe" ? `| \`${manifest.id}\` |` : `\`${manifest.id}\``;
      expect(readme, manifest.id).toContain(listed);
    }
    // The README is the npm page: the seed codes are internal and stay out of it.
    expect(readme).not.toMatch(/\| [CD]\d+b? \|/);
  });

  it("has ids equal to their folders and no clashes", () => {
    const ids = catalogue.recipes.map((r) => r.manifest.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of catalogue.recipes) expect(r.dir.endsWith(r.manifest.id)).toBe(true);
  });
});
