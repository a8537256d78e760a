import type { PromptObject } from "prompts";
import { requireCjs } from "../core/cjs.js";
import { CliError } from "../core/errors.js";
import type { AskFn } from "../recipes/answers.js";
import type { JsonValue, Question } from "../recipes/manifest.js";
import { checkAnswer } from "../recipes/answers.js";
import { terminalInput } from "./type-ahead.js";

/** Cancelled (Ctrl-C or Escape at a prompt): exit 130, as a shell reports an interrupt. */
const onCancel = () => {
  throw new CliError("interrupted", "cancelled; nothing was written");
};

/**
 * Shows one prompt. Every prompt of the run reads one input (`terminalInput`),
 * so answers typed ahead are not lost between questions. Answers injected with
 * `prompts.inject` (tests) never touch the terminal.
 */
async function ask(question: PromptObject<"v">): Promise<unknown> {
  // Loaded when a question is asked: most runs (`--yes`, scripts) never ask one. Through require, not
  // import(): the bundle's chunks may come from V8's code cache, where import() has no loader (Node 20).
  const prompts = requireCjs("prompts") as typeof import("prompts");
  const injected = ((prompts as unknown as { _injected?: unknown[] })._injected ?? []).length > 0;
  if (injected) return (await prompts(question, { onCancel })).v;
  const input = terminalInput();
  input.start();
  try {
    return (await prompts({ ...question, stdin: input }, { onCancel })).v;
  } finally {
    input.stop();
  }
}

/**
 * The prompt text of a list question: exactly one "comma-separated", merged
 * into a closing parenthesis the message already has ("Chat ids (users or
 * groups; may be empty; comma-separated)"), whatever words the message uses.
 */
export function listMessage(message: string): string {
  const bare = message.replace(/\s*\(comma-separated\)\s*$/i, "").replace(/;?\s*comma-separated(?=\))/i, "");
  return /\)\s*$/.test(bare) ? bare.replace(/\)\s*$/, "; comma-separated)") : `${bare} (comma-separated)`;
}

/** Asks recipe questions with `prompts`, validating each answer as the engine will. */
export function promptAsk(recipeId: string): AskFn {
  return async (q: Question, initial: JsonValue | undefined) => {
    const validate = (value: unknown) => checkAnswer(q, value).problem ?? true;
    const message = `${recipeId}: ${q.message}`;
    switch (q.type) {
      case "boolean":
        return ask({ type: "toggle", name: "v", message, initial: initial === true, active: "yes", inactive: "no" });
      case "select": {
        const index = Math.max(0, q.choices.findIndex((c) => c.value === initial));
        return ask({ type: "select", name: "v", message, choices: q.choices.map((c) => ({ title: c.title ?? c.value, value: c.value, description: c.description })), initial: index });
      }
      case "multiselect": {
        const selected = Array.isArray(initial) ? initial : [];
        return ask({ type: "multiselect", name: "v", message, choices: q.choices.map((c) => ({ title: c.title ?? c.value, value: c.value, selected: selected.includes(c.value) })) });
      }
      case "integer":
        return String(await ask({ type: "text", name: "v", message, initial: initial === undefined ? "" : String(initial), validate }));
      case "list":
        return ask({ type: "text", name: "v", message: listMessage(message), initial: Array.isArray(initial) ? initial.join(",") : "", validate });
      case "string":
        return ask({ type: "text", name: "v", message, initial: typeof initial === "string" ? initial : "", validate });
    }
  };
}

export async function confirm(message: string): Promise<boolean> {
  return Boolean(await ask({ type: "confirm", name: "v", message, initial: true }));
}

/** One of several choices. */
export async function choose(message: string, choices: Array<{ title: string; value: string }>): Promise<string> {
  return String(await ask({ type: "select", name: "v", message, choices }));
}
