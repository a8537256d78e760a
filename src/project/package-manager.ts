import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { usageError } from "../core/errors.js";

export const packageManagers = ["npm", "pnpm", "yarn", "bun"] as const;
export type PackageManagerName = (typeof packageManagers)[number];

/** The package manager a project uses, and how it was found (printed so the user can tell why). */
export interface PackageManager {
  name: PackageManagerName;
  source: "--pm" | "packageManager" | "lockfile" | "user agent" | "default";
  /** What was found: `pnpm-lock.yaml`, `pnpm@9.1.0`, … */
  detail?: string;
}

/** A command as argv, run without a shell. */
export interface ShellCommand {
  command: string;
  args: string[];
}

export const lockfiles: Array<[file: string, name: PackageManagerName]> = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

export function isPackageManagerName(value: string): value is PackageManagerName {
  return (packageManagers as readonly string[]).includes(value);
}

/** `"pnpm@9.1.0+sha512.…"` → pnpm (Corepack's `packageManager` field). */
function fromPackageManagerField(dir: string): PackageManager | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  try {
    const field = (JSON.parse(readFileSync(file, "utf8")) as { packageManager?: unknown }).packageManager;
    const name = typeof field === "string" ? field.split("@")[0] ?? "" : "";
    return isPackageManagerName(name) ? { name, source: "packageManager", detail: String(field).replace(/\+.*$/, "") } : undefined;
  } catch {
    return undefined;
  }
}

/** `pnpm/9.1.0 npm/? node/v20.12.0 linux x64` → pnpm (set by every package manager for the scripts and `create`/`dlx` binaries it runs). */
export function fromUserAgent(agent: string | undefined): PackageManagerName | undefined {
  const name = agent?.split("/")[0]?.trim() ?? "";
  return isPackageManagerName(name) ? name : undefined;
}

/**
 * Detects the package manager of the project at `root`: the `packageManager`
 * field, then a lockfile, looking in `root` and then each parent folder (a
 * workspace keeps its lockfile at the top); then the user agent of the command
 * that started us (`pnpm create …`, `yarn dlx …`); npm when nothing says.
 * `override` (`--pm`) wins over everything.
 */
export function detectPackageManager(root: string, override?: string, env: NodeJS.ProcessEnv = process.env): PackageManager {
  if (override !== undefined) {
    if (!isPackageManagerName(override)) throw usageError(`--pm ${override}: unknown package manager`, `use one of ${packageManagers.join(", ")}`);
    return { name: override, source: "--pm" };
  }
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const field = fromPackageManagerField(dir);
    if (field) return field;
    const lock = lockfiles.find(([file]) => existsSync(join(dir, file)));
    if (lock) return { name: lock[1], source: "lockfile", detail: lock[0] };
    if (dirname(dir) === dir) break;
  }
  const agent = fromUserAgent(env.npm_config_user_agent);
  if (agent) return { name: agent, source: "user agent", detail: env.npm_config_user_agent?.split(" ")[0] };
  return { name: "npm", source: "default" };
}

/** `<pm> install`: installs everything package.json lists. */
export function installAllCommand(pm: PackageManagerName): ShellCommand {
  return { command: pm, args: ["install"] };
}

/**
 * The commands that add the given dependencies with their ranges
 * (`pnpm add grammy@^1.46.0`, then `pnpm add -D …` for dev ones): what the
 * user would type, so the lockfile and node_modules follow package.json.
 */
export function addDependenciesCommands(pm: PackageManagerName, deps: Array<{ name: string; version: string; dev: boolean }>): ShellCommand[] {
  const verb = pm === "npm" ? "install" : "add";
  const devFlag = pm === "npm" ? "--save-dev" : pm === "bun" ? "--dev" : "-D";
  const out: ShellCommand[] = [];
  for (const dev of [false, true]) {
    const specs = deps.filter((d) => d.dev === dev).map((d) => `${d.name}@${d.version}`);
    if (specs.length > 0) out.push({ command: pm, args: [verb, ...(dev ? [devFlag] : []), ...specs] });
  }
  return out;
}

/** A command as the user would type it; arguments with shell characters (`^`, `>`, spaces) are quoted. */
export function formatCommand(cmd: ShellCommand): string {
  return [cmd.command, ...cmd.args].map((a) => (/^[\w@/.:=+-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, "\\$1")}"`)).join(" ");
}
