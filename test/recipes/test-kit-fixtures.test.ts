// test-kit in the fixture projects: recipes added before the kit, the kit, and
// recipes added after it; then the projects' own tests run (in two vitest
// processes, one project per fixture) and must pass, while a copy with a
// deliberately broken recipe must fail exactly that recipe's sample test.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { applyRecipes, copyFixture, fixtureNames, repoRoot, tmpDir } from "../helpers/recipes.js";

const ALLOWED = 123456789;
const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const root = tmpDir("test-kit-fixtures");
const dirs = new Map<string, string>();
const samples = ["error-handler", "rate-limit", "menu-builder", "chat-action", "reply-keyboards", "access-control"];
/** Recipes with sample tests beyond the first six: in one fixture only, to keep the run short. */
const more = ["callback-dedupe", "channel-gate", "command-menu", "group-admin-guard", "media-group-collector", "update-filters", "logging", "job-scheduler", "media-send", "persistence", "restart-command", "server-lifecycle", "broadcast", "chat-members", "file-download", "flood-control", "formatting", "i18n"];
const moreAnswers: Record<string, Record<string, unknown>> = { "update-filters": { welcomeNewMembers: true }, "restart-command": { adminUserIds: [ALLOWED] }, broadcast: { userIds: [ALLOWED] }, "chat-members": { members: false }, "flood-control": { chatIntervalMs: 50 } };
const samplesOf = (fixture: string) => (fixture === "cjs-single" ? [...samples, ...more] : samples);
let results: Map<string, Map<string, string>>; // project → test file → status

/** Adds recipes before the kit (their sample tests come with the kit), the kit, then recipes after it. */
async function setUp(fixture: string, into: string): Promise<string> {
  const dir = copyFixture(fixture, into);
  // webhook-split registers /slow in src/handlers.ts, which the kit imports after src/bot.ts (not src/server.ts, which serves).
  const wrapped = ["slow"];
  const extra = fixture === "cjs-single" && !into.endsWith("broken") ? more.map((id) => ({ id, answers: moreAnswers[id] ?? {} })) : [];
  await applyRecipes(dir, [{ id: "error-handler" }, { id: "rate-limit" }, { id: "menu-builder" }, { id: "chat-action", answers: { commands: wrapped } }, ...extra], { record: true });
  await applyRecipes(dir, [{ id: "test-kit", answers: { runner: "vitest" } }], { record: true });
  await applyRecipes(dir, [{ id: "reply-keyboards" }, { id: "access-control", answers: { userIds: [ALLOWED] } }], { record: true });
  return dir;
}

beforeAll(async () => {
  for (const fixture of fixtureNames) dirs.set(fixture, await setUp(fixture, root));
  // A copy whose access gate is never installed and whose rate limit never limits.
  const broken = await setUp("cjs-single", join(root, "broken"));
  dirs.set("broken", broken);
  writeFileSync(join(broken, "bot.ts"), readFileSync(join(broken, "bot.ts"), "utf8").replace(/^bot\.use\(accessControl\(\)\);?\r?\n/m, ""));
  const limiter = join(broken, "recipes/rate-limit.ts");
  writeFileSync(limiter, readFileSync(limiter, "utf8").replace("if (current.count > max) {", "if (current.count > max * 1000) {"));

  // The broken copy runs only the tests that must fail (and the kit's own): the rest are the same as cjs-single's.
  const projects = [...dirs].map(([name, dir]) => ({ test: { name, root: dir, include: name === "broken" ? ["test/{bot,access-control,rate-limit}.test.ts"] : ["test/**/*.test.ts"] } }));
  // Two vitest processes at once, each running its files one after another (vitest's default on
  // two cores, one worker): cjs-single's 31 files, and the other projects' 24. cjs-single's files
  // stay one at a time: its recipes keep stores in data/ that are one process's each (broadcast's
  // temporary file has a fixed name; worker threads share a pid), so its files must not run side by side.
  const runs = [projects.filter((p) => p.test.name === "cjs-single"), projects.filter((p) => p.test.name !== "cjs-single")].map(async (group, i) => {
    const config = join(root, `vitest.config.${i}.mjs`);
    const out = join(root, `results.${i}.json`);
    writeFileSync(config, `export default ${JSON.stringify({ test: { pool: "threads", maxWorkers: 1, projects: group } })};\n`);
    const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(repoRoot, "node_modules/vitest/vitest.mjs"), "run", "--config", config, "--root", root, "--reporter=json", `--outputFile=${out}`], {
        // From cjs-single's folder, as its npm test runs: recipes there read files relative to it (i18n's locales/).
        cwd: dirs.get("cjs-single") ?? root,
        timeout: 240_000,
        env: { ...process.env, CI: "1", NODE_OPTIONS: "" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-6000)));
      child.on("close", (status) => resolve({ status, stderr }));
    });
    if (!existsSync(out)) throw new Error(`vitest wrote no results (status ${run.status}):\n${run.stderr.slice(-3000)}`);
    return JSON.parse(readFileSync(out, "utf8")) as { testResults: Array<{ name: string; status: string; message?: string; assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }> };
  });
  const report = { testResults: (await Promise.all(runs)).flatMap((r) => r.testResults) };
  results = new Map();
  for (const file of report.testResults) {
    const project = [...dirs].find(([, dir]) => file.name.startsWith(`${dir}/`));
    if (!project) continue;
    const byFile = results.get(project[0]) ?? new Map<string, string>();
    const failures = file.assertionResults.filter((a) => a.status !== "passed").map((a) => `${a.fullName}: ${a.failureMessages.join(" ").slice(0, 400)}`);
    byFile.set(file.name.slice(project[1].length + 1), file.status === "passed" ? "passed" : `failed ${file.message ?? ""} ${failures.join(" | ")}`);
    results.set(project[0], byFile);
  }
}, 300_000);

describe.each(fixtureNames)("fixture %s", (fixture) => {
  it("gets the kit, a test script and a sample test for every recipe, whenever it was added", () => {
    const dir = dirs.get(fixture)!;
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts.test).toBe("vitest run");
    expect(pkg.devDependencies.vitest).toBeDefined();
    for (const id of samplesOf(fixture)) expect(existsSync(join(dir, `test/${id}.test.ts`)), id).toBe(true);
    if (fixture === "webhook-split") expect(read(dir, "test/bot-kit.ts")).toMatch(/await import\("\.\.\/src\/bot\.js"\);\n(.*\n){0,3}\s*await import\("\.\.\/src\/handlers\.js"\)/);
    // Written before access-control was added, refreshed by it: writes as the allowlisted user.
    expect(read(dir, "test/menu-builder.test.ts")).toContain("ALLOWED_USER_IDS");
  });

  it("passes its own tests", () => {
    const files = results.get(fixture);
    expect(files, "no results for the fixture").toBeDefined();
    expect(Object.fromEntries(files!)).toEqual(Object.fromEntries(["bot", ...samplesOf(fixture)].sort().map((id) => [`test/${id}.test.ts`, "passed"])));
  });
});

it("fails the sample tests of a broken recipe (gate not installed, limiter that never limits)", () => {
  const files = Object.fromEntries(results.get("broken")!);
  for (const id of ["access-control", "rate-limit"]) expect(files[`test/${id}.test.ts`], id).toMatch(/^failed/);
  expect(files["test/bot.test.ts"]).toBe("passed");
  expect(Object.keys(files).sort()).toEqual(["test/access-control.test.ts", "test/bot.test.ts", "test/rate-limit.test.ts"]);
});
