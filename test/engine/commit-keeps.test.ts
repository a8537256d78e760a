// Files keep what they were: modes, symlinks, hard links, bytes, line endings.
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { addDependencies } from "../../src/engine/package-json.js";
import { Tree } from "../../src/engine/tree.js";
import { scanProject } from "../../src/project/scan-project.js";
import { runCli, treeHash } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

function commitOne(dir: string, path: string, after: string): void {
  const tree = new Tree(dir);
  tree.write(path, after);
  commitChanges(dir, tree.changes());
}

describe("modes", () => {
  it.each([
    ["a 0600 package.json", "package.json", 0o600],
    ["a 0755 script with a shebang", "run.ts", 0o755],
    ["a 0444 file", "ro.ts", 0o444],
  ])("%s keeps its mode", (_, path, mode) => {
    const dir = tmpDir("modes");
    writeFileSync(join(dir, path), "#!/usr/bin/env node\nold\n");
    chmodSync(join(dir, path), mode);
    commitOne(dir, path, "#!/usr/bin/env node\nnew\n");
    expect(readFileSync(join(dir, path), "utf8")).toContain("new");
    expect(statSync(join(dir, path)).mode & 0o7777).toBe(mode);
  });
});

describe("owner", () => {
  // Only root may give a file away: as another user the commit keeps the mode and leaves the owner to the system.
  it.skipIf(process.getuid?.() !== 0)("a file owned by another user keeps its owner and group when rewritten (run as root)", () => {
    const dir = tmpDir("owner");
    writeFileSync(join(dir, "package.json"), "{}\n");
    chownSync(join(dir, "package.json"), 1234, 2345);
    commitOne(dir, "package.json", '{ "name": "x" }\n');
    const stat = statSync(join(dir, "package.json"));
    expect([stat.uid, stat.gid]).toEqual([1234, 2345]);
    expect(readFileSync(join(dir, "package.json"), "utf8")).toContain('"x"');
  });
});

describe("links", () => {
  it("a symlink to a file inside the project is written through; the link stays a link", () => {
    const dir = tmpDir("links");
    mkdirSync(join(dir, "config"));
    writeFileSync(join(dir, "config/package.json"), "{}\n");
    symlinkSync("config/package.json", join(dir, "package.json"));
    commitOne(dir, "package.json", '{ "name": "x" }\n');
    expect(lstatSync(join(dir, "package.json")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "package.json"))).toBe("config/package.json");
    expect(readFileSync(join(dir, "config/package.json"), "utf8")).toBe('{ "name": "x" }\n');
  });

  it("a symlink to a file outside the project is refused, and the outside file left alone", () => {
    const dir = tmpDir("links");
    const outside = join(tmpDir("outside"), "gitignore");
    writeFileSync(outside, "node_modules\n");
    symlinkSync(outside, join(dir, ".gitignore"));
    const tree = new Tree(dir);
    // Planning already refuses a path through a link that leaves the project; the writer refuses too.
    expect(() => commitChanges(dir, [{ path: ".gitignore", kind: "update", before: "node_modules\n", after: "node_modules\n/downloads/\n" }])).toThrow(/\.gitignore is a symlink to .*, outside the project; it is left as it is/);
    expect(() => tree.write(".gitignore", "x")).toThrow(/symlink that points outside the project/);
    expect(readFileSync(outside, "utf8")).toBe("node_modules\n");
    expect(lstatSync(join(dir, ".gitignore")).isSymbolicLink()).toBe(true);
  });

  it("a hard-linked file is written in place: every name sees the change", () => {
    const dir = tmpDir("links");
    writeFileSync(join(dir, "a.ts"), "old\n");
    linkSync(join(dir, "a.ts"), join(dir, "b.ts"));
    commitOne(dir, "a.ts", "new\n");
    expect(readFileSync(join(dir, "b.ts"), "utf8")).toBe("new\n");
    expect(statSync(join(dir, "a.ts")).nlink).toBe(2);
  });
});

describe("bytes and line endings", () => {
  it("package.json with a UTF-8 BOM is read, and keeps its BOM when a dependency is added", () => {
    const dir = copyFixture("cjs-single");
    const path = join(dir, "package.json");
    writeFileSync(path, `\uFEFF${readFileSync(path, "utf8")}`);
    expect(scanProject(dir).packageJson).toBeTypeOf("object");
    const { text } = addDependencies(readFileSync(path, "utf8"), [{ name: "@grammyjs/files", version: "^1.1.1" }]);
    expect(text.startsWith("\uFEFF{")).toBe(true);
    expect(JSON.parse(text.slice(1)).dependencies["@grammyjs/files"]).toBe("^1.1.1");
  });

  it("CR-only package.json and .gitignore stay CR-only", () => {
    const dir = copyFixture("cjs-single");
    const pkg = join(dir, "package.json");
    writeFileSync(pkg, readFileSync(pkg, "utf8").replace(/\r?\n/g, "\r"));
    writeFileSync(join(dir, ".gitignore"), "node_modules\rdist\r");
    const r = runCli(["add", "file-download", "--yes", "--no-install", "--no-check", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    for (const file of [pkg, join(dir, ".gitignore")]) {
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain("\n");
      expect(text).toContain("\r");
    }
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("node_modules\rdist\r/downloads/\r");
  });

  it("'.' is a valid folder answer (the project folder; nothing to add to .gitignore)", () => {
    const dir = copyFixture("cjs-single");
    const r = runCli(["add", "file-download", "--yes", "--no-install", "--no-check", "--set", "downloadDir=.", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("the project scan", () => {
  it("is linear on a file with many unclosed `import {` after a mention of grammy", () => {
    const dir = tmpDir("scan");
    writeFileSync(join(dir, "package.json"), "{}\n");
    writeFileSync(join(dir, "huge.ts"), `// grammy\n${"import {\n".repeat(40_000)}`);
    const start = performance.now();
    scanProject(dir);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe("the tree hash helper", () => {
  it("tells files apart by mode", () => {
    const dir = tmpDir("hash");
    writeFileSync(join(dir, "a"), "x");
    const before = treeHash(dir);
    chmodSync(join(dir, "a"), 0o600);
    expect(treeHash(dir)).not.toBe(before);
  });
});
