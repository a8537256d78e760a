// The gate's compiler process (src/check/tsc-worker.ts, api-checker.ts): for
// TypeScript 4.5 to 6 the change is checked by the project's own TypeScript
// through its API, with the planned files laid over the project in memory.
// The oracle is tsc itself: the same project with the change really written,
// checked by `tsc --noEmit` of the same TypeScript, must give the same
// diagnostics (as text) and the same program files.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ApiChecker, prewarmCheck } from "../../src/check/api-checker.js";
import { findTypeScript, runTsc } from "../../src/check/tsc.js";
import { checkPlannedChanges } from "../../src/check/typecheck-gate.js";
import type { FileChange } from "../../src/engine/tree.js";
import { scratchCheckCache } from "../helpers/check-cache.js";
import { runCli } from "../helpers/cli.js";
import { copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";

const cache = scratchCheckCache("compiler-process-cache");
const toolchain = (version: string) => join(repoRoot, "test/toolchains/node_modules", `typescript-${version}`);

/** A copy of a fixture whose `typescript` is the given toolchain's. */
function project(fixture: string, version: string, into?: string): string {
  const dir = copyFixture(fixture, into);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(toolchain(version), join(dir, "node_modules/typescript"), "junction");
  return dir;
}

/**
 * A project of one module and es5's lib, with the given TypeScript: for the tests of the
 * mechanism (fallback, code cache), where what is checked does not matter, only that it is.
 */
function smallProject(version: string, label: string): string {
  const dir = tmpDir(label);
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(toolchain(version), join(dir, "node_modules/typescript"), "junction");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: label, private: true }));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, lib: ["es5"], types: [], noEmit: true }, include: ["src"] }));
  writeFileSync(join(dir, "src/index.ts"), "export const greeting: string = 'hi';\nexport const count: number = 'one';\n");
  return dir;
}

const change = (dir: string, path: string, after: string | null): FileChange => {
  let before: string | undefined;
  try {
    before = readFileSync(join(dir, path), "utf8");
  } catch {
    before = undefined;
  }
  return after === null ? { path, kind: "delete", before, after: "" } : { path, kind: before === undefined ? "create" : "update", before, after };
};

/** Writes the changes into `dir` (the oracle's copy). */
function write(dir: string, changes: FileChange[]): void {
  for (const c of changes) {
    const target = join(dir, c.path);
    if (c.kind === "delete") rmSync(target);
    else {
      mkdirSync(join(target, ".."), { recursive: true });
      writeFileSync(target, c.after);
    }
  }
}

const overlay = (changes: FileChange[]) => Object.fromEntries(changes.map((c) => [c.path, c.kind === "delete" ? null : c.after]));
/** Program files with the project's folder replaced by `<project>` (the oracle's copy is elsewhere). */
const files = (list: string[], dir: string) => list.map((f) => f.split(dir).join("<project>")).sort();

interface Case {
  name: string;
  changes: (dir: string) => FileChange[];
}

const esmCases: Case[] = [
  {
    name: "a new file in a new folder (found by `include`), imported by an edited file: clean",
    changes: (dir) => [
      change(dir, "src/features/extra/ping.ts", 'import { Composer } from "grammy";\nexport const ping = new Composer();\nping.command("ping", (ctx) => ctx.reply("pong"));\n'),
      change(dir, "src/bot.ts", readFileSync(join(dir, "src/bot.ts"), "utf8").replace("import { echo } from './features/echo.js'", "import { echo } from './features/echo.js'\nimport { ping } from './features/extra/ping.js'").replace("bot.use(echo)", "bot.use(ping)\n  bot.use(echo)")),
    ],
  },
  {
    name: "errors in an edited file and in a new one",
    changes: (dir) => [
      change(dir, "src/bot.ts", `${readFileSync(join(dir, "src/bot.ts"), "utf8")}\nexport const n: number = "one"\n`),
      change(dir, "src/broken.ts", "export const s: string = 1;\nexport const t = missing;\n"),
    ],
  },
  {
    name: "a deleted module that another imports",
    changes: (dir) => [change(dir, "src/features/echo.ts", null)],
  },
  {
    name: "package.json made CommonJS (module format of every file changes)",
    changes: (dir) => [change(dir, "package.json", readFileSync(join(dir, "package.json"), "utf8").replace('"type": "module"', '"type": "commonjs"'))],
  },
];

const cjsCases: Case[] = [
  {
    name: "a new file in a new folder, imported by the bot: clean",
    changes: (dir) => [change(dir, "lib/extra.ts", "export const extra = 1;\n"), change(dir, "bot.ts", `import { extra } from "./lib/extra";\n${readFileSync(join(dir, "bot.ts"), "utf8")}\nconsole.log(extra);\n`)],
  },
  {
    name: "an error in the edited bot",
    changes: (dir) => [change(dir, "bot.ts", `${readFileSync(join(dir, "bot.ts"), "utf8")}\nbot.command("x", (ctx) => ctx.reply(42));\n`)],
  },
];

