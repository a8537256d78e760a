// A field fixture run as a real process: copied under test/.tmp next to the
// node_modules its toolchain.json names, recipes applied by the engine with
// the facts `add` reads (so questions asked only for some projects are
// asked), built with the fixture's own TypeScript, started with `node
// --import offline-updates.mjs` (a fake Bot API that delivers the given
// updates and prints the bot's API calls).
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Update } from "grammy/types";
import { commitChanges } from "../../src/engine/commit.js";
import { locateBot, planAdd, templateFacts } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { scanProject } from "../../src/project/scan-project.js";
import { answersFor, catalogue, repoRoot } from "./recipes.js";
import { copyFieldFixture, prepareFieldRoot } from "./toolchain.js";

export interface FieldApp {
  /** The folder holding node_modules. */
  root: string;
  /** The project's copy. */
  dir: string;
}

/** A fresh copy of a field fixture, `as` naming the copy. */
export function fieldApp(fixture: string, as = "app"): FieldApp {
  const { root } = prepareFieldRoot(fixture);
  return { root, dir: copyFieldFixture(fixture, root, as) };
}

/** Applies recipes as `add` does: answers resolved against the project's facts, the plan written. */
export async function addRecipes(dir: string, items: Array<{ id: string; answers?: Record<string, unknown> }>): Promise<Plan> {
  const project = scanProject(dir);
  const facts = templateFacts(project, locateBot(project));
  const recipes = await Promise.all(items.map(async (i) => ({ recipe: catalogue.get(i.id), answers: await answersFor(catalogue.get(i.id), i.answers, facts) })));
  const plan = planAdd({ project, recipes, catalogue: catalogue.recipes });
  commitChanges(project.root, plan.changes);
  return plan;
}

/** `tsc -p` with the fixture's own TypeScript; its output ("" when it builds cleanly). */
export function build(app: FieldApp): string {
  const tsc = spawnSync(process.execPath, [join(app.root, "node_modules/typescript/bin/tsc"), "-p", app.dir], { encoding: "utf8", timeout: 120_000 });
  return `${tsc.stdout}${tsc.stderr}${tsc.error ? String(tsc.error) : ""}`;
}

/**
 * Runs `node <entry>` in the copy with the fake Bot API, `updates` delivered
 * once, until `done(output)` holds or `timeoutMs` (60 s) passes; then SIGINT (SIGKILL
 * after 2 s). Returns stdout and stderr together.
 */
export async function runBot(app: FieldApp, entry: string, updates: Update[], done: (output: string) => boolean, options: { timeoutMs?: number; fail?: string[] } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const preload = pathToFileURL(join(repoRoot, "test/helpers/offline-updates.mjs")).href;
  const env: NodeJS.ProcessEnv = { ...process.env, BOT_TOKEN: "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz", OFFLINE_UPDATES: JSON.stringify(updates), OFFLINE_FAIL: (options.fail ?? []).join(",") };
  const child = spawn(process.execPath, ["--import", preload, entry], { cwd: app.dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const deadline = Date.now() + timeoutMs;
    while (!done(output) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // A little longer: what the handlers do after the awaited line.
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    if (child.exitCode === null) {
      child.kill("SIGINT");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }
  return output;
}
