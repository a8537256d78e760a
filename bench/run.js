#!/usr/bin/env node
// The speed targets of the "faster than `sv add`" issue, each figure printed
// next to its limit. Run with `npm run bench` (BENCH_RUNS sets the pairs per
// figure, 5 by default; BENCH_ONLY=1,3 runs some targets only).
//
//   1. `add error-handler --yes --no-install --no-check` on a fresh `new`
//      project against `sv add tailwindcss=plugins:none --no-install` on a
//      fresh `sv create` minimal TypeScript app (the `sv` devDependency),
//      measured in the same run as paired runs, each tree reset before each
//      run: medians and the median of the paired ratios (limit 0.8x).
//      Also `add` on a 5,000-file repo against a 10-file repo (limit 1.2x).
//   3. The `add --check` gate on a `new` project with TypeScript 5.9 and 7:
//      the project's cold `tsc --noEmit`, the first `add --check` (no cache)
//      and the second (the cache of the first; the tree reset in between, so
//      the same change on the same project: no tsc run): limits 1.2x and 0.5x
//      of the cold tsc. Also, without a limit, another recipe on the same
//      project (one check, the errors before it from the cache), and the
//      very first check with that TypeScript: TypeScript 4.5-6 keep V8's
//      compiled code of the project's typescript.js in the code cache, as
//      any earlier check leaves it (the warm-up checks another project).
//   4. `lint --typecheck` of the whole catalogue (a copy of templates/, the
//      four fixtures, TypeScript 7), limit 5 s: cold (an empty cache folder),
//      again with nothing changed (every result kept: lint-cache.ts), and
//      after one template was edited (that recipe alone re-rendered, planned
//      and checked on the four fixtures: error-handler, and rate-limit with
//      its Redis variants). Medians of wall times.
//   5. `--help`, `list` and `show` against a bare `node -e ""` (limit 1.3x).
//
// Nothing here touches the network: on Linux the whole bench re-runs itself
// in a network namespace of its own (`unshare -n`, as root), where only a
// command that needs no network can succeed; where that is not possible it
// says so on its first line. `sv create` needs no network (its templates are
// in the package).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/create-bot-snippet.js");
const scratch = join(root, "bench/.tmp");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : undefined;
const wanted = (target) => !only || only.has(String(target));

if (process.platform === "linux" && process.env.BENCH_NETWORK !== "isolated" && process.env.BENCH_NETWORK !== "shared") {
  const probe = spawnSync("unshare", ["-n", "true"], { stdio: "ignore" });
  const env = { ...process.env, BENCH_NETWORK: probe.status === 0 ? "isolated" : "shared" };
  const r = probe.status === 0 ? spawnSync("unshare", ["-n", process.execPath, ...process.argv.slice(1)], { stdio: "inherit", env }) : spawnSync(process.execPath, process.argv.slice(1), { stdio: "inherit", env });
  process.exit(r.status ?? 1);
}
console.log(
  process.env.BENCH_NETWORK === "isolated"
    ? "network: none (the bench runs in a network namespace of its own)"
    : "network: NOT isolated (unshare -n is not available here); every command below runs with --no-install and needs none",
);

// --- helpers ---------------------------------------------------------------

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const s = (ms) => `${(ms / 1000).toFixed(3)} s`;
const x = (ratio) => `${ratio.toFixed(2)}x`;

/**
 * CPU time (user + system, ms) of the children this process has waited for,
 * from /proc (Linux; 10 ms steps): on a shared machine it moves much less
 * with the load than wall time does. Undefined elsewhere.
 */
