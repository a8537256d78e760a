import { CliError } from "../core/errors.js";
import type { InstalledPackage } from "../project/installed-versions.js";
import type { ProjectFacts } from "../project/project-facts.js";
import type { Condition, JsonValue, Recipe } from "../recipes/manifest.js";
import { upgradeDependencies } from "./package-json.js";
import type { Plan } from "./plan-types.js";

import major from "semver/functions/major.js";
import rcompare from "semver/functions/rcompare.js";
import satisfies from "semver/functions/satisfies.js";
import valid from "semver/functions/valid.js";
import minVersion from "semver/ranges/min-version.js";
import validRange from "semver/ranges/valid.js";

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

// === What a recipe needs of how the bot runs, and middleware it must not doubled ===

/**
 * A recipe whose `needs` the project's way of running does not meet (a
 * `long-running` recipe on a bot served as a serverless function). `add`
 * asks in a terminal and plans again with `acceptNeeds`; elsewhere it is the
 * refusal, and `--force` writes anyway.
 */
export class NeedsRefusal extends CliError {
  constructor(message: string, hint: string) {
    super("failed", message, hint);
  }
}

/** The one-line warning for recipes that need a long-running process on a serverless bot; undefined when none does. */
export function unmetNeeds(recipes: Recipe[], project: Pick<ProjectFacts, "hosting">): NeedsRefusal | undefined {
  if (project.hosting.kind !== "serverless") return undefined;
  const needing = recipes.filter((r) => r.manifest.needs?.includes("long-running")).map((r) => r.ref);
  if (needing.length === 0) return undefined;
  return new NeedsRefusal(
    `${needing.join(", ")} ${needing.length === 1 ? "needs" : "need"} a long-running process, but this bot is served as a serverless function (${project.hosting.evidence}): its timers, queues and in-memory state end with each request; nothing was written`,
    "run the bot as a long-running process (bot.start(), @grammyjs/runner or a webhook server), or pass --force to write it anyway",
  );
}

/** One place the bot already installs middleware a recipe brings its own of. */
export interface ConflictingInstall {
  file: string;
  line: number;
  name: string;
  module: string;
}

/**
 * The places where the project already installs middleware a recipe's
 * `conflicts` names: a `.use(…)` whose argument calls `name` imported from
 * `module` (under any local name). `skip` are files the plan itself writes.
 */
export function conflictingInstalls(recipe: Recipe, texts: Map<string, string>, skip: (file: string) => boolean): ConflictingInstall[] {
  const out: ConflictingInstall[] = [];
  for (const conflict of recipe.manifest.conflicts ?? []) {
    const escapedModule = conflict.module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    for (const [file, text] of texts) {
      if (skip(file) || !text.includes(conflict.module)) continue;
      const locals = importedLocals(text, escapedModule, conflict.name);
      for (const local of locals) {
        const call = new RegExp(`\\.use\\s*\\(\\s*(?:[\\w$.]+\\s*,\\s*)*${local.replace(/\$/g, "\\$")}\\s*(?:<[^()]*>)?\\s*\\(`, "g");
        for (const m of text.matchAll(call)) out.push({ file, line: text.slice(0, m.index).split("\n").length, name: conflict.name, module: conflict.module });
      }
    }
  }
  return out;
}

