import type { JsonValue, Question } from "./manifest.js";

/**
 * A valid example answer for a question that has no default, so previews,
 * tests and lint can render every recipe without a human.
 */
export function exampleAnswer(q: Question): JsonValue {
  switch (q.type) {
    case "list":
      if (q.of === "integer") return q.format === "chatId" ? [-1001234567890] : [123456789];
      return q.format === "command" ? ["example"] : q.format === "botCommand" || q.format === "languageCode" ? [exampleAnswer({ name: q.name, message: q.message, type: "string", format: q.format })] : ["Example"];
    case "string":
      switch (q.format) {
        case "chatId":
          return "-1001234567890";
        case "channel":
          return "@example_channel";
        case "httpsUrl":
          return "https://example.com/bot";
        case "redisUrl":
          return "redis://127.0.0.1:6379";
        case "relativePath":
          return "data/example";
        case "envVar":
          return "EXAMPLE_VAR";
        case "command":
          return "example";
        case "identifier":
          return "example";
        case "secretToken":
          return "example_secret";
        case "botCommand":
          return "example - An example command";
        case "languageCode":
          return "en";
        default:
          return "example";
      }
    case "integer":
      return q.min ?? 1;
    case "boolean":
      return false;
    case "select":
      return q.choices[0]!.value;
    case "multiselect":
      return [];
  }
}

/** Example answers for every question without a default. */
export function exampleAnswers(questions: Question[]): Record<string, JsonValue> {
  return Object.fromEntries(questions.filter((q) => q.default === undefined).map((q) => [q.name, exampleAnswer(q)]));
}
