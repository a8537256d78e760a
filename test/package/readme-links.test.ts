// The README is the npm page and the repository's front page: every relative
// link in it must resolve in a clone and in the published package (files
// left out by package.json `files`, or outside the repository, break on npm),
// and the diff it shows is the one `add` prints.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, tmpDir } from "../helpers/recipes.js";
import { cli } from "../new/helpers.js";

/** Relative link targets of a markdown text, outside code blocks and code spans, without #fragment or ?query. */
export function relativeLinks(markdown: string): string[] {
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
  const targets = [
    ...[...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]!),
  ];
  return [...new Set(targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("#")).map((t) => decodeURI(t.replace(/[#?].*$/, ""))).filter(Boolean))];
}

/** The files `npm pack` would put in the tarball (a dry run, no lifecycle scripts). */
function packedFiles(): string[] {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8", timeout: 60_000, shell: process.platform === "win32" });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
}

describe("README.md links", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const links = relativeLinks(readme);

  it("finds the links (the extractor itself)", () => {
    expect(relativeLinks("[a](docs/x.md#y) ![i](img/p.png \"t\") [b](https://e.org) [c](#top) `[d](no.md)`\n```\n[e](no2.md)\n```\n[r]: ./ref.md\n<a href=\"h.md\">h</a>")).toEqual([
      "docs/x.md",
      "img/p.png",
      "./ref.md",
      "h.md",
    ]);
    expect(links.length).toBeGreaterThan(0);
  });

  it("every relative link stays inside the repository and resolves there", () => {
    for (const link of links) {
      const rel = relative(repoRoot, join(repoRoot, link));
      expect(rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel), `${link} points outside the repository`).toBe(false);
      expect(existsSync(join(repoRoot, link)), `${link} does not exist in the repository`).toBe(true);
    }
  });

  it("every relative link resolves inside the published package", () => {
    const files = packedFiles();
    for (const link of links) {
      const path = normalize(link).split("\\").join("/").replace(/\/$/, "");
      const packed = files.includes(path) || files.some((f) => f.startsWith(`${path}/`));
      expect(packed, `${link} is not in the package (package.json "files")`).toBe(true);
    }
  });
});

describe("README.md's example", () => {
  it("is the diff `add access-control --set userIds=123456789 --dry-run` prints on grammY's getting-started bot", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const shown = /```diff\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown, "the README has a ```diff block").toBeDefined();
    const [botHunk, newFile] = shown!.split("\n\n");
    const dir = tmpDir("readme-example");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "my-bot", type: "module", dependencies: { grammy: "^1.46.0" } }, null, 2)}\n`);
    writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify({ compilerOptions: { module: "nodenext", strict: true } }, null, 2)}\n`);
    // https://grammy.dev/guide/getting-started
    writeFileSync(
      join(dir, "src/bot.ts"),
      [
        'import { Bot } from "grammy";',
        "",
        "const bot = new Bot(process.env.BOT_TOKEN!);",
        "",
        'bot.command("start", (ctx) => ctx.reply("Welcome! Up and running."));',
        'bot.on("message", (ctx) => ctx.reply("Got another message!"));',
        "",
        "bot.start();",
        "",
      ].join("\n"),
    );
    const run = cli(["add", "access-control", "--set", "userIds=123456789", "--dry-run", "--no-check"], dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${botHunk}\n`);
    // The new file, shortened in the README: every line shown is in the output (the hunk's line count may change).
    for (const line of newFile!.split("\n").filter((l) => l !== "" && l !== "…" && !l.startsWith("@@"))) expect(run.stdout, line).toContain(`${line}\n`);
  });
});
