import { type ChildProcess, fork } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { codeCacheDir } from "../core/cache-folder.js";
import { codeDir, packageRoot } from "../core/package-root.js";
import { checkTimeoutMs, childEnv, findTypeScript, parseTscOutput, type TscDiagnostic, type TypeScriptInstall } from "./tsc.js";
import type { CheckReply, CheckRequest, CodeCacheUse } from "./tsc-worker.js";

// === The gate's compiler process, from the parent's side ===
//
// For a project on TypeScript 4.5 to 6 (a JavaScript compiler with an API),
// the gate checks through tsc-worker.js, a child process running the
// project's own TypeScript. `add`, `update` and `remove` start it
// (`prewarmCheck`) as soon as they know they will check, so that loading
// TypeScript and parsing the project happen while the change is being
// planned, on the other core; the gate then takes it (`takeChecker`). TypeScript 7 (native, no API) and older versions
// are checked by spawning tsc on a scratch mirror (typecheck-gate.ts).

/** One check's outcome, as a tsc run's: the diagnostics, their text, the exit code, and the program's files (absolute). */
export interface ApiRun {
  /** Whether the worker loaded TypeScript with V8's code cache of an earlier run. */
  codeCache?: CodeCacheUse;
  diagnostics: TscDiagnostic[];
  output: string;
  code: number;
  files: string[];
  timedOut?: boolean;
}

export class ApiChecker {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (reply: CheckReply) => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;
  private stderr = "";
  private exited = false;
  private ending: Promise<void> | undefined;

  private constructor(
    readonly root: string,
    readonly typescript: TypeScriptInstall,
    private readonly child: ChildProcess,
  ) {
    child.on("message", (reply: CheckReply) => {
      if (reply.id === 0 && !reply.ok) this.fail(new Error(reply.error));
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.resolve(reply);
    });
    child.stderr?.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString("utf8")).slice(-2000)));
    child.on("error", (error) => this.fail(error));
    // The CLI exits without waiting for it, and takes it along.
    const stop = () => child.kill();
    process.once("exit", stop);
    child.on("exit", (code, signal) => {
      this.exited = true;
      process.off("exit", stop);
      this.fail(new Error(`the compiler process ended (${signal ?? `exit code ${code}`})${this.stderr ? `: ${this.stderr.trim().split("\n").slice(-3).join(" ")}` : ""}`));
    });
    child.unref();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  /** A worker for the project's TypeScript, or undefined when it has no usable API (TypeScript 7, older than 4.5, no compiled worker). */
  static start(root: string, typescript: TypeScriptInstall): ApiChecker | undefined {
    const library = join(typescript.bin, "..", "..", "lib", "typescript.js");
    const worker = workerPath();
    if (process.env.CREATE_BOT_SNIPPET_CHECK_WORKER === "off") return undefined; // tsc on a mirror instead
    if (!/^(4\.([5-9]|\d\d)|[56])\./.test(typescript.version) || !worker || !existsSync(library)) return undefined;
    try {
      const child = fork(worker, [library, root, codeCacheFile(library, typescript.version)], { cwd: root, execArgv: [], stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json", env: childEnv() });
      return new ApiChecker(root, typescript, child);
    } catch {
      return undefined;
    }
  }

  /** Checks the project with `files` laid over it (project-relative paths; null: deleted). Rejects when the worker fails. */
  check(files: Record<string, string | null>, timeoutMs = checkTimeoutMs()): Promise<ApiRun> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<ApiRun>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        this.close();
        resolve({ diagnostics: [], files: [], output: `tsc did not finish within ${Math.round(timeoutMs / 1000)} s (CREATE_BOT_SNIPPET_CHECK_TIMEOUT sets the limit in seconds)`, code: 1, timedOut: true });
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (!reply.ok) reject(new Error(reply.error));
          else resolve({ diagnostics: parseTscOutput(reply.output), output: reply.output, code: reply.code, files: reply.files, codeCache: reply.codeCache });
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, files } satisfies CheckRequest, (error) => error && this.fail(error));
    });
  }

  /** Whether the worker process is still there. */
  get running(): boolean {
    return !this.exited;
  }

  /** Stops the worker now (a check it was doing is abandoned). */
  close(): void {
    this.fail(new Error("closed"));
    this.child.kill();
  }

  /**
   * Ends the worker once the gate is done: it keeps its compiled code for the
   * next run first (when it has none yet). Waits for it to end (killed after
   * `ms`), so that no process outlives the command.
   */
  end(ms = 5000): Promise<void> {
    this.ending ??= this.endWithin(ms);
    return this.ending;
  }

  private async endWithin(ms: number): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    const timer = setTimeout(() => this.child.kill(), ms);
    try {
      this.child.send({ bye: true }, (error) => error && this.child.kill());
    } catch {
      this.child.kill();
    }
    await exited;
    clearTimeout(timer);
    this.fail(new Error("ended"));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}

/**
 * Where the worker keeps V8's code cache for this typescript.js (in the CLI's
 * code cache folder), "" for none (`CREATE_BOT_SNIPPET_CODE_CACHE=off`). One
 * file per TypeScript version, size and mtime (npm writes a fixed mtime, so
 * projects on the same TypeScript share it; a patched typescript.js does not).
 */
function codeCacheFile(library: string, version: string): string {
  if (process.env.CREATE_BOT_SNIPPET_CODE_CACHE === "off") return "";
  try {
    const stat = statSync(library);
    return join(codeCacheDir(), `typescript-${version}-${stat.size}-${Math.round(stat.mtimeMs)}-${process.version}-${process.arch}.bin`);
  } catch {
    return "";
  }
}

/** The compiled worker: beside this module in dist, or dist's when running from the sources (tests). */
function workerPath(): string | undefined {
  const root = packageRoot();
  return [join(codeDir(), "check", "tsc-worker.js"), ...(root ? [join(root, "dist", "src", "check", "tsc-worker.js")] : [])].find((p) => existsSync(p));
}

const started = new Map<string, ApiChecker>();

/**
 * Starts the compiler process for the project's check ahead of time (when
 * its TypeScript has an API and it has a tsconfig.json); the gate takes it.
 * Never loads TypeScript in this process.
 */
export function prewarmCheck(folder: string): void {
  const root = resolve(folder);
  if (started.has(root) || !existsSync(join(root, "tsconfig.json"))) return;
  const typescript = findTypeScript(root);
  const checker = typescript && ApiChecker.start(root, typescript);
  if (checker) started.set(root, checker);
}

/** The started checker for the project (or a new one), undefined when the project's TypeScript has no usable API. The caller closes it. */
export function takeChecker(root: string, typescript: TypeScriptInstall): ApiChecker | undefined {
  const ready = started.get(resolve(root));
  started.delete(resolve(root));
  if (ready && ready.typescript.bin === typescript.bin) return ready;
  ready?.close();
  return ApiChecker.start(root, typescript);
}

/**
 * Whether a command with these options runs the gate before writing (then
 * worth starting its compiler early): not with --no-check or --dry-run, and
 * with --json only when --yes writes.
 */
export function willCheck(options: { check?: boolean; dryRun?: boolean; json?: boolean; yes?: boolean }): boolean {
  return options.check !== false && !options.dryRun && (!options.json || options.yes === true);
}

/** Stops a started checker the gate did not take (nothing to check after all). */
export function dropPrewarmed(): void {
  for (const checker of started.values()) checker.close();
  started.clear();
}
