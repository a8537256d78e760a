// `update` as users run it (the built CLI, a --templates pack whose recipe changed): exit codes and writes.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, treeHash } from "../helpers/cli.js";
import { copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";

/** A pack folder named `team` holding logging, its template changed by `change`. */
function pack(change?: (text: string) => string): string {
  const dir = join(tmpDir("cli-pack"), "team");
  mkdirSync(dir, { recursive: true });
  cpSync(join(repoRoot, "templates/logging"), join(dir, "logging"), { recursive: true });
  const template = join(dir, "logging/logging.ts.hbs");
  if (change) writeFileSync(template, change(readFileSync(template, "utf8")));
  return dir;
}

describe("update through the CLI", { timeout: 120_000 }, () => {
  it("status says an update is available; a conflict exits 1, writing markers only with --yes", () => {
    const dir = copyFixture("cjs-single");
    const flags = ["--cwd", dir, "--no-check", "--no-install"];
    const added = runCli(["add", "team/logging", "--templates", pack(), "--yes", ...flags]);
    expect(added.stderr).not.toMatch(/^error /m);
    expect(added.code).toBe(0);
    const file = join(dir, "recipes/logging.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("warn: 30, error: 40 }", "warn: 30, error: 50 }"));
    const v2 = pack((t) => t.replace("warn: 30, error: 40 }", "warn: 35, error: 40 }"));

    const status = runCli(["status", "--cwd", dir, "--templates", v2]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^team\/logging\s+\S+\s+newer version \S+\n\s+answers: level=info, logger=auto\n\s+changed by you: recipes\/logging\.ts\n/);

    const before = treeHash(dir);
    const refused = runCli(["update", "--templates", v2, ...flags]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error 1 file\(s\) conflict with your changes: recipes\/logging\.ts \(1 conflict\); nothing was written/);
    expect(treeHash(dir)).toBe(before);

    const written = runCli(["update", "--templates", v2, "--yes", ...flags]);
    expect(written.code).toBe(1);
    expect(written.stderr).toMatch(/error 1 file\(s\) written with conflict markers: recipes\/logging\.ts/);
    expect(readFileSync(file, "utf8")).toMatch(/<<<<<<< yours\n.*error: 50 \};\n\|\|\|\|\|\|\| team\/logging \S+\n.*error: 40 \};\n=======\n.*warn: 35, error: 40 \};\n>>>>>>> team\/logging \S+\n/);
    expect(runCli(["status", "--cwd", dir, "--templates", v2]).stdout).toMatch(/^team\/logging\s+\S+\s+up to date/);
  });
});
