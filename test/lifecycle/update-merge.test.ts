// The three-way merge of one generated file, as `update` uses it.
import { describe, expect, it } from "vitest";
import { merge3 } from "../../src/lifecycle/merge3.js";

const labels = { ours: "yours", base: "base", theirs: "recipe" };
const base = "a\nb\nc\nd\ne\nf\ng\n";

describe("merge3", () => {
  it("keeps the user's line and takes the recipe's change elsewhere", () => {
    expect(merge3(base, "a\nB\nc\nd\ne\nf\ng\n", "a\nb\nc\nd\ne\nf\nG\n", labels)).toEqual({ text: "a\nB\nc\nd\ne\nf\nG\n", conflicts: 0 });
  });

  it("marks a line both changed differently, diff3 style", () => {
    const { text, conflicts } = merge3(base, "a\nB\nc\nd\ne\nf\ng\n", "a\nX\nc\nd\ne\nf\ng\n", labels);
    expect(conflicts).toBe(1);
    expect(text).toBe("a\n<<<<<<< yours\nB\n||||||| base\nb\n=======\nX\n>>>>>>> recipe\nc\nd\ne\nf\ng\n");
  });

  it("a conflict on the last line keeps one final newline", () => {
    const { text, conflicts } = merge3(base, "a\nb\nc\nd\ne\nf\nY\n", "a\nb\nc\nd\ne\nf\nZ\n", labels);
    expect(conflicts).toBe(1);
    expect(text).toBe("a\nb\nc\nd\ne\nf\n<<<<<<< yours\nY\n||||||| base\ng\n=======\nZ\n>>>>>>> recipe\n");
  });

  it("the same change on both sides is no conflict", () => {
    expect(merge3(base, "a\nQ\nc\nd\ne\nf\ng\n", "a\nQ\nc\nd\ne\nf\ng\n", labels)).toEqual({ text: "a\nQ\nc\nd\ne\nf\ng\n", conflicts: 0 });
  });

  it("keeps the user's CRLF line endings", () => {
    expect(merge3("a\r\nb\r\nc\r\nd\r\ne\r\n", "a\r\nB\r\nc\r\nd\r\ne\r\n", "a\nb\nc\nd\nE\n", labels)).toEqual({ text: "a\r\nB\r\nc\r\nd\r\nE\r\n", conflicts: 0 });
  });
});
