import { templateFacts } from "../engine/plan.js";
import type { ProjectFacts } from "../project/project-facts.js";
import { typicalFacts } from "../recipes/typical-facts.js";
import type { JsonValue } from "../recipes/manifest.js";

/**
 * The project facts a template may use besides its answers. Read from
 * `templateFacts` itself (the one place that defines them), so a fact added
 * there is known to `lint` without a second list to keep in step.
 */
export const factNames: readonly string[] = Object.keys(
  templateFacts({ served: "polling", moduleKind: "esm", installed: new Map() } as unknown as ProjectFacts, { file: "src/bot.ts", line: 1 }),
);

/** Whether `name` is a fact: one of `factNames`, `major:<package>` (the installed major of a package), or `recipe:<id>` (that recipe is installed). */
export const isFactName = (name: string) => factNames.includes(name) || /^major:(@[\w.-]+\/)?[\w.-]+$/.test(name) || /^recipe:[a-z0-9][a-z0-9-]*$/.test(name);

/** The values of the facts templates branch on, so lint renders each at least once. */
export const factVariants: Record<string, JsonValue[]> = {
  served: ["polling", "runner", "webhook"],
  moduleKind: ["esm", "cjs"],
};

/** Facts of a typical project, the base of every lint rendering. */
export const lintFacts: Record<string, JsonValue> = { ...typicalFacts };
