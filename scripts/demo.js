#!/usr/bin/env node
// The main job, end to end: copy the bundled example bot (an ESM NodeNext
// project with a factory, feature composers and a custom context), add every
// bundled recipe to it with the CLI exactly as a user would, then type-check
// the result with strict. Run with `npm run demo` (it builds first).
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCatalogue } from "../dist/src/recipes/catalogue.js";
import { exampleAnswers } from "../dist/src/recipes/example-answers.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/create-bot-snippet.js");
const work = join(root, "test/.tmp/demo"); // inside the repo, so the example resolves grammy from node_modules
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const bot = join(work, "example-bot");
cpSync(join(root, "test/fixtures/esm-nodenext-factory"), bot, { recursive: true });

const recipes = loadCatalogue().recipes.filter((r) => (r.manifest.kind ?? "recipe") === "recipe");
const answers = Object.fromEntries(recipes.map((r) => [r.manifest.id, exampleAnswers(r.manifest.questions)]));
const answersFile = join(work, "answers.json");
writeFileSync(answersFile, JSON.stringify(answers, null, 2));

const run = (args, label) => {
  console.log(`\n$ ${label}`);
  const r = spawnSync(process.execPath, args, { stdio: "inherit", cwd: bot });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const ids = recipes.map((r) => r.manifest.id);
run([bin, "add", ...ids, "--yes", "--answers", answersFile], `create-bot-snippet add ${ids.join(" ")} --yes --answers answers.json`);
run([bin, "add", ...ids, "--yes", "--answers", answersFile], "the same again (must change nothing)");
run([join(root, "node_modules/typescript/bin/tsc"), "-p", join(bot, "tsconfig.json"), "--noEmit", "--strict"], "tsc -p tsconfig.json --noEmit --strict");
console.log(`\nThe example bot with ${ids.length} recipes type-checks: ${bot}`);