// 4.5 and 5.9 bracket the two shapes of typescript.js (a namespace script before 5.0, an esbuild bundle since).
/** For TypeScript 4.5: a target it knows, and no @types/node (today's does not parse with them). */
const olderConfig = JSON.stringify({ compilerOptions: { target: "es2020", module: "commonjs", strict: true, esModuleInterop: true, types: [], skipLibCheck: true }, include: ["**/*.ts"], exclude: ["node_modules"] });
const matrix: Array<{ version: string; fixture: string; cases: Case[]; tsconfig?: string }> = [
  { version: "5.9", fixture: "esm-nodenext-factory", cases: esmCases },
  { version: "4.5", fixture: "cjs-single", cases: cjsCases, tsconfig: olderConfig },
];

const checkers: ApiChecker[] = [];
afterAll(() => checkers.forEach((c) => c.close()));

describe.concurrent("the compiler process gives what tsc gives on the written change", () => {
  for (const { version, fixture, cases, tsconfig } of matrix) {
    it(`TypeScript ${version}, ${fixture}: ${cases.length} changes through one process`, { timeout: 120_000 }, async () => {
      const dir = project(fixture, version);
      if (tsconfig) writeFileSync(join(dir, "tsconfig.json"), tsconfig);
      const ts = findTypeScript(dir)!;
      expect(ts.version.startsWith(version)).toBe(true);
      const checker = ApiChecker.start(dir, ts)!;
      expect(checker).toBeDefined();
      checkers.push(checker);
      const args = ["-p", "tsconfig.json", "--noEmit", "--composite", "false", "--incremental", "false", "--listFiles"];
      const outcomes: string[] = [];
      // (The project as it is, with nothing laid over it, is checked by the gate tests below.)
      for (const c of cases) {
        const changes = c.changes(dir);
        const copy = tmpDir(`oracle-${version}`); // as deep as the project: paths outside it read the same
        cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
        write(copy, changes);
        const [api, tsc] = await Promise.all([checker.check(overlay(changes)), runTsc(ts, args, copy)]);
        const listed = tsc.output.split("\n").filter((l) => l.startsWith("/"));
        expect(api.diagnostics, c.name).toEqual(tsc.diagnostics);
        expect(files(api.files, dir), c.name).toEqual(files(listed, copy));
        expect(api.code === 0, c.name).toBe(tsc.code === 0);
        outcomes.push(`${c.name}: ${api.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`).join(", ") || "clean"}`);
        // The project in memory only: nothing of the change reached its folder.
        expect(readdirSync(dir).sort()).toEqual(readdirSync(join(repoRoot, "test/fixtures", fixture)).concat("node_modules").sort());
      }
      // Not vacuous: the changes made to fail do fail, where they should.
      if (version === "5.9") {
        expect(outcomes).toEqual([
          expect.stringMatching(/^a new file .*: clean$/),
          expect.stringMatching(/^errors in .*: src\/bot\.ts:\d+ TS2322, src\/broken\.ts:1 TS2322, src\/broken\.ts:2 TS2304$/),
          expect.stringMatching(/^a deleted module .*: src\/bot\.ts:3 TS2307$/),
          expect.stringMatching(/^package\.json made CommonJS/),
        ]);
      }
      // Without @types/node, `process` is the project's own error; the change adds a wrong reply.
      if (version === "4.5") expect(outcomes.at(-1)).toMatch(/^an error in the edited bot: bot\.ts:3 TS2591, bot\.ts:17 TS2345$/);
    });
  }
});

describe("the gate through the compiler process", () => {
  it("add's early start is taken by the gate; new errors are told from the project's own (TypeScript 5.9)", { timeout: 60_000 }, async () => {
    const dir = project("esm-nodenext-factory", "5.9");
    writeFileSync(join(dir, "src/old-error.ts"), "export const old: number = 'already broken';\n");
    prewarmCheck(dir);
    const bot = readFileSync(join(dir, "src/bot.ts"), "utf8");
    const result = await checkPlannedChanges(dir, [change(dir, "src/bot.ts", `${bot}\nexport const n: number = "one"\n`)]);
    expect(result).toMatchObject({ checked: true, via: "api", runs: 2, cached: false });
    expect(result.newErrors.map((e) => `${e.file}:${e.code}:${e.added}`)).toEqual(["src/bot.ts:TS2322:true"]);
    expect(result.baseline?.map((d) => `${d.file}:${d.code}`)).toEqual(["src/old-error.ts:TS2322"]);
    expect(cache.dir).not.toBe("");
  });

  it("a TypeScript whose API the process cannot use: tsc on a mirror gives the answer", { timeout: 60_000 }, async () => {
    const dir = smallProject("5.9", "broken-api");
    // A typescript package like 5.9's, whose typescript.js fails to load (its tsc still works).
    const broken = join(dir, "broken-typescript");
    mkdirSync(join(broken, "lib"), { recursive: true });
    for (const entry of ["package.json", "bin"]) symlinkSync(join(toolchain("5.9"), entry), join(broken, entry));
    for (const entry of readdirSync(join(toolchain("5.9"), "lib"))) if (entry !== "typescript.js") symlinkSync(join(toolchain("5.9"), "lib", entry), join(broken, "lib", entry));
    writeFileSync(join(broken, "lib/typescript.js"), 'throw new Error("this typescript.js is broken");\n');
    rmSync(join(dir, "node_modules/typescript"));
    symlinkSync(broken, join(dir, "node_modules/typescript"), "junction");
    const result = await checkPlannedChanges(dir, [change(dir, "src/x.ts", "export const n: number = 'x';\n")]);
    expect(result).toMatchObject({ checked: true, via: "tsc" });
    expect(result.newErrors.map((e) => `${e.file}:${e.line}:${e.code}`)).toEqual(["src/x.ts:1:TS2322"]);
  });

  it("V8's code cache: the first process writes it as it ends, the next uses it; one that does not fit is replaced; no process outlives end()", { timeout: 60_000 }, async () => {
    const saved = process.env.CREATE_BOT_SNIPPET_CODE_CACHE;
    const codeDir = tmpDir("code-cache");
    process.env.CREATE_BOT_SNIPPET_CODE_CACHE = codeDir;
    try {
      const dir = smallProject("4.5", "code-cache-project");
      const ts = findTypeScript(dir)!;
      const run = async () => {
        const checker = ApiChecker.start(dir, ts)!;
        const result = await checker.check({});
        await checker.end();
        expect(checker.running).toBe(false);
        return result;
      };
      // Caches of other TypeScript versions, older: the newest few are kept.
      for (let i = 0; i < 5; i++) {
        writeFileSync(join(codeDir, `typescript-3.${i}.0-1-1-v0-x.bin`), "old");
        utimesSync(join(codeDir, `typescript-3.${i}.0-1-1-v0-x.bin`), 1000 + i, 1000 + i);
      }
      // A half-written cache a killed run left: removed.
      writeFileSync(join(codeDir, "typescript-9.9.9-1-1-v0-x.bin.4242.tmp"), "half");
      utimesSync(join(codeDir, "typescript-9.9.9-1-1-v0-x.bin.4242.tmp"), 1000, 1000);
      const first = await run();
      expect(first.codeCache).toBe("none");
      const written = readdirSync(codeDir).filter((name) => !name.startsWith("typescript-3."));
      expect(written).toEqual([expect.stringMatching(/^typescript-4\.5\.\d+-\d+-\d+-v[\d.]+-\w+\.bin$/)]);
      expect(readdirSync(codeDir).filter((name) => name.startsWith("typescript-3.")).sort()).toEqual(["typescript-3.2.0-1-1-v0-x.bin", "typescript-3.3.0-1-1-v0-x.bin", "typescript-3.4.0-1-1-v0-x.bin"]);
      expect(first.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`)).toEqual(["src/index.ts:2 TS2322"]);
      const second = await run();
      expect(second.codeCache).toBe("used");
      expect(second.diagnostics).toEqual(first.diagnostics);
      writeFileSync(join(codeDir, written[0]!), "not a code cache");
      const third = await run();
      expect(third.codeCache).toBe("rejected");
      expect(third.diagnostics).toEqual(first.diagnostics);
      expect(readFileSync(join(codeDir, written[0]!), "utf8")).not.toBe("not a code cache");
      process.env.CREATE_BOT_SNIPPET_CODE_CACHE = "off";
      expect((await run()).codeCache).toBe("off");
    } finally {
      if (saved === undefined) delete process.env.CREATE_BOT_SNIPPET_CODE_CACHE;
      else process.env.CREATE_BOT_SNIPPET_CODE_CACHE = saved;
    }
  });

  it("the CLI: add, add again (nothing to do), then remove, of a recipe on a TypeScript 5.9 project, each checked; no compiler process outlives a command", { timeout: 120_000 }, async () => {
    const dir = project("esm-nodenext-factory", "5.9");
    const workers = () => (process.platform === "linux" ? execSync("ps -eo args", { encoding: "utf8" }).split("\n").filter((line) => line.includes("tsc-worker.js") && line.includes(dir)) : []);
    const env = { CREATE_BOT_SNIPPET_CHECK_CACHE: cache.dir };
    const added = runCli(["add", "error-handler", "--yes", "--no-install", "--check", "--cwd", dir], { env });
    expect(added.stderr).toContain("type-checked with TypeScript 5.9");
    expect(added.code).toBe(0);
    expect(workers()).toEqual([]);
    // Nothing to write: the started process is stopped, not left behind.
    const again = runCli(["add", "error-handler", "--yes", "--no-install", "--check", "--cwd", dir], { env });
    expect(again.stderr).toContain("already applied");
    expect(again.code).toBe(0);
    expect(workers()).toEqual([]);
    const removed = runCli(["remove", "error-handler", "--yes", "--check", "--cwd", dir], { env });
    expect(removed.stderr).toContain("type-checked with TypeScript 5.9");
    expect(removed.code).toBe(0);
    expect(workers()).toEqual([]);
  });
});
