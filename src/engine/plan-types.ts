import type { CodeStyle } from "../project/code-style.js";
import type { ProjectFacts } from "../project/project-facts.js";
import type { Answers, Condition, JsonValue, Recipe } from "../recipes/manifest.js";
import type { FileChange, Tree } from "./tree.js";
import type { ProjectRecord } from "../record/record-file.js";

/** Where the bot lives, as found by the engine. */
export interface BotLocation {
  /** Project-relative file where `new Bot(…)` stands. */
  file: string;
  line: number;
  /** The variable holding it, when the engine can wire after it; `this` for a subclass of Bot. */
  variable?: string;
  /** For a subclass of Bot (`class MyBot extends Bot<C>`): its name; recipes are wired into the method that registers middleware. */
  className?: string;
  contextType?: string;
  /** Why it cannot be wired automatically (subclass, returned from a factory…). */
  unwireable?: string;
}

/** A line the user has to add by hand, with where. */
export interface ManualStep {
  recipe: string;
  file: string;
  line?: number;
  code: string;
  reason: string;
}

export interface DependencyChange {
  name: string;
  version: string;
  dev: boolean;
  /** `upgraded`: an installed version below what a recipe needs, raised with `--upgrade`. */
  status: "added" | "present" | "conflict" | "upgraded";
  /** The range already in package.json, for present/conflict. */
  existing?: string;
}

/** The whole plan of an `add`: printed by the preview, `--dry-run` and `--json`; written by `commitChanges`. */
export interface Plan {
  bot?: BotLocation;
  recipes: Array<{ ref: string; answers: Answers }>;
  changes: FileChange[];
  skipped: Array<{ path: string; reason: string }>;
  manual: ManualStep[];
  notes: string[];
  dependencies: DependencyChange[];
  /** The project's record after this change (when the plan keeps one: `PlanRequest.record`). */
  record?: ProjectRecord;
}

/** What an edit operation gets to work with. */
export interface OpContext {
  tree: Tree;
  project: ProjectFacts;
  bot: BotLocation;
  recipe: Recipe;
  answers: Answers;
  /** Facts and answers, the context of every template. */
  view: Record<string, JsonValue>;
  /** Style of the file being edited (read from that file). */
  styleOf: (path: string) => CodeStyle;
  /** Ranks of earlier installs by imported name, from the whole catalogue. */
  ranks: Map<string, number>;
  /** Renders a manifest string (`{{bot}}.use(x())`) against `view`. */
  render: (template: string, where: string) => string;
  /** The import specifier for a project file, written from another project file. */
  specifierFor: (fromFile: string, targetFile: string) => { specifier: string; aliases: string[] };
  /** The project file a specifier written in `fromFile` names (relative, tsconfig paths/baseUrl, package.json imports), if any. */
  resolveModule: (fromFile: string, specifier: string) => string | undefined;
  manual: (step: Omit<ManualStep, "recipe">) => void;
  note: (text: string) => void;
  /** Whether a manifest `when` holds for this recipe's answers and the project's facts. */
  holds: (when: Condition | undefined) => boolean;
  /** What the start and stop ops know from the whole catalogue (see `lifecycleFacts`). */
  lifecycle: LifecycleFacts;
}

/** How the on-start/on-stop ops recognise start functions and order the statements of several recipes. */
export interface LifecycleFacts {
  /** Functions recipes start the bot with (`replace-start`'s first name), with the stem of the file they come from: `startBot` → `server-lifecycle`. */
  starters: ReadonlyMap<string, string>;
  /** The sort key of a start or stop statement an earlier run placed, from the recipe names it uses. */
  keyOf: (when: "start" | "stop", statement: string) => number | undefined;
  /** The sort key of a recipe's start or stop code: recipes in the order of their ids. */
  keyFor: (recipeId: string, code: string) => number;
}
