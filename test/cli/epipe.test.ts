// `create-bot-snippet list | head -1`: the reader closes the pipe early; the
// CLI stops quietly with exit 0 instead of an unhandled EPIPE stack trace.
// `| true` closes the pipe before the CLI has started, so the write always fails.
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { binPath } from "../helpers/cli.js";

it("list and show piped into a reader that stops after one line: no stack trace, exit 0", () => {
  for (const command of ["list", "show error-handler"]) {
    const result = spawnSync("sh", ["-c", `"${process.execPath}" "${binPath}" ${command} | true`], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(result.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(result.status).toBe(0);
  }
  // bash reports the CLI's own exit status of the pipeline's first command.
  const bash = spawnSync("bash", ["-c", `"${process.execPath}" "${binPath}" list | true; exit \${PIPESTATUS[0]}`], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(bash.stderr).toBe("");
  expect(bash.status).toBe(0);
});
