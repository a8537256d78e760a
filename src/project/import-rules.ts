import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

// === What the project's ESLint config says about imports ===
//
// A text scan of the config files (no ESLint is loaded, no config is run):
// `no-restricted-imports` patterns that forbid relative paths (`../*`, `./*`)
// and the `groups` of the `import/order` rule (eslint-plugin-import,
// eslint-plugin-import-x). Enough to write the project's own modules through
// its alias and to put a new import among the group the rule puts it in.

export interface ImportRules {
  /** `parent`: `../` imports are forbidden; `all`: every relative import is. */
  noRelative?: "parent" | "all";
  /** The `import/order` groups, in order; names in one inner list share a rank. */
  orderGroups?: string[][];
  /** The config file the rules were read from. */
  source?: string;
}

const configFiles = [".eslintrc", ".eslintrc.json", ".eslintrc.js", ".eslintrc.cjs", ".eslintrc.yml", ".eslintrc.yaml", "eslint.config.js", "eslint.config.mjs", "eslint.config.cjs", "eslint.config.ts", "eslint.config.mts"];

/** The default groups of `import/order` when the rule is on without `groups`. */
const defaultGroups = [["builtin", "external"], ["parent", "sibling", "index"]];

export function readImportRules(root: string, packageJson: Record<string, unknown> | undefined): ImportRules {
  for (const file of configFiles) {
    const path = join(root, file);
    if (existsSync(path)) return importRulesFromText(readFileSync(path, "utf8"), file);
  }
  const inPackage = packageJson?.eslintConfig;
  return inPackage && typeof inPackage === "object" ? importRulesFromText(JSON.stringify(inPackage), "package.json") : {};
}

/** The rules from the text of an ESLint config (JSON, YAML or JavaScript). */
export function importRulesFromText(text: string, source: string): ImportRules {
  const rules: ImportRules = {};
  const restricted = /["']?no-restricted-imports["']?\s*:([\s\S]{0,1500})/.exec(text);
  if (restricted) {
    const window = restricted[1]!.split(/["']?(?:import|import-x)\/order/)[0]!;
    // Quoted (JSON, JavaScript) or a bare YAML list item (`- ../*`).
    const patterns = [...window.matchAll(/["'](\.{1,2}\/\*{0,2})["']|^\s*-\s+(\.{1,2}\/\*{0,2})\s*$/gm)].map((m) => m[1] ?? m[2]!);
    if (patterns.some((p) => p.startsWith("./"))) rules.noRelative = "all";
    else if (patterns.some((p) => p.startsWith("../"))) rules.noRelative = "parent";
  }
  const order = /["']?(?:import|import-x)\/order["']?\s*:([\s\S]{0,2000})/.exec(text);
  if (order) {
    const groups = /groups["']?\s*:\s*\[((?:[^[\]]|\[[^[\]]*\])*)\]/.exec(order[1]!);
    if (groups) {
      const parsed: string[][] = [];
      for (const m of groups[1]!.matchAll(/\[([^[\]]*)\]|["']([\w-]+)["']/g)) {
        const names = m[1] !== undefined ? [...m[1].matchAll(/["']([\w-]+)["']/g)].map((n) => n[1]!) : [m[2]!];
        if (names.length > 0) parsed.push(names);
      }
      if (parsed.length > 0) rules.orderGroups = parsed;
    } else {
      rules.orderGroups = defaultGroups;
    }
  }
  if (rules.noRelative || rules.orderGroups) rules.source = source;
  return rules;
}

/** Whether the rules forbid writing this relative specifier (`../x` under a `../*` pattern, any under `./*`). */
export function relativeForbidden(rules: ImportRules, specifier: string): boolean {
  return rules.noRelative === "all" || (rules.noRelative === "parent" && specifier.startsWith("../"));
}
