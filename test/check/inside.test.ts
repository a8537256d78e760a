import { isAbsolute, relative, sep } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inside } from "../../src/check/check-cache.js";

// The gate keys each file of a checked program by `inside` (project-relative
// when in the project): it must say what path.relative said before it took
// its short way, for every pair of paths, normalized or not.
const byRelative = (folder: string, path: string) => {
  const rel = relative(folder, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : undefined;
};

const segment = fc.constantFrom("a", "b", "ab", "src", ".", "..", "..x", ".x", "", "a.ts", "node_modules", "A");
const path = fc.tuple(fc.array(segment, { maxLength: 5 }), fc.boolean(), fc.boolean()).map(([parts, absolute, trailing]) => `${absolute ? "/" : ""}${parts.join("/")}${trailing ? "/" : ""}`);

describe("inside (a file's key in a checked state)", () => {
  it("agrees with path.relative on every pair of paths", () => {
    fc.assert(
      fc.property(path, path, (folder, file) => {
        expect(inside(folder, file)).toBe(byRelative(folder, file));
      }),
      { numRuns: 20_000 },
    );
  });

  it("takes a file under the folder, and nothing beside or above it", () => {
    expect(inside("/w/bot", "/w/bot/src/bot.ts")).toBe("src/bot.ts");
    expect(inside("/w/bot", "/w/bot-2/src/bot.ts")).toBeUndefined();
    expect(inside("/w/bot", "/w/bot")).toBeUndefined();
    expect(inside("/w/bot", "/w/bot/../x.ts")).toBeUndefined();
    expect(inside("/", "/w/x.ts")).toBe("w/x.ts");
  });
});
