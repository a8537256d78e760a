#!/usr/bin/env node
// Speed of the commands people run most, as medians over several runs:
// `--help` and `list` against a bare `node -e ""`, and `add error-handler --dry-run`
// on generated projects of 10 and 2,000 TypeScript files (the two should be
// within 1.5x: `add` parses only the files it edits). Run with `npm run bench`.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/create-bot-snippet.js");
const scratch = join(root, "bench/.tmp");
const runs = Number(process.env.BENCH_RUNS ?? 7);

/** A grammY project: src/bot.ts plus `files - 1` feature modules with composers. */
function generateProject(files) {
  const dir = join(scratch, `project-${files}`);
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args, label) {
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr}`);
    if (i > 0) samples.push(ms); // the first run warms the file cache
  }
  return { label, median: median(samples), min: Math.min(...samples) };
}

const small = generateProject(10);
const large = generateProject(2000);
const results = [
  time(["-e", ""], 'node -e ""'),
  time([bin, "--help"], "--help"),
  time([bin, "list"], "list"),
  time([bin, "add", "error-handler", "--dry-run", "--yes", "--cwd", small], "add error-handler --dry-run (10 files)"),
  time([bin, "add", "error-handler", "--dry-run", "--yes", "--cwd", large], "add error-handler --dry-run (2,000 files)"),
];
const width = Math.max(...results.map((r) => r.label.length));
console.log(`medians over ${runs} runs (Node ${process.version}, ${process.platform})`);
for (const r of results) console.log(`${r.label.padEnd(width)}  ${(r.median / 1000).toFixed(3)} s  (min ${(r.min / 1000).toFixed(3)} s)`);
const ratio = results[4].median / results[3].median;
console.log(`add on 2,000 files / add on 10 files: ${ratio.toFixed(2)}x ${ratio <= 1.5 ? "(within 1.5x)" : "(OVER 1.5x)"}`);
rmSync(scratch, { recursive: true, force: true });
