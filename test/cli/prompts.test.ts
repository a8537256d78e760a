// Prompts (issue 13 §9): list questions say "comma-separated" once, answers typed ahead are
// kept between prompts, and cancelling a prompt exits 130 (interrupted), not 2 (usage error).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import prompts from "prompts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addCommand } from "../../src/commands/add.js";
import { CliError, exitCodeOf } from "../../src/core/errors.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { listMessage } from "../../src/ui/ask.js";
import { TypeAhead } from "../../src/ui/type-ahead.js";
import { binPath, treeHash } from "../helpers/cli.js";
import { copyFixture, repoRoot } from "../helpers/recipes.js";

describe("list prompts", () => {
  it("end with exactly one comma-separated, whatever the words of the message", () => {
    const messages = loadCatalogue()
      .recipes.flatMap((r) => r.manifest.questions.filter((q) => q.type === "list").map((q) => `${r.ref}: ${q.message}`));
    expect(messages.length).toBeGreaterThan(5);
    for (const message of [...messages, "Commands to wrap", "Commands to wrap (without /; may be empty)", "Ids (comma-separated)"]) {
      const shown = listMessage(message);
      expect(shown.match(/comma-separated/g), shown).toHaveLength(1);
      expect(shown, shown).toMatch(/comma-separated\)$/);
      expect(shown, shown).not.toMatch(/\([^()]+\) \([^()]+\)$/); // one closing parenthesis, not two in a row
    }
    expect(listMessage("Commands to wrap")).toBe("Commands to wrap (comma-separated)");
    expect(listMessage("Chat ids (users or groups; may be empty)")).toBe("Chat ids (users or groups; may be empty; comma-separated)");
  });
});

describe("answers typed ahead", () => {
  it("reach the prompts that come after the one they were typed in", async () => {
    const source = new PassThrough();
    const input = new TypeAhead(source);
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const ask = (name: string) => prompts({ type: "text", name, message: name, stdin: input, stdout: sink as unknown as NodeJS.WriteStream });
    const first = ask("first");
    // Both answers arrive in one chunk, as a fast typist's or a paste's do.
    source.write("123,456\rgate\r\n");
    expect(await first).toEqual({ first: "123,456" });
    // Asked only after the first prompt has closed: its keys were kept.
    await new Promise((r) => setTimeout(r, 20));
    expect(await ask("second")).toEqual({ second: "gate" });
  });
});

describe("cancelling a prompt", () => {
  beforeEach(() => {
    Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
    vi.stubEnv("CI", "");
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => {
    Object.defineProperty(process.stdin, "isTTY", { value: undefined, configurable: true });
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("is an interruption (exit 130), and nothing is written", async () => {
    const dir = copyFixture("cjs-single");
    const before = treeHash(dir);
    prompts.inject([new Error("cancelled")]);
    const error = await addCommand(["access-control"], { cwd: dir, check: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe("cancelled; nothing was written");
    expect(exitCodeOf(error)).toBe(130);
    expect(treeHash(dir)).toBe(before);
  });
});

/** The CLI in a pseudo-terminal: `keys` are typed, all at once, when `waitFor` is shown. */
function inTerminal(args: string[], waitFor: string, keys: string): { code: number | null; output: string } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.CI;
  const r = spawnSync("python3", [join(repoRoot, "test/cli/pty-run.py"), waitFor, keys, "--", process.execPath, binPath, ...args], { env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 90_000 });
  return { code: r.status, output: r.stdout };
}
const hasPython = spawnSync("python3", ["-c", "import pty"]).status === 0;

describe.runIf(hasPython)("in a terminal (a pseudo-terminal, as a user runs it)", () => {
  it("Ctrl-C at a prompt exits 130 and writes nothing", { timeout: 120_000 }, () => {
    const dir = copyFixture("cjs-single");
    const before = treeHash(dir);
    const r = inTerminal(["add", "access-control", "--no-check", "--no-install", "--cwd", dir], "Telegram user ids", "\\x03");
    expect(r.output).toContain("cancelled; nothing was written");
    expect(r.code).toBe(130);
    expect(treeHash(dir)).toBe(before);
  });

  it("every answer typed ahead in one go is used: ids, the default mode, the default reply, yes to writing", { timeout: 120_000 }, () => {
    const dir = copyFixture("cjs-single");
    const r = inTerminal(["add", "access-control", "--no-check", "--no-install", "--cwd", dir], "Telegram user ids", "123,456\\r\\r\\r\\r");
    expect(r.code).toBe(0);
    expect(r.output).toContain("wrote 2 file(s)");
    expect(readFileSync(join(dir, "recipes/access-control.ts"), "utf8")).toContain("new Set<number>([123, 456])");
  });
});
