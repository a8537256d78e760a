import prompts from "prompts";
import { usageError } from "../core/errors.js";
import type { AskFn } from "../recipes/answers.js";
import type { JsonValue, Question } from "../recipes/manifest.js";
import { coerceAnswer } from "../recipes/answers.js";

const onCancel = () => {
  throw usageError("cancelled; nothing was written");
};

/** Asks recipe questions with `prompts`, validating each answer as the engine will. */
export function promptAsk(recipeId: string): AskFn {
  return async (q: Question, initial: JsonValue | undefined) => {
    const validate = (value: unknown) => {
      try {
        coerceAnswer(recipeId, q, value);
        return true;
      } catch (error) {
        return (error as Error).message.replace(/^invalid answer for [^:]+: .*?: /, "");
      }
    };
    const message = `${recipeId}: ${q.message}`;
    switch (q.type) {
      case "boolean":
        return (await prompts({ type: "toggle", name: "v", message, initial: initial === true, active: "yes", inactive: "no" }, { onCancel })).v;
      case "select": {
        const index = Math.max(0, q.choices.findIndex((c) => c.value === initial));
        return (await prompts({ type: "select", name: "v", message, choices: q.choices.map((c) => ({ title: c.title ?? c.value, value: c.value, description: c.description })), initial: index }, { onCancel })).v;
      }
      case "multiselect": {
        const selected = Array.isArray(initial) ? initial : [];
        return (await prompts({ type: "multiselect", name: "v", message, choices: q.choices.map((c) => ({ title: c.title ?? c.value, value: c.value, selected: selected.includes(c.value) })) }, { onCancel })).v;
      }
      case "integer":
        return String((await prompts({ type: "text", name: "v", message, initial: initial === undefined ? "" : String(initial), validate }, { onCancel })).v);
      case "list":
        return (await prompts({ type: "text", name: "v", message: /comma/i.test(message) ? message : `${message} (comma-separated)`, initial: Array.isArray(initial) ? initial.join(",") : "", validate }, { onCancel })).v;
      case "string":
        return (await prompts({ type: "text", name: "v", message, initial: typeof initial === "string" ? initial : "", validate }, { onCancel })).v;
    }
  };
}

export async function confirm(message: string): Promise<boolean> {
  return Boolean((await prompts({ type: "confirm", name: "v", message, initial: true }, { onCancel })).v);
}

/** One of several choices. */
export async function choose(message: string, choices: Array<{ title: string; value: string }>): Promise<string> {
  return String((await prompts({ type: "select", name: "v", message, choices }, { onCancel })).v);
}
