// package-script: a script is added to package.json only when the project has none by that name.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageScript } from "../../src/engine/ops/package-script.js";
import type { OpContext } from "../../src/engine/plan-types.js";
import { Tree } from "../../src/engine/tree.js";
import { tmpDir } from "../helpers/recipes.js";

function run(pkg: string | undefined, command = "vitest run"): { text: string | undefined; notes: string[] } {
  const dir = tmpDir("package-script");
  if (pkg !== undefined) writeFileSync(join(dir, "package.json"), pkg);
  const tree = new Tree(dir);
  const notes: string[] = [];
  const ctx = { tree, render: (t: string) => t, note: (n: string) => notes.push(n) } as unknown as OpContext;
  packageScript({ op: "package-script", name: "test", command }, ctx);
  return { text: tree.read("package.json"), notes };
}

describe("package-script op", () => {
  it("adds the script, keeping the file's indentation, line endings and key order", () => {
    const { text } = run('{\r\n    "name": "x",\r\n    "scripts": {\r\n        "start": "node ."\r\n    },\r\n    "dependencies": {}\r\n}\r\n');
    expect(text).toBe('{\r\n    "name": "x",\r\n    "scripts": {\r\n        "start": "node .",\r\n        "test": "vitest run"\r\n    },\r\n    "dependencies": {}\r\n}\r\n');
  });

  it("adds a scripts section when there is none", () => {
    expect(JSON.parse(run('{ "name": "x" }').text!)).toEqual({ name: "x", scripts: { test: "vitest run" } });
  });

  it("replaces npm init's placeholder test script", () => {
    const { text } = run(JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }));
    expect(JSON.parse(text!).scripts.test).toBe("vitest run");
  });

  it("never changes the project's own script, and says how to run the new tests", () => {
    const original = JSON.stringify({ scripts: { test: "jest" } }, null, 2);
    const { text, notes } = run(original, "tsx --test test/*.test.ts");
    expect(text).toBe(original);
    expect(notes).toEqual(['package.json already has a "test" script (jest); left as it is: the new files run with `tsx --test test/*.test.ts`']);
  });

  it("changes nothing when the script is already there", () => {
    const original = JSON.stringify({ scripts: { test: "vitest run" } });
    expect(run(original).text).toBe(original);
  });

  it("without a package.json, notes the command", () => {
    const { text, notes } = run(undefined);
    expect(text).toBeUndefined();
    expect(notes[0]).toContain("vitest run");
  });
});
