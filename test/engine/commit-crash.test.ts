// A commit killed at any point leaves, after the next run, exactly the old tree or exactly the new one.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { journalPath, recoverInterruptedCommit } from "../../src/engine/journal.js";
import { Tree, type FileChange } from "../../src/engine/tree.js";
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

/**
 * A project and a change that mixes all three kinds: bot.ts updated, a file
 * created in a new folder, and files deleted: all of old/ (nested, with a
 * 0755 script and a 0700 folder, so the folders go too) and one file of
 * keep/, whose other file stays (so keep/ stays).
 */
function mixedChange(): { dir: string; changes: FileChange[]; changesFile: string; oldHash: string } {
  const dir = copyFixture("cjs-single");
  mkdirSync(join(dir, "old/deep"), { recursive: true });
  writeFileSync(join(dir, "old/run.ts"), "#!/usr/bin/env node\nconsole.log(1);\n");
  chmodSync(join(dir, "old/run.ts"), 0o755);
  writeFileSync(join(dir, "old/deep/y.ts"), "export const y = 2;\n");
  chmodSync(join(dir, "old/deep"), 0o700);
  mkdirSync(join(dir, "keep"));
  writeFileSync(join(dir, "keep/gone.ts"), "export const gone = 1;\n");
  writeFileSync(join(dir, "keep/mine.ts"), "export const mine = 1;\n");
  const tree = new Tree(dir);
  tree.write("bot.ts", `${tree.read("bot.ts")}// updated\n`);
  tree.write("lib/new/a.ts", "export const a = 1;\n");
  tree.delete("old/run.ts");
  tree.delete("old/deep/y.ts");
  tree.delete("keep/gone.ts");
  const changes = tree.changes();
  const changesFile = join(tmpDir("crash-changes"), "changes.json");
  writeFileSync(changesFile, JSON.stringify(changes));
  return { dir, changes, changesFile, oldHash: treeHash(dir) };
}

/** Every file and folder under a folder, with modes (treeHash sees no empty folders). */
function layout(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => `${f} ${(statSync(join(dir, f)).mode & 0o7777).toString(8)}${statSync(join(dir, f)).isDirectory() ? "/" : ""}`);
}

describe("a commit that creates, updates and deletes", () => {
  it("writes the new tree: deleted files gone, the folders they emptied removed, other folders kept", () => {
    const { dir, changes } = mixedChange();
    expect(changes.map((c) => `${c.kind} ${c.path}`)).toEqual(["update bot.ts", "delete keep/gone.ts", "create lib/new/a.ts", "delete old/deep/y.ts", "delete old/run.ts"]);
    commitChanges(dir, changes);
    expect(existsSync(join(dir, "old"))).toBe(false);
    expect(readdirSync(join(dir, "keep"))).toEqual(["mine.ts"]);
    expect(readFileSync(join(dir, "lib/new/a.ts"), "utf8")).toBe("export const a = 1;\n");
    expect(existsSync(journalPath(dir))).toBe(false);
  });

  it("killed with SIGKILL at every stage, rename (or delete) and folder removal step, is rolled back to exactly the old tree, modes and folders included", () => {
    const { changes } = mixedChange();
    const script = childScript(`process.kill(process.pid, "SIGKILL");`);
    const steps: Array<[string, number]> = [
      ...changes.flatMap((c, i) => (c.kind === "delete" ? [] : [["stage", i] as [string, number]])), // a delete stages nothing
      ...changes.map((_, i) => ["rename", i] as [string, number]),
      ["rmdir", 0],
      ["rmdir", 1],
    ];
    for (const [step, i] of steps) {
      const { dir, changesFile, oldHash } = mixedChange();
      const oldLayout = layout(dir);
      const r = spawnSync(process.execPath, [script, dir, changesFile, step, String(i)], { encoding: "utf8" });
      expect(r.signal, `${step} ${i}: ${r.stdout}${r.stderr}`).toBe("SIGKILL");
      expect(existsSync(journalPath(dir))).toBe(true);
      if (step === "rmdir") expect(existsSync(join(dir, "old/run.ts"))).toBe(false); // every file was in place when it died
      expect(recoverInterruptedCommit(dir)[0]).toMatch(/rolled it back/);
      expect(treeHash(dir), `${step} ${i}`).toBe(oldHash);
      expect(layout(dir), `${step} ${i}`).toEqual(oldLayout);
      expect(noTemps(dir)).toEqual([]);
    }
  });

  it("run to the end in a child process (no step killed) is exactly the new tree, modes and folders included", () => {
    const { dir, changes, changesFile, oldHash } = mixedChange();
    const expected = mixedChange();
    commitChanges(expected.dir, expected.changes);
    const script = childScript(`process.kill(process.pid, "SIGKILL");`);
    // A step index that never comes: the commit completes.
    const r = spawnSync(process.execPath, [script, dir, changesFile, "rmdir", "99"], { encoding: "utf8" });
    expect(r.stdout).toBe("committed\n");
    expect(snapshot(dir)).toEqual(snapshot(expected.dir));
    expect(layout(dir)).toEqual(layout(expected.dir));
    expect(treeHash(dir)).not.toBe(oldHash);
    expect(changes.length).toBe(5);
  });

  it("failing at any step (an error, not a kill) puts back exactly the old tree in the same run", () => {
    const { changes } = mixedChange();
    const steps: Array<[string, number]> = [["stage", 2], ["rename", 0], ["rename", 1], ["rename", 4], ["rmdir", 0], ["rmdir", 1]];
    for (const [at, index] of steps) {
      const { dir, oldHash } = mixedChange();
      const oldLayout = layout(dir);
      const boom = new Error("EIO: i/o error");
      expect(() => commitChanges(dir, changes, { step: (step, i) => { if (step === at && i === index) throw boom; } }), `${at} ${index}`).toThrow(/i\/o error.*nothing was changed/);
      expect(treeHash(dir)).toBe(oldHash);
      expect(layout(dir)).toEqual(oldLayout);
      expect(existsSync(journalPath(dir))).toBe(false);
    }
  });
});
