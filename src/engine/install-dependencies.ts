import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { failure, type CliError } from "../core/errors.js";
import { cdCommand } from "../core/shell-quote.js";
import { packageSpecProblem } from "../recipes/dependency-spec.js";
import { formatCommand, type PackageManager, type ShellCommand } from "../project/package-manager.js";
import type { PeerLookup, RegistryVersion } from "./requirements.js";

import satisfies from "semver/functions/satisfies.js";

/** What happened to the install step of a run (also part of `add --json`). */
export interface InstallReport {
  packageManager: PackageManager["name"];
  /** How the package manager was chosen: `--pm`, `lockfile pnpm-lock.yaml`, `user agent yarn/4.1.0`, `default`. */
  detectedFrom: string;
  /** The commands, as the user would type them. */
  commands: string[];
  /** `skipped`: `--no-install`, the user runs the commands. */
  status: "installed" | "skipped" | "failed";
  reason?: string;
}

/**
 * Runs install commands one after the other in `root`, after the files are
 * written (or, with `run: false`, only reports them). The package manager's
 * output goes to our stderr, so stdout stays clean for `--json`. The first
 * failure stops the run. Nothing here undoes the written files: they are
 * correct without the install, and `installFailure` tells what to run by hand.
 */
export async function installDependencies(
  root: string,
  pm: PackageManager,
  commands: ShellCommand[],
  options: { run: boolean; log?: (line: string) => void },
): Promise<InstallReport> {
  const report: InstallReport = {
    packageManager: pm.name,
    detectedFrom: pm.detail ? `${pm.source} ${pm.detail}` : pm.source,
    commands: commands.map(formatCommand),
    status: options.run ? "installed" : "skipped",
  };
  if (!options.run) return report;
  const guarded = commands.map((cmd) => guardArguments(cmd)); // all checked before the first one runs
  for (const [i, cmd] of commands.entries()) {
    options.log?.(`$ ${formatCommand(cmd)}`);
    const reason = await run(root, guarded[i]!);
    if (reason !== undefined) return { ...report, status: "failed", reason };
  }
  return report;
}

/** The error for a failed install: what failed, and the commands to run by hand. */
export function installFailure(root: string, report: InstallReport): CliError {
  const where = relative(process.cwd(), root);
  const cd = where === "" ? "" : `${cdCommand(where)} && `;
  return failure(
    `installing the dependencies failed: ${report.reason ?? "unknown reason"}; the files are written and stay as they are`,
    `install them by hand: ${cd}${report.commands.join(" && ")}`,
  );
}

/** The flags this CLI itself writes into install commands; every other argument after the verb is a package. */
const ownFlags = new Set(["--save-dev", "-D", "--dev"]);

/**
 * The arguments as the package manager gets them: every package argument
 * must be a valid `name@range` (so none starts with `-` or is a path, URL or
 * `file:` spec, whoever built the command), and for npm they come after
 * `--`, which ends its options. Other package managers get no `--` (not all
 * of them read it as the end of options); the check is what keeps them safe.
 */
export function guardArguments(cmd: ShellCommand): ShellCommand {
  const [verb, ...rest] = cmd.args;
  if (verb === undefined) return cmd;
  const flags = rest.filter((a) => ownFlags.has(a));
  const specs = rest.filter((a) => !ownFlags.has(a));
  for (const spec of specs) {
    const problem = packageSpecProblem(spec);
    if (problem) throw failure(`refused to run ${cmd.command} ${verb}: ${problem}; nothing was installed`, "a dependency must be a valid npm package name with a semver range (check the recipe pack's dependencies)");
  }
  return { command: cmd.command, args: [verb, ...flags, ...(specs.length > 0 && cmd.command === "npm" ? ["--"] : []), ...specs] };
}

/** Undefined on success, else why it failed. */
function run(root: string, cmd: ShellCommand): Promise<string | undefined> {
  return new Promise((done) => {
    // On Windows package managers are .cmd shims, which only a shell can start.
    const child =
      process.platform === "win32"
        ? spawn(formatCommand(cmd), { cwd: root, stdio: ["ignore", 2, 2], shell: true })
        : spawn(cmd.command, cmd.args, { cwd: root, stdio: ["ignore", 2, 2] });
    child.once("error", (error: NodeJS.ErrnoException) => done(error.code === "ENOENT" ? `${cmd.command} was not found on PATH` : error.message));
    child.once("close", (code, signal) => done(code === 0 ? undefined : signal ? `${cmd.command} was stopped by ${signal}` : `${cmd.command} exited with code ${code}`));
  });
}

// === Asking the registry for peer ranges ===

/**
 * The peer lookup `add` uses before installing: the package's metadata from
 * the project's npm registry (`npm_config_registry`, `registry=` or
 * `@scope:registry=` in the project's .npmrc; no credentials
 * are sent, so a private registry answers nothing), the abbreviated
 * document npm itself installs from. Undefined, and the recipe's `requires`
 * are all there is, when offline: no answer within `timeoutMs`, an error
 * status, `npm_config_offline=true`, or `CREATE_BOT_SNIPPET_OFFLINE=1`.
 */
export function registryPeerLookup(root: string, options: { fetch?: typeof fetch; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): PeerLookup {
  const env = options.env ?? process.env;
  const offline = env.CREATE_BOT_SNIPPET_OFFLINE === "1" || env.npm_config_offline === "true";
  const get = options.fetch ?? fetch;
  return async (name, range) => {
    if (offline || packageSpecProblem(`${name}@${range}`)) return undefined;
    const url = `${registryFor(root, name, env).replace(/\/+$/, "")}/${name.replace("/", "%2f")}`;
    try {
      const response = await get(url, { headers: { accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8" }, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      if (!response.ok) return undefined;
      return versionsIn((await response.json()) as unknown, range);
    } catch {
      return undefined;
    }
  };
}

/** The versions of a registry document that `range` allows, with their peer ranges. */
export function versionsIn(doc: unknown, range: string): RegistryVersion[] | undefined {
  const versions = doc && typeof doc === "object" ? (doc as { versions?: unknown }).versions : undefined;
  if (!versions || typeof versions !== "object") return undefined;
  const out: RegistryVersion[] = [];
  for (const [version, meta] of Object.entries(versions as Record<string, unknown>)) {
    if (!satisfies(version, range)) continue;
    const peers = meta && typeof meta === "object" ? (meta as { peerDependencies?: unknown }).peerDependencies : undefined;
    const peerDependencies = peers && typeof peers === "object" ? Object.fromEntries(Object.entries(peers as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string")) : undefined;
    out.push({ version, ...(peerDependencies && { peerDependencies }) });
  }
  return out;
}

/** The registry a package is installed from, as npm picks it: a scope's registry, the environment (npm and npx set it from every .npmrc), the project's .npmrc, npm's default. */
function registryFor(root: string, name: string, env: NodeJS.ProcessEnv): string {
  const rcs = [join(root, ".npmrc")].map((file) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  });
  const setting = (key: string) => {
    const pattern = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\/@]/g, "\\$&")}\\s*=\\s*(\\S+)\\s*$`, "m");
    return rcs.map((text) => pattern.exec(text)?.[1]).find((v) => v !== undefined);
  };
  const scope = name.startsWith("@") ? name.split("/")[0] : undefined;
  const found = (scope && setting(`${scope}:registry`)) || env.npm_config_registry || setting("registry");
  return found && /^https?:\/\//.test(found) ? found : "https://registry.npmjs.org";
}
