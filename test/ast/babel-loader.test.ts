import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, tmpDir } from "../helpers/recipes.js";

// On Node 20 the parser is run with V8's code cache of an earlier run (src/ast/syntax/babel-loader.ts).
const nativeCache = typeof ((await import("node:module")).default as { enableCompileCache?: unknown }).enableCompileCache === "function";

/** Parses one file in a fresh process with the code cache in `cache`; returns what it printed. */
function parseInChild(cache: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const { parseTs } = await import(${JSON.stringify(join(repoRoot, "dist/src/ast/parse.js"))});
    const tree = parseTs("bot.ts", 'import { Bot } from "grammy";\\nconst bot = new Bot("t");\\nbot.start();\\n');
    console.log(tree.getDescendantsOfKind("CallExpression").map((c) => c.getText()).join("|"));
  `;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, CREATE_BOT_SNIPPET_CODE_CACHE: cache }, encoding: "utf8" });
}

describe.skipIf(nativeCache)("the parser's code cache (Node 20)", () => {
  it("is written by the first run, used by the next, and a damaged one is ignored and replaced", () => {
    const cache = tmpDir("code-cache");
    const first = parseInChild(cache);
    expect(first.stderr).toBe("");
    expect(first.stdout.trim()).toBe("bot.start()");
    const [file] = readdirSync(cache);
    expect(file).toMatch(/^babel-parser-[\d.]+-v[\d.]+-\w+\.bin$/);
    const written = readFileSync(join(cache, file!));
    expect(written.length).toBeGreaterThan(10_000);

    expect(parseInChild(cache).stdout.trim()).toBe("bot.start()");

    writeFileSync(join(cache, file!), Buffer.from("not a code cache"));
    const damaged = parseInChild(cache);
    expect(damaged.stderr).toBe("");
    expect(damaged.stdout.trim()).toBe("bot.start()");
    expect(readFileSync(join(cache, file!)).length).toBeGreaterThan(10_000);
  });

  it("is not used with CREATE_BOT_SNIPPET_CODE_CACHE=off, and a folder it cannot write only costs time", () => {
    expect(parseInChild("off").stdout.trim()).toBe("bot.start()");
    const blocked = join(tmpDir("code-cache"), "file");
    writeFileSync(blocked, "");
    const run = parseInChild(join(blocked, "sub"));
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("bot.start()");
    expect(existsSync(join(blocked, "sub"))).toBe(false);
  });
});
