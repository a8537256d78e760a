import { failure } from "../core/errors.js";
import type { Plan } from "../engine/plan-types.js";
import { checkPlannedChanges, hasTypeScript, type GateError, type GateResult } from "./typecheck-gate.js";

export interface GateOptions {
  /** `--check` true, `--no-check` false, absent: on when the project has typescript installed. */
  check?: boolean;
  /** `--force`: report new errors but write anyway. */
  force?: boolean;
}

/**
 * The `add --check` step, run just before writing: type-checks the planned
 * change in a scratch mirror of the project and throws (exit 1, nothing
 * written) when it would add type errors. `log` receives one-line progress
 * for the user (the command decides where it goes).
 */
export async function runAddGate(root: string, plan: Plan, options: GateOptions, log: (line: string) => void = () => {}): Promise<GateResult | undefined> {
  if (options.check === false || plan.changes.length === 0) return undefined;
  if (options.check === undefined && !hasTypeScript(root)) return undefined;
  const result = await checkPlannedChanges(root, plan.changes, plan.dependencies);
  const recipes = plan.recipes.map((r) => r.ref).join(", ");
  if (!result.checked) {
    const reason = oneLine(result.reason ?? "unknown reason");
    // Asked for explicitly: no check means no write. By default: say plainly that it was not checked.
    if (options.check === true) throw failure(`--check: the change cannot be type-checked: ${reason}; nothing was written`, "fix or reinstall typescript, or pass --no-check");
    log(`warning: the change was not type-checked: ${reason}`);
    return undefined;
  }
  // Runs 0: the project with this very change was checked before, and nothing it reads has changed since.
  const seconds = result.runs === 0 && result.cached ? "checked before, and nothing it reads has changed since" : `${(result.ms / 1000).toFixed(1)} s`;
  if (result.pending.length > 0) log(`${result.pending.length} diagnostic${result.pending.length === 1 ? "" : "s"} in files that import not-yet-installed packages will be checked after install`);
  if (result.newErrors.length === 0) {
    log(`✓ type-checked with TypeScript ${result.typescript} and your tsconfig.json: no new errors (${seconds})`);
    return result;
  }
  const lines = result.newErrors.slice(0, 10).map((e) => `  ${at(e)} ${e.code} ${e.message}${e.text ? `\n      ${e.text}${e.added ? `   (written by ${recipes})` : `   (broken by the change from ${recipes})`}` : ""}`);
  if (result.newErrors.length > 10) lines.push(`  … and ${result.newErrors.length - 10} more`);
  const summary = `the change would add ${result.newErrors.length} type error(s) (TypeScript ${result.typescript}, your tsconfig.json):\n${lines.join("\n")}`;
  if (options.force) {
    log(`warning: ${summary}\n--force: writing anyway`);
    return undefined;
  }
  throw failure(`${summary}\nnothing was written`, "--force writes anyway; --no-check skips the check; run `create-bot-snippet lint` on the recipe's pack to see its problems");
}

const at = (e: GateError) => `${e.file}:${e.line}:${e.column}`;

/** A reason on one line: a crash's `Error: …` line rather than its source excerpt and stack. */
function oneLine(reason: string): string {
  const lines = reason.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !/^at /.test(l));
  const error = lines.find((l) => /^\w*Error\b/.test(l));
  const head = lines[0] ?? reason;
  return error && error !== head ? `${head.replace(/:\d+$/, "")}: ${error}` : head;
}
