import type { JsonValue } from "./manifest.js";

/**
 * Facts of a typical project (an ESM bot in src/bot.ts, polled, with grammY's
 * own Context): what previews, lint renderings and tests use when there is no
 * real project to read them from. The real ones come from `templateFacts`.
 */
export const typicalFacts: Readonly<Record<string, JsonValue>> = {
  bot: "bot",
  botFile: "src/bot.ts",
  contextType: "Context",
  served: "polling",
  moduleKind: "esm",
  recipesDir: "src/recipes",
  testRunner: "vitest",
  botFactory: "",
  botFactoryArgs: "none",
  botModule: "src/bot.js",
  botHandlerModules: [],
};