function childCpuMs() {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime in ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/**
 * Runs `node …args` in `cwd`; returns its wall time in ms (throws with its
 * output when it fails). Its CPU time (with its own children's) is kept in
 * `lastCpu`, for `paired` to pick up.
 */
function time(args, { cwd = root, env = {}, label = args.join(" ") } = {}) {
  const cpuBefore = childCpuMs();
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", CI: "1", ...env } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  if (cpuBefore !== undefined) lastCpu = childCpuMs() - cpuBefore;
  return ms;
}
let lastCpu;

/**
 * Paired runs: each round runs every job once (the order rotating, so no job
 * always goes first), after the job's `reset`; one warm-up round is dropped.
 */
function paired(jobs, rounds = runs) {
  const samples = jobs.map(() => []);
  const cpuSamples = jobs.map(() => []);
  for (let round = 0; round <= rounds; round++) {
    for (let k = 0; k < jobs.length; k++) {
      const i = (k + round) % jobs.length;
      jobs[i].reset?.();
      lastCpu = undefined;
      const ms = jobs[i].run();
      if (round > 0) {
        samples[i].push(ms);
        cpuSamples[i].push(lastCpu);
      }
    }
  }
  samples.forEach((list, i) => (list.cpu = cpuSamples[i]));
  return samples;
}

/** The median of the per-round ratios a/b, and the two medians. */
function ratio(a, b) {
  return { ratio: median(a.map((v, i) => v / b[i])), a: median(a), b: median(b) };
}
/** The same for CPU times, when they were measured. */
function cpuRatio(a, b) {
  if (!a?.length || a.some((v) => v === undefined) || b.some((v) => v === undefined)) return undefined;
  return ratio(a, b);
}

const results = [];
/** One figure: the paired ratio of wall times (what the limit is for) and, where measured, of CPU times. */
function report(target, label, wall, cpuFigure, limit, detail) {
  const ok = wall.ratio <= limit;
  results.push({ target, label, ok });
  const cpuText = cpuFigure ? `   cpu ${x(cpuFigure.ratio)} ${cpuFigure.ratio <= limit ? "ok" : "over"}` : "";
  console.log(`target ${target}  ${label.padEnd(52)} ${x(wall.ratio).padStart(6)}  limit ${x(limit)}  ${ok ? "ok  " : "OVER"}${cpuText}${detail ? `\n          ${detail}` : ""}`);
}

/** One figure against a limit in seconds (the median wall time; CPU where measured). */
function reportSeconds(target, label, samples, limitMs, detail) {
  const wall = median(samples);
  const ok = wall <= limitMs;
  results.push({ target, label, ok });
  const cpu = samples.cpu?.every((v) => v !== undefined) ? `   cpu ${s(median(samples.cpu))}` : "";
  console.log(`target ${target}  ${label.padEnd(52)} ${s(wall).padStart(8)}  limit ${s(limitMs)}  ${ok ? "ok  " : "OVER"}${cpu}${detail ? `\n          ${detail}` : ""}`);
}

/** A fresh copy of `template` at `dir` (timestamps kept, so a reset tree is the same tree to a cache). */
function reset(template, dir, after) {
  rmSync(dir, { recursive: true, force: true });
  cpSync(template, dir, { recursive: true, preserveTimestamps: true });
  after?.(dir);
}

/** A grammY project: src/bot.ts plus `files - 1` feature modules with composers. */
function generateProject(files) {
  const dir = join(scratch, `generated-${files}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "src/features"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `bench-${files}`, type: "module", dependencies: { grammy: "^1.46.0" } }, null, 2));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", strict: true, types: ["node"], skipLibCheck: true } }, null, 2));
  const features = [];
  for (let i = 1; i < files; i++) {
    const name = `feature${i}`;
    features.push(name);
    writeFileSync(
      join(dir, `src/features/${name}.ts`),
      `import { Composer } from "grammy";\n\nexport const ${name} = new Composer();\n\n${name}.command("cmd${i}", async (ctx) => {\n  await ctx.reply("Feature ${i}");\n});\n`,
    );
  }
  const imports = features.slice(0, 20).map((f) => `import { ${f} } from "./features/${f}.js";`).join("\n");
  const uses = features.slice(0, 20).map((f) => `bot.use(${f});`).join("\n");
  writeFileSync(join(dir, "src/bot.ts"), `import { Bot } from "grammy";\n${imports}\n\nconst bot = new Bot(process.env.BOT_TOKEN ?? "");\n${uses}\n\nbot.start();\n`);
  return dir;
}

/** A project made by our own `new` (no install). */
function newProject(name) {
  const dir = join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  time([bin, "new", dir, "--yes", "--no-install"], { label: "create-bot-snippet new" });
  return dir;
}

const ours = (dir, ...args) => addRecipe("error-handler", dir, ...args);
// The gate's cache and the code cache (V8's compiled code of @babel/parser and of the project's typescript.js) live in the scratch folder.
const codeCache = join(scratch, "code-cache");
const addRecipe = (recipe, dir, ...args) =>
  time([bin, "add", recipe, "--yes", "--no-install", "--cwd", dir, ...args], { label: `add ${recipe} ${args.join(" ")}`, env: { CREATE_BOT_SNIPPET_CHECK_CACHE: join(scratch, "check-cache"), CREATE_BOT_SNIPPET_CODE_CACHE: codeCache } });

// --- the targets -----------------------------------------------------------

rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
console.log(`${runs} paired runs per figure (Node ${process.version}, ${process.platform}, ${process.env.npm_lifecycle_event ? "npm run bench" : "node bench/run.js"})\n`);

if (wanted(1)) {
  const svBin = join(root, "node_modules/sv", JSON.parse(readFileSync(join(root, "node_modules/sv/package.json"), "utf8")).bin);
  const svVersion = JSON.parse(readFileSync(join(root, "node_modules/sv/package.json"), "utf8")).version;
  const svTemplate = join(scratch, "sv-app");
  time([svBin, "create", svTemplate, "--template", "minimal", "--types", "ts", "--no-add-ons", "--no-install"], { label: "sv create" });
  const ourTemplate = newProject("new-app");
  const svWork = join(scratch, "sv-work");
  const ourWork = join(scratch, "new-work");
  const [a, b] = paired([
    { reset: () => reset(ourTemplate, ourWork), run: () => ours(ourWork, "--no-check") },
    { reset: () => reset(svTemplate, svWork), run: () => time([svBin, "add", "tailwindcss=plugins:none", "--no-install", "--cwd", svWork], { label: "sv add" }) },
  ]);
  const r = ratio(a, b);
  const c = cpuRatio(a.cpu, b.cpu);
  report(1, "add error-handler --no-check / sv add tailwindcss", r, c, 0.8, `add ${s(r.a)}, sv ${svVersion} add ${s(r.b)} (wall medians; ratio of medians ${x(r.a / r.b)})${c ? `; cpu ${s(c.a)} / ${s(c.b)}` : ""}`);

  const small = generateProject(10);
  const large = generateProject(5000);
  const smallWork = join(scratch, "work-10");
  const largeWork = join(scratch, "work-5000");
  const [l, m] = paired(
    [
      { reset: () => reset(large, largeWork), run: () => ours(largeWork, "--no-check") },
      { reset: () => reset(small, smallWork), run: () => ours(smallWork, "--no-check") },
    ],
    Math.max(3, Math.ceil(runs / 2)),
  );
  const g = ratio(l, m);
  const gc = cpuRatio(l.cpu, m.cpu);
  report(1, "add on a 5,000-file repo / on a 10-file repo", g, gc, 1.2, `5,000 files ${s(g.a)}, 10 files ${s(g.b)}${gc ? `; cpu ${s(gc.a)} / ${s(gc.b)}` : ""}`);
}

if (wanted(3)) {
  const toolchains = [
    { name: "TypeScript 5.9", dir: join(root, "test/toolchains/node_modules/typescript-5.9"), bin: "bin/tsc" },
    { name: "TypeScript 7", dir: join(root, "node_modules/typescript"), bin: "bin/tsc" },
  ];
  const template = newProject("gate-app");
  for (const tc of toolchains) {
    if (!existsSync(join(tc.dir, "package.json"))) {
      console.log(`target 3  ${tc.name}: not installed (node scripts/ensure-toolchains.js installs it): skipped`);
      continue;
    }
    const version = JSON.parse(readFileSync(join(tc.dir, "package.json"), "utf8")).version;
    const work = join(scratch, "gate-work");
    const cache = join(scratch, "check-cache");
    // The project's packages: grammY and @types/node from this repo, the TypeScript under test.
    const install = (dir) => {
      mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
      symlinkSync(join(root, "node_modules/grammy"), join(dir, "node_modules/grammy"), "junction");
      symlinkSync(join(root, "node_modules/@types/node"), join(dir, "node_modules/@types/node"), "junction");
      symlinkSync(tc.dir, join(dir, "node_modules/typescript"), "junction");
    };
    const rounds = Math.max(1, Math.ceil(runs / 2));
    const samples = { tsc: [], none: [], ever: [], first: [], second: [], other: [] };
    const cpus = { tsc: [], none: [], ever: [], first: [], second: [], other: [] };
    for (let round = 0; round <= rounds; round++) {
      const sample = (key, ms) => {
        if (round === 0) return;
        samples[key].push(ms);
        cpus[key].push(lastCpu);
      };
      reset(template, work, install);
      if (round === 0) {
        // Warm-up (file cache, this TypeScript's files): one tsc run, not counted.
        time([join(work, "node_modules/typescript", tc.bin), "--noEmit", "-p", "tsconfig.json"], { cwd: work, label: "tsc --noEmit" });
        // and one check of another project: what a user has after any earlier `add --check` with this TypeScript (its compiled code kept).
        reset(template, join(scratch, "gate-other"), install);
        rmSync(cache, { recursive: true, force: true });
        ours(join(scratch, "gate-other"), "--check");
        continue;
      }
      sample("tsc", time([join(work, "node_modules/typescript", tc.bin), "--noEmit", "-p", "tsconfig.json"], { cwd: work, label: "tsc --noEmit" }));
      reset(template, work, install);
      sample("none", ours(work, "--no-check"));
      // The very first check with this TypeScript: no code cache either.
      for (const name of existsSync(codeCache) ? readdirSync(codeCache) : []) if (name.startsWith("typescript-")) rmSync(join(codeCache, name));
      rmSync(cache, { recursive: true, force: true });
      reset(template, work, install);
      sample("ever", ours(work, "--check"));
      rmSync(cache, { recursive: true, force: true });
      reset(template, work, install);
      sample("first", ours(work, "--check"));
      reset(template, work, install);
      sample("second", ours(work, "--check"));
      // Another recipe on the same checked project: its errors before come from the cache, the change is checked by one tsc run.
      reset(template, work, install);
      sample("other", addRecipe("chat-action", work, "--check"));
    }
    for (const [key, limit] of [["first", 1.2], ["second", 0.5]]) {
      const whole = ratio(samples[key], samples.tsc);
      const gate = ratio(samples[key].map((v, i) => v - samples.none[i]), samples.tsc);
      const wholeCpu = cpuRatio(cpus[key], cpus.tsc);
      const gateCpu = cpuRatio(cpus[key].map((v, i) => v - cpus.none[i]), cpus.tsc);
      report(
        3,
        `${key} add --check / cold tsc --noEmit (TS ${version})`,
        whole,
        wholeCpu,
        limit,
        `add --check ${s(whole.a)}, tsc ${s(whole.b)}, add --no-check ${s(median(samples.none))}; the check alone (--check minus --no-check): ${x(gate.ratio)} of tsc${gateCpu ? `, cpu ${x(gateCpu.ratio)}` : ""}`,
      );
    }
    const ever = ratio(samples.ever, samples.tsc);
    console.log(`          (no limit) the very first add --check with this TypeScript (no compiled code kept) / cold tsc: ${x(ever.ratio)} (${s(ever.a)})`);
    const other = ratio(samples.other, samples.tsc);
    console.log(`          (no limit) add chat-action --check on the project checked above / cold tsc: ${x(other.ratio)} (${s(other.a)}; one tsc run, the errors before from the cache)`);
  }
}

if (wanted(4)) {
  const templates = join(scratch, "lint-templates");
  cpSync(join(root, "templates"), templates, { recursive: true });
  const lintCache = join(scratch, "lint-cache");
  const lint = (cache) => time([bin, "lint", "--typecheck", templates], { label: "lint --typecheck", env: { CREATE_BOT_SNIPPET_LINT_CACHE: cache } });
  let fresh = 0;
  const [cold] = paired([{ run: () => lint(join(scratch, `lint-cache-cold-${fresh++}`)) }], 2);
  lint(lintCache); // fills the cache
  const [unchanged] = paired([{ run: () => lint(lintCache) }]);
  // One template edited: error-handler (grammY's types), and rate-limit, whose Redis variants make each fixture's
  // check relate ioredis' Redis class too (about 1.2 s of tsc per fixture).
  const edit = (recipe) => {
    const edited = join(templates, `${recipe}/${recipe}.ts.hbs`);
    const text = readFileSync(edited, "utf8");
    let edits = 0;
    const [samples] = paired([{ reset: () => writeFileSync(edited, `${text}// edit ${edits++}\n`), run: () => lint(lintCache) }], 3);
    writeFileSync(edited, text);
    return samples;
  };
  const editedHandler = edit("error-handler");
  const editedLimit = edit("rate-limit");
  reportSeconds(4, "lint --typecheck, whole catalogue, cold", cold, 5000, "no result kept: every recipe rendered, planned and type-checked on the 4 fixtures");
  reportSeconds(4, "lint --typecheck, nothing changed since", unchanged, 5000);
  reportSeconds(4, "lint --typecheck, error-handler's template edited", editedHandler, 5000, "that recipe re-rendered, planned and checked on the 4 fixtures (4 tsc runs); the rest kept");
  reportSeconds(4, "lint --typecheck, rate-limit's template edited", editedLimit, 5000, "the same, with its Redis variants (ioredis' types in each of the 4 tsc runs)");
}

if (wanted(5)) {
  const [bare, help, list, show] = paired([
    { run: () => time(["-e", ""]) },
    { run: () => time([bin, "--help"]) },
    { run: () => time([bin, "list"]) },
    { run: () => time([bin, "show", "error-handler"]) },
  ]);
  for (const [label, samples] of [["--help", help], ["list", list], ["show error-handler", show]]) {
    const r = ratio(samples, bare);
    const c = cpuRatio(samples.cpu, bare.cpu);
    report(5, `${label} / node -e ""`, r, c, 1.3, `${label} ${s(r.a)}, node ${s(r.b)}${c ? `; cpu ${s(c.a)} / ${s(c.b)}` : ""}`);
  }
}

// Issue 14's figures (no limit of their own): status and remove on a 2,000-file project with two
// recorded recipes, against add on the same tree (remove re-plans one recipe's edits the same way).
if (wanted("14")) {
  const template = generateProject(2000);
  const work = join(scratch, "work-2000");
  const installed = join(scratch, "installed-2000");
  reset(template, installed);
  time([bin, "add", "error-handler", "rate-limit", "--yes", "--no-install", "--no-check"], { cwd: installed, label: "add (setup)" });
  const [add, status, remove] = paired([
    { reset: () => reset(template, work), run: () => time([bin, "add", "error-handler", "rate-limit", "--yes", "--no-install", "--no-check"], { cwd: work, label: "add" }) },
    { reset: () => reset(installed, work), run: () => time([bin, "status"], { cwd: work, label: "status" }) },
    { reset: () => reset(installed, work), run: () => time([bin, "remove", "rate-limit", "--yes", "--no-check"], { cwd: work, label: "remove" }) },
  ], Math.max(3, Math.ceil(runs / 2)));
  const med = (list) => s(median(list));
  const cpu = (list) => (list.cpu?.every((v) => v !== undefined) ? `, cpu ${s(median(list.cpu))}` : "");
  console.log(`lifecycle (2,000 files)  status ${med(status)}${cpu(status)}   remove rate-limit ${med(remove)}${cpu(remove)}   add error-handler rate-limit ${med(add)}${cpu(add)}   (medians, no limit)`);
}

const over = results.filter((r) => !r.ok);
console.log(`\n${results.length - over.length} of ${results.length} figures within their limits${over.length ? `; over: ${over.map((r) => `target ${r.target} ${r.label}`).join("; ")}` : ""}`);
rmSync(scratch, { recursive: true, force: true });
