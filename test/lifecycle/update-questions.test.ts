// `update` keeps the recorded answers and asks only the new version's new questions
// (in a terminal), or takes their defaults (--yes, or no terminal).
import prompts from "prompts";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { updateCommand } from "../../src/commands/update.js";
import { parseRecord } from "../../src/record/record-file.js";
import { bundledCopy, capture, installed } from "./update-helpers.js";

/** error-handler with a new question, `reportTitle`, used in its template. */
function withNewQuestion(): string {
  const dir = bundledCopy({
    recipe: "error-handler",
    template: "error-handler.ts.hbs",
    change: (t) => t.replace("const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1000;\n\n/** The first line of a developer report. */\nexport const REPORT_TITLE: string = {{str reportTitle}};"),
  });
  const file = join(dir, "error-handler/recipe.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as { questions: unknown[] };
  manifest.questions.push({ name: "reportTitle", type: "string", default: "Bot error", message: "The first line of developer reports" });
  writeFileSync(file, JSON.stringify(manifest, null, 2));
  return dir;
}

const answersOf = (dir: string) => parseRecord(readFileSync(join(dir, "bot-snippets.json"), "utf8")).recipes[0]!.answers;

afterEach(() => {
  Object.defineProperty(process.stdin, "isTTY", { value: undefined, configurable: true });
  vi.unstubAllEnvs();
});

describe("update and new questions", { timeout: 60_000 }, () => {
  it("--yes keeps the recorded answers and takes the new question's default", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy(), { devChatIds: [7], userMessage: "Oops" });
    const run = await capture(() => updateCommand([], { cwd: dir, bundledDir: withNewQuestion(), yes: true, check: false, install: false }));
    expect(run.error).toBeUndefined();
    const text = readFileSync(join(dir, "recipes/error-handler.ts"), "utf8");
    expect(text).toContain('export const REPORT_TITLE: string = "Bot error";');
    expect(text).toContain('export const USER_MESSAGE: string = "Oops";');
    expect(answersOf(dir)).toMatchObject({ devChatIds: [7], userMessage: "Oops", reportTitle: "Bot error" });
  });

  it("in a terminal, only the new question is asked", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy(), { userMessage: "Oops" });
    const v2 = withNewQuestion();
    Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
    vi.stubEnv("CI", "");
    prompts.inject(["Something broke", true]); // reportTitle, then yes to writing
    const run = await capture(() => updateCommand(["error-handler"], { cwd: dir, bundledDir: v2, check: false, install: false }));
    expect(run.error).toBeUndefined();
    expect(answersOf(dir)).toMatchObject({ userMessage: "Oops", reportTitle: "Something broke" });
    expect(readFileSync(join(dir, "recipes/error-handler.ts"), "utf8")).toContain('export const REPORT_TITLE: string = "Something broke";');
  });
});