/** The local names `name` from `module` has in a file: `import { session }`, `import { session as s }`, `import * as g` (`g.session`). */
function importedLocals(text: string, escapedModule: string, name: string): string[] {
  const locals: string[] = [];
  for (const m of text.matchAll(new RegExp(`import\\s+(?:type\\s+)?\\{([^{}]*)\\}\\s*from\\s*["']${escapedModule}["']`, "g"))) {
    for (const part of m[1]!.split(",")) {
      const item = /^\s*([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
      if (item && item[1] === name) locals.push(item[2] ?? item[1]);
    }
  }
  for (const m of text.matchAll(new RegExp(`import\\s*\\*\\s*as\\s+([\\w$]+)\\s+from\\s*["']${escapedModule}["']`, "g"))) locals.push(`${m[1]!}\\.${name}`);
  for (const m of text.matchAll(new RegExp(`(?:const|let|var)\\s*\\{([^{}]*)\\}\\s*=\\s*require\\(\\s*["']${escapedModule}["']\\s*\\)`, "g"))) {
    for (const part of m[1]!.split(",")) {
      const item = /^\s*([\w$]+)(?:\s*:\s*([\w$]+))?\s*$/.exec(part);
      if (item && item[1] === name) locals.push(item[2] ?? item[1]);
    }
  }
  return locals;
}

/** The refusal for middleware the bot already installs: where, and what to do instead. */
export function conflictError(recipe: Recipe, found: ConflictingInstall[]): CliError {
  const where = found.map((f) => `${f.name}() from ${f.module} at ${f.file}:${f.line}`).join(", ");
  return new CliError(
    "failed",
    `${recipe.ref} installs its own ${[...new Set(found.map((f) => `${f.name}()`))].join(" and ")}, and this bot already installs ${where}: a second one would hide the first one's data; nothing was written`,
    `remove those lines (and move your session data and conversations to what ${recipe.ref} installs) and run again, or keep yours and leave ${recipe.ref} out`,
  );
}

// === Peer ranges of the plugins an install adds ===
//
// The range a recipe adds (`@grammyjs/menu ^1.5.0`) lets the package manager
// install the newest version in it, whose peer range may need a newer grammY
// than the project has: npm then upgrades grammY in the lockfile without a
// word. Before installing, the peer ranges of the versions the range allows
// (from the registry, injectable for tests) are compared with the installed
// packages: the peer is upgraded when the user agrees (`--upgrade`, or yes in
// a terminal), else the newest version that fits is installed instead, else
// nothing is written. Offline (no registry answer) the recipe's `requires`,
// checked before planning, are all there is.

/** One version of a package as the registry lists it. */
export interface RegistryVersion {
  version: string;
  peerDependencies?: Record<string, string>;
}

/** The versions of `name` that `range` allows, with their peer ranges; undefined when the registry cannot be asked. */
export type PeerLookup = (name: string, range: string) => Promise<RegistryVersion[] | undefined>;

/** A dependency whose newest allowed version needs newer installed packages than the project has. */
export interface PeerMismatch {
  name: string;
  /** The range the recipe adds. */
  range: string;
  /** The version the package manager would install. */
  newest: string;
  /** Its peer ranges the installed packages do not meet. */
  peers: Array<{ name: string; range: string; have: InstalledPackage }>;
  /** The newest version in `range` whose peers the installed packages meet, and the range that installs it. */
  fits?: { version: string; range: string };
}

const unmetPeers = (v: RegistryVersion, installed: Map<string, InstalledPackage>) =>
  Object.entries(v.peerDependencies ?? {}).flatMap(([name, range]) => {
    const have = installed.get(name);
    if (!have || validRange(range) === null || satisfies(have.version, range, { includePrerelease: true })) return [];
    return [{ name, range, have }];
  });

/** The added dependencies whose newest allowed version's peers the installed packages do not meet. */
export async function peerMismatches(added: Array<{ name: string; version: string }>, installed: Map<string, InstalledPackage>, lookup: PeerLookup): Promise<PeerMismatch[]> {
  const out: PeerMismatch[] = [];
  for (const dep of added) {
    const listed = await lookup(dep.name, dep.version);
    if (!listed) continue;
    const versions = listed.filter((v) => valid(v.version) !== null && satisfies(v.version, dep.version)).sort((a, b) => rcompare(a.version, b.version));
    const newest = versions[0];
    if (!newest) continue;
    const peers = unmetPeers(newest, installed);
    if (peers.length === 0) continue;
    const fit = versions.find((v) => unmetPeers(v, installed).length === 0);
    // `~1.5.3` when every later patch of 1.5 fits too (the package manager may pick one), else the exact version.
    const tilde = fit && `~${fit.version}`;
    const range = fit && tilde && versions.filter((v) => satisfies(v.version, tilde)).every((v) => unmetPeers(v, installed).length === 0) ? tilde : fit?.version;
    out.push({ name: dep.name, range: dep.version, newest: newest.version, peers, ...(fit && range && { fits: { version: fit.version, range } }) });
  }
  return out;
}

/** `@grammyjs/menu ^1.5.0 would install 1.6.0, which needs grammy ^1.38.0; this project has 1.30.0`. */
export function describeMismatch(m: PeerMismatch): string {
  return `${m.name} ${m.range} would install ${m.newest}, which needs ${m.peers.map((p) => `${p.name} ${p.range}; this project has ${p.have.version}`).join(", and ")}`;
}

/**
 * Settles the peer mismatches in a plan: `upgrade` raises the peers in
 * package.json (said in a note); otherwise each dependency is pinned to the
 * newest version that fits (said in a note), and a dependency no version of
 * which fits stops the run before anything is written.
 */
export function settlePeers(plan: Plan, mismatches: PeerMismatch[], upgrade: boolean, installCommand: (packages: Array<{ name: string; version: string }>) => string = npmInstallCommand): Plan {
  if (mismatches.length === 0) return plan;
  const pkg = plan.changes.find((c) => c.path === "package.json");
  if (!pkg || pkg.after === undefined) return plan;
  const notes = [...plan.notes];
  let dependencies = [...plan.dependencies];
  let changes: Array<{ name: string; range: string }>;
  if (upgrade) {
    const peers = mismatches.flatMap((m) => m.peers.map((p) => ({ ...p, by: `${m.name} ${m.newest}` })));
    changes = peers.filter((p, i) => peers.findIndex((o) => o.name === p.name) === i).map((p) => ({ name: p.name, range: upgradeRange(p.range) }));
    for (const p of peers) notes.push(`upgrades ${p.name} ${p.have.version} → ${upgradeRange(p.range)}: ${p.by} needs ${p.name} ${p.range}`);
  } else {
    const stuck = mismatches.filter((m) => !m.fits);
    if (stuck.length > 0) {
      const upgrades = stuck.flatMap((m) => m.peers.map((p) => ({ name: p.name, version: upgradeRange(p.range) })));
      throw new VersionRefusal(
        [],
        `${stuck.map(describeMismatch).join("; ")}; no version in that range works with the installed one, and installing it would upgrade it without asking; nothing was written`,
        `pass --upgrade to upgrade it with this change, or upgrade first (${installCommand(upgrades)}) and run again`,
      );
    }
    changes = mismatches.map((m) => ({ name: m.name, range: m.fits!.range }));
    for (const m of mismatches) notes.push(`installs ${m.name} ${m.fits!.range}: ${describeMismatch(m)} (--upgrade upgrades ${m.peers.map((p) => p.name).join(", ")} instead)`);
  }
  const { text, results } = upgradeDependencies(pkg.after, changes);
  for (const r of results) {
    const i = dependencies.findIndex((d) => d.name === r.name);
    // A pinned plugin is still one the plan adds; a raised peer is an upgrade.
    if (i === -1) dependencies.push(r);
    else dependencies = dependencies.map((d, j) => (j === i ? { ...d, version: r.version } : d));
  }
  return { ...plan, notes, dependencies, changes: plan.changes.map((c) => (c === pkg ? { ...c, after: text } : c)) };
}
