// A commit killed at any point leaves, after the next run, exactly the old tree or exactly the new one.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { journalPath, recoverInterruptedCommit } from "../../src/engine/journal.js";
import type { FileChange } from "../../src/engine/tree.js";
import { runCli, treeHash } from "../helpers/cli.js";
import { applyRecipes, copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";

const commitModule = pathToFileURL(join(repoRoot, "dist/src/engine/commit.js")).href;

/** A child process that commits `changes` into `dir` and runs `onStep` (JS source) at every step. */
function childScript(onStep: string): string {
  const file = join(tmpDir("crash-child"), "child.mjs");
  writeFileSync(
    file,
    `import { readFileSync } from "node:fs";
import { commitChanges } from ${JSON.stringify(commitModule)};
const [dir, changesFile, atStep, atIndex] = process.argv.slice(2);
commitChanges(dir, JSON.parse(readFileSync(changesFile, "utf8")), { step: (step, i) => { if (step === atStep && i === Number(atIndex)) { ${onStep} } } });
process.stdout.write("committed\\n");
`,
  );
  return file;
}

/** A project and a multi-file change: two updated files, several created in new folders. */
async function multiFileChange(): Promise<{ dir: string; changes: FileChange[]; changesFile: string; oldHash: string }> {
  const dir = copyFixture("cjs-single");
  const plan = await applyRecipes(dir, [{ id: "error-handler" }, { id: "access-control", answers: { userIds: "1" } }], { write: false });
  const changesFile = join(tmpDir("crash-changes"), "changes.json");
  writeFileSync(changesFile, JSON.stringify(plan.changes));
  return { dir, changes: plan.changes, changesFile, oldHash: treeHash(dir) };
}

/** Every file under a folder by relative path: equal means the same tree, wherever it is. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) if (statSync(join(dir, f)).isFile()) out[f] = readFileSync(join(dir, f), "utf8");
  return out;
}

function newTreeOf(changes: FileChange[]): Record<string, string> {
  const dir = copyFixture("cjs-single");
  commitChanges(dir, changes);
  return snapshot(dir);
}

const noTemps = (dir: string) => readdirSync(dir, { recursive: true }).filter((f) => String(f).includes(".bot-snippet-"));

describe("a commit killed with SIGKILL", () => {
  it("at every stage and rename step is rolled back by the next run to exactly the old tree", async () => {
    const { changes } = await multiFileChange();
    expect(changes.length).toBeGreaterThanOrEqual(3);
    const script = childScript(`process.kill(process.pid, "SIGKILL");`);
    for (const step of ["stage", "rename"]) {
      for (let i = 0; i < changes.length; i++) {
        const { dir, changesFile, oldHash } = await multiFileChange();
        const r = spawnSync(process.execPath, [script, dir, changesFile, step, String(i)], { encoding: "utf8" });
        expect(r.signal).toBe("SIGKILL");
        expect(existsSync(journalPath(dir))).toBe(true);
        if (step === "rename" && i > 0) expect(treeHash(dir)).not.toBe(oldHash); // half-written until recovered
        const done = recoverInterruptedCommit(dir);
        expect(done[0]).toMatch(/interrupted while writing .* rolled it back/);
        expect(treeHash(dir)).toBe(oldHash);
        expect(noTemps(dir)).toEqual([]);
        expect(existsSync(journalPath(dir))).toBe(false);
      }
    }
  });

  it("from outside (kill -9 of a child process) is rolled back by the next CLI run, which says so", async () => {
    const { dir, changes, changesFile, oldHash } = await multiFileChange();
    const script = childScript(`process.stdout.write("renaming\\n"); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);`);
    const child = spawn(process.execPath, [script, dir, changesFile, "rename", String(changes.length - 1)], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((done) => child.stdout.on("data", (d: Buffer) => d.toString().includes("renaming") && done()));
    spawnSync("kill", ["-9", String(child.pid)]);
    await new Promise((done) => child.on("close", done));
    expect(treeHash(dir)).not.toBe(oldHash);
    const next = runCli(["add", "error-handler", "--dry-run", "--cwd", dir]);
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(/an earlier run was interrupted while writing .*rolled it back: restored (bot\.ts|package\.json)/);
    expect(treeHash(dir)).toBe(oldHash);
  });
});

describe("SIGINT during a commit", () => {
  it("is held until every file is in place, then ends the process", async () => {
    const { dir, changes, changesFile } = await multiFileChange();
    const script = childScript(`process.kill(process.pid, "SIGINT");`);
    const r = spawnSync(process.execPath, [script, dir, changesFile, "rename", "1"], { encoding: "utf8" });
    expect(r.signal, `${r.status} ${r.stdout} ${r.stderr}`).toBe("SIGINT");
    expect(snapshot(dir)).toEqual(newTreeOf(changes));
    expect(existsSync(journalPath(dir))).toBe(false);
  });
});

describe("a full disk (ENOSPC) while staging", () => {
  it("leaves no temporary files and nothing changed", async () => {
    const { dir, changes, oldHash } = await multiFileChange();
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(() => commitChanges(dir, changes, { step: (step, i) => { if (step === "stage" && i === 2) throw enospc; } })).toThrow(/no space left.*nothing was changed/);
    expect(treeHash(dir)).toBe(oldHash);
    expect(noTemps(dir)).toEqual([]);
  });
});

describe("stray temporary files of a dead run", () => {
  it("are removed by the next run, which says so", () => {
    const dir = copyFixture("cjs-single");
    const before = treeHash(dir);
    writeFileSync(join(dir, "bot.ts.bot-snippet-4194300.tmp"), "");
    const r = runCli(["add", "error-handler", "--dry-run", "--cwd", dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/removed 1 temporary file\(s\) left by an interrupted run: bot\.ts\.bot-snippet-4194300\.tmp/);
    expect(treeHash(dir)).toBe(before);
  });
});
