import type { CodeStyle } from "./code-style.js";
import type { InstalledPackage } from "./installed-versions.js";
import type { ImportRules } from "./import-rules.js";
import type { AliasSettings } from "./module-aliases.js";

/** How relative imports are written in the project. */
export interface ImportStyle {
  /** `.js` under NodeNext/Node16 ESM, `.ts` with allowImportingTsExtensions, `` otherwise. */
  suffix: "" | ".js" | ".ts";
}

/** Everything the engine learns about a project before it edits anything (a cheap text scan, no compiler). */
export interface ProjectFacts {
  /** Absolute project root (the folder with package.json). */
  root: string;
  packageJson: Record<string, unknown> | undefined;
  /** `esm` when package.json has "type": "module". */
  moduleKind: "esm" | "cjs";
  /** tsconfig `module`/`moduleResolution`, lower-cased ("nodenext", "bundler", "commonjs"…). */
  tsModule: string;
  tsModuleResolution: string;
  /** tsconfig `paths`/`baseUrl` and package.json `imports`, to resolve and write the project's own aliases. */
  aliases: AliasSettings;
  importStyle: ImportStyle;
  /** How the bot is served, read from the whole scan: webhook if `webhookCallback` is used anywhere. */
  served: "polling" | "runner" | "webhook";
  /**
   * `serverless` when the bot is served as a function (a `webhookCallback`
   * exported from `api/`, `netlify/functions/`…, `export default
   * webhookCallback(…)`, a serverless adapter): no process outlives a request,
   * so timers, queues and in-memory state do not run. `evidence` names the file.
   */
  hosting: { kind: "process" } | { kind: "serverless"; evidence: string };
  /** What the project's ESLint config says about imports (no config: empty). */
  importRules: ImportRules;
  /** Project-relative TypeScript files that may construct a grammY bot (import grammy and say `new`/`extends`). */
  candidates: string[];
  /**
   * The texts of the project's TypeScript files, by project-relative path (for op look-ups such as command
   * names): every file, or on a repository of more than `fullReadLimit` files the bot's program (its entries
   * and what they import), when that walk finds the bot.
   */
  texts: Map<string, string>;
  /** The installed version of grammy and of every package package.json names (node_modules, then the lockfile, then the range). */
  installed: Map<string, InstalledPackage>;
  /** Style to use where a file gives no evidence (new files). */
  style: CodeStyle;
}
