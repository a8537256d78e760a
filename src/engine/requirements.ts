import major from "semver/functions/major.js";
import satisfies from "semver/functions/satisfies.js";
import minVersion from "semver/ranges/min-version.js";
import validRange from "semver/ranges/valid.js";
import { CliError } from "../core/errors.js";
import type { InstalledPackage } from "../project/installed-versions.js";
import type { Condition, JsonValue, Recipe } from "../recipes/manifest.js";

// === What a recipe's code needs against what the project has ===
//
// A recipe names the versions its code compiles against (`requires`, and the
// ranges of the `dependencies` it adds). Before anything is rendered, each is
// compared with the version the project has installed: a recipe never writes
// code that does not compile against the installed grammY or plugin. Unmet
// ranges stop the run with the upgrade to make; `--upgrade` makes it instead.

export interface UnmetRequirement {
  recipe: string;
  name: string;
  range: string;
  have: InstalledPackage;
  /** The range `--upgrade` writes into package.json. */
  upgradeTo: string;
  /** What the upgrade breaks in the user's own code, from the manifest. */
  breaking?: string;
}

/** The facts conditions can test: `major:<package>` → the installed major. */
export function versionFacts(installed: Map<string, InstalledPackage>): Record<string, JsonValue> {
  const facts: Record<string, JsonValue> = {};
  for (const [name, pkg] of installed) {
    try {
      facts[`major:${name}`] = major(pkg.version);
    } catch {
      // Not a semver version (a git or file dependency): no fact.
    }
  }
  return facts;
}

/** The recipe's requirements (and dependency ranges) that hold for these answers and that the installed versions do not meet. */
export function unmetRequirements(recipe: Recipe, holds: (when: Condition | undefined) => boolean, installed: Map<string, InstalledPackage>): UnmetRequirement[] {
  const wanted = [
    ...(recipe.manifest.requires ?? []).filter((r) => holds(r.when)).map((r) => ({ name: r.name, range: r.range, upgradeTo: upgradeRange(r.range), breaking: r.breaking })),
    // A dependency already installed must be of the same major: a finer need is a `requires` entry.
    ...(recipe.manifest.dependencies ?? []).filter((d) => holds(d.when)).map((d) => ({ name: d.name, range: sameMajor(d.version), upgradeTo: d.version, breaking: undefined })),
  ];
  const out: UnmetRequirement[] = [];
  for (const w of wanted) {
    const have = installed.get(w.name);
    if (!have || validRange(w.range) === null) continue;
    if (satisfies(have.version, w.range, { includePrerelease: true })) continue;
    // One line per package: a `requires` entry says more than the dependency's major.
    if (out.some((o) => o.name === w.name)) continue;
    out.push({ recipe: recipe.ref, name: w.name, range: w.range, have, upgradeTo: w.upgradeTo, ...(w.breaking !== undefined && { breaking: w.breaking }) });
  }
  return out;
}

/** `^2.1.1` → `^2.0.0`, `^0.3.2` → `^0.3.0`: any version of the same major (the same minor below 1.0). */
function sameMajor(range: string): string {
  const min = validRange(range) === null ? null : minVersion(range);
  if (!min) return range;
  return min.major === 0 ? `^0.${min.minor}.0` : `^${min.major}.0.0`;
}

/** The range written into package.json for an upgrade: the recipe's own caret range, or `^` the lowest version a `>=` range allows. */
export function upgradeRange(range: string): string {
  if (/^[\^~]?\d/.test(range.trim())) return range.trim();
  const min = minVersion(range);
  return min ? `^${min.version}` : range;
}

/** The refusal of recipes whose version needs the project does not meet: `add` may offer the upgrade instead. */
export class VersionRefusal extends CliError {
  constructor(
    readonly unmet: UnmetRequirement[],
    message: string,
    hint: string,
  ) {
    super("failed", message, hint);
  }
}

/** `npm install a@^1 b@^2`: the install command when the project's package manager is not known. */
export const npmInstallCommand = (packages: Array<{ name: string; version: string }>): string => `npm install ${packages.map((p) => `${p.name}@${p.version}`).join(" ")}`;

/** The one-line refusal for unmet requirements, with the upgrade command and what it breaks. */
export function unmetError(unmet: UnmetRequirement[], installCommand: (packages: Array<{ name: string; version: string }>) => string): VersionRefusal {
  const what = unmet.map((u) => `${u.recipe} needs ${u.name} ${u.range}, this project has ${u.have.version}${u.have.source === "node_modules" ? "" : ` (from ${u.have.source === "lockfile" ? "the lockfile" : "package.json"})`}`);
  const breaking = unmet.filter((u) => u.breaking).map((u) => `upgrading ${u.name}: ${u.breaking}`);
  const packages = unmet.filter((u, i) => unmet.findIndex((o) => o.name === u.name) === i).map((u) => ({ name: u.name, version: u.upgradeTo }));
  return new VersionRefusal(
    unmet,
    `${what.join("; ")}; nothing was written${breaking.length > 0 ? `\n${breaking.join("\n")}` : ""}`,
    `upgrade first (${installCommand(packages)}) and run again, or pass --upgrade to have package.json and the install updated with the change`,
  );
}
