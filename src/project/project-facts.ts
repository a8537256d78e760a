import type { CodeStyle } from "./code-style.js";
import type { InstalledPackage } from "./installed-versions.js";
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
  /** Project-relative TypeScript files that may construct a grammY bot (import grammy and say `new`/`extends`). */
  candidates: string[];
  /** Project-relative files whose text mentions a given token (kept for op look-ups such as command names). */
  texts: Map<string, string>;
  /** The installed version of grammy and of every package package.json names (node_modules, then the lockfile, then the range). */
  installed: Map<string, InstalledPackage>;
  /** Style to use where a file gives no evidence (new files). */
  style: CodeStyle;
}
