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
    const first = runCli(["show", "error-handler"], { env });
    expect(first.code).toBe(0);
    const caches = readdirSync(codeDir).filter((name) => name.startsWith("bundle-"));
    expect(caches).toEqual(expect.arrayContaining([expect.stringMatching(/^bundle-cli-[0-9a-f]{20}-v[\d.]+-\w+\.bin$/)]));
    const again = runCli(["show", "error-handler"], { env });
    expect(again).toEqual(first);
    expect(readdirSync(codeDir).filter((name) => name.startsWith("bundle-")).sort()).toEqual(caches.sort());
    for (const name of caches) writeFileSync(join(codeDir, name), "not a code cache");
    expect(runCli(["show", "error-handler"], { env })).toEqual(first);
    // A command that asks and writes, from caches: add with a question answered, in a project.
    const dir = copyFixture("cjs-single");
    const added = runCli(["add", "access-control", "--set", "userIds=42", "--yes", "--no-install", "--no-check", "--cwd", dir], { env });
    expect(added.code, added.stderr).toBe(0);
    const addedAgain = runCli(["add", "rate-limit", "--yes", "--no-install", "--no-check", "--cwd", dir], { env });
    expect(addedAgain.code, addedAgain.stderr).toBe(0);
  });

  it("CREATE_BOT_SNIPPET_CODE_CACHE=off: runs without one", () => {
    const r = runCli(["list"], { env: { CREATE_BOT_SNIPPET_CODE_CACHE: "off" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("error-handler");
  });
});
