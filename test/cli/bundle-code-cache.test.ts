// On Node 20, bin compiles the bundle's chunks with V8's code cache of an
// earlier run (src/core/bundle-code-cache.ts). Node 22 uses its own compile
// cache instead, and these runs then write no chunk caches.
import nodeModule from "node:module";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

const node20 = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache !== "function";

describe.skipIf(!node20)("the bundle's code cache (Node 20)", () => {
  it("the first run writes a cache per chunk it loaded; later runs, and runs with caches that do not fit, print the same", () => {
    const codeDir = tmpDir("bundle-code-cache");
    const env = { CREATE_BOT_SNIPPET_CODE_CACHE: codeDir };
    const dir = copyFixture("cjs-single");
    const dryRun = ["add", "error-handler", "--dry-run", "--no-check", "--cwd", dir];
    const first = runCli(dryRun, { env });
    expect(first.code, first.stderr).toBe(0);
    const caches = readdirSync(codeDir).filter((name) => name.startsWith("bundle-"));
    expect(caches).toEqual(expect.arrayContaining([expect.stringMatching(/^bundle-cli-[0-9a-f]{20}-v[\d.]+-\w+\.bin$/), expect.stringMatching(/^bundle-add-/)]));
    const again = runCli(dryRun, { env });
    expect(again).toEqual(first);
    expect(readdirSync(codeDir).filter((name) => name.startsWith("bundle-")).sort()).toEqual(caches.sort());
    for (const name of caches) writeFileSync(join(codeDir, name), "not a code cache");
    expect(runCli(dryRun, { env })).toEqual(first);
    // Commands that ask and write, from caches: add with a question answered, then another.
    const added = runCli(["add", "access-control", "--set", "userIds=42", "--yes", "--no-install", "--no-check", "--cwd", dir], { env });
    expect(added.code, added.stderr).toBe(0);
    const addedAgain = runCli(["add", "rate-limit", "--yes", "--no-install", "--no-check", "--cwd", dir], { env });
    expect(addedAgain.code, addedAgain.stderr).toBe(0);
  });

  it("list, show and --help load no code cache (they compile little)", () => {
    const codeDir = tmpDir("bundle-code-cache-light");
    for (const args of [["list"], ["show", "error-handler"], ["--help"]]) expect(runCli(args, { env: { CREATE_BOT_SNIPPET_CODE_CACHE: codeDir } }).code).toBe(0);
    expect(readdirSync(codeDir).filter((name) => name.startsWith("bundle-"))).toEqual([]);
  });

  it("CREATE_BOT_SNIPPET_CODE_CACHE=off: runs without one", () => {
    const r = runCli(["list"], { env: { CREATE_BOT_SNIPPET_CODE_CACHE: "off" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("error-handler");
  });
});
