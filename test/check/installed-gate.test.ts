// The check gate sees what the user will see: a change whose new packages
// bring type errors once installed is rolled back (files, package.json, the
// lockfile) and the packages re-installed. A fake `npm` on PATH installs a
// local package offline, so the test runs the real CLI end to end.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyFixture, tmpDir } from "../helpers/recipes.js";
import { cli, listFiles } from "../new/helpers.js";

/** A pack whose one recipe uses `@fake/typed-value` as a number. */
function pack(): string {
  const dir = join(tmpDir("fake-dep-pack"), "pack");
  mkdirSync(join(dir, "uses-value"), { recursive: true });
  const manifest = {
    id: "uses-value",
    title: "Uses a value from a package",
    description: "Writes one module that doubles a number exported by a package it adds.",
    seeds: [],
    questions: [],
    dependencies: [{ name: "@fake/typed-value", version: "^1.0.0" }],
    files: [{ template: "uses-value.ts.hbs", target: "{{recipesDir}}/uses-value.ts" }],
    edits: [],
  };
  writeFileSync(join(dir, "uses-value/recipe.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, "uses-value/uses-value.ts.hbs"), 'import { value } from "@fake/typed-value";\n\nexport const doubled: number = value * 2;\n');
  return dir;
}

/**
 * A fake `npm`: `npm install -- <spec>` writes @fake/typed-value (whose `value`
 * has the given type) and a lockfile; a plain `npm install` syncs
 * node_modules with package.json (removes it when package.json lost it).
 */
function fakeNpm(valueType: "number" | "string"): { path: string; calls: () => string[] } {
  const dir = tmpDir("fake-npm");
  const log = join(dir, "calls.log");
  const script = `#!/bin/sh
echo "npm $*" >> "${log}"
if [ "$1" = "install" ] && [ -n "$2" ]; then
  mkdir -p node_modules/@fake/typed-value
  echo '{ "name": "@fake/typed-value", "version": "1.0.0", "types": "index.d.ts" }' > node_modules/@fake/typed-value/package.json
  echo 'export declare const value: ${valueType};' > node_modules/@fake/typed-value/index.d.ts
  echo '{ "lockfileVersion": 3 }' > package-lock.json
elif [ "$1" = "install" ]; then
  grep -q '@fake/typed-value' package.json || rm -rf node_modules/@fake
fi
exit 0
`;
  writeFileSync(join(dir, "npm"), script);
  chmodSync(join(dir, "npm"), 0o755);
  return { path: `${dir}${delimiter}${process.env.PATH ?? ""}`, calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []) };
}

const hashTree = (dir: string) => createHash("sha1").update(listFiles(dir).map((f) => `${f}\0${readFileSync(join(dir, f), "utf8")}`).join("\0")).digest("hex");

describe("add: the type check covers the packages the change installs", () => {
  it("rolls everything back when the installed package brings new type errors", () => {
    const dir = copyFixture("cjs-single");
    const before = hashTree(dir);
    const npm = fakeNpm("string");
    const r = cli(["add", "uses-value", "--yes", "--check", "--pm", "npm", "--templates", pack()], dir, { PATH: npm.path });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/with @fake\/typed-value@\^1\.0\.0 installed, the change adds 1 type error\(s\)/);
    expect(r.stderr).toMatch(/recipes\/uses-value\.ts:3:\d+ TS2362/);
    expect(r.stderr).toMatch(/rolled back .* and your packages re-installed/);
    // Exactly the old tree: no recipe file, package.json as it was, no lockfile, the package gone.
    expect(hashTree(dir)).toBe(before);
    expect(existsSync(join(dir, "package-lock.json"))).toBe(false);
    expect(existsSync(join(dir, "node_modules/@fake"))).toBe(false);
    expect(npm.calls()).toEqual(["npm install -- @fake/typed-value@^1.0.0", "npm install"]);
  });

  it("keeps the change when the installed package type-checks", () => {
    const dir = copyFixture("cjs-single");
    const npm = fakeNpm("number");
    const r = cli(["add", "uses-value", "--yes", "--check", "--pm", "npm", "--templates", pack()], dir, { PATH: npm.path });
    expect(r.stderr).toMatch(/type-checked again with the new packages installed: no new errors/);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, "recipes/uses-value.ts"), "utf8")).toContain("value * 2");
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).dependencies["@fake/typed-value"]).toBe("^1.0.0");
    expect(npm.calls()).toEqual(["npm install -- @fake/typed-value@^1.0.0"]);
  });
});
