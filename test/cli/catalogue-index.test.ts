// The catalogue index (src/recipes/catalogue-index.ts) and the --help cache are
// caches: list, show and --help print exactly what they print without them,
// and anything they were made from that changed (a manifest, a template, a
// recipe folder, a compiled module), or a corrupt index, makes the CLI read the
// templates again. Each test runs a copy of the built package (dist/src,
// templates, bin) so it can change the copy's files.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, tmpDir } from "../helpers/recipes.js";

/** A copy of the built package, its node_modules the repo's. */
function packageCopy(): string {
  const dir = tmpDir("catalogue-index");
  mkdirSync(join(dir, "dist"));
  cpSync(join(repoRoot, "dist/src"), join(dir, "dist/src"), { recursive: true });
  cpSync(join(repoRoot, "templates"), join(dir, "templates"), { recursive: true });
  cpSync(join(repoRoot, "bin"), join(dir, "bin"), { recursive: true });
  writeFileSync(join(dir, "package.json"), readFileSync(join(repoRoot, "package.json")));
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The modules the run resolved (test/helpers/trace-imports.mjs). */
  loaded: string;
}

/** Runs the copy's CLI, stdout a pipe. */
function run(pkg: string, args: string[], cwd = pkg): Run {
  const trace = join(pkg, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ["--import", join(repoRoot, "test/helpers/trace-imports.mjs"), join(pkg, "bin/create-bot-snippet.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", TRACE_IMPORTS_FILE: trace },
    timeout: 60_000,
  });
  let loaded = "";
  try {
    loaded = readFileSync(trace, "utf8");
    rmSync(trace);
  } catch {
    loaded = "";
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
}

const output = (r: Run) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });
const indexFile = (pkg: string) => join(pkg, "dist/src/catalogue-index.json");

/** What `args` prints with the copy's index and caches removed (then put back). */
function withoutIndex(pkg: string, args: string[], cwd = pkg) {
  const saved = join(pkg, "saved-caches");
  mkdirSync(saved, { recursive: true });
  const caches = ["catalogue-index.json", "catalogue-previews", "help.json"];
  for (const name of caches) cpSync(join(pkg, "dist/src", name), join(saved, name), { recursive: true });
  for (const name of caches) rmSync(join(pkg, "dist/src", name), { recursive: true, force: true });
  try {
    const r = run(pkg, args, cwd);
    expect(r.loaded).toMatch(readTemplates); // the templates were read (or commander made the help)
    return output(r);
  } finally {
    for (const name of caches) cpSync(join(saved, name), join(pkg, "dist/src", name), { recursive: true });
    rmSync(saved, { recursive: true, force: true });
  }
}

/**
 * Modules only a run that reads the templates loads: the manifest validation (semver), the template compiler
 * (handlebars), commander for `--help`; in the bundle bin runs (scripts/bundle.js) they are the chunks of the
 * catalogue reader, the renderer and commander (its `esm` entry).
 */
const readTemplates = /\/semver\/|\/handlebars\/|\/commander\/|\/bundle\/(catalogue|render-recipe|esm)-(?!index-)/;

/** True when the run read the index, not the templates. */
const fromIndex = (r: Run) => !readTemplates.test(r.loaded);

/**
 * What `args` prints without the caches in a package as built (templates and dist unchanged): the same
 * for every such copy, so run once per command in this file, not once per test that compares with it
 * (each run is a process: most of this file's time). In a package of its own, made on first use.
 */
let pristine: string | undefined;
const pristineReferences = new Map<string, ReturnType<typeof output>>();
function pristineWithoutIndex(args: string[]) {
  const key = args.join(" ");
  if (!pristineReferences.has(key)) pristineReferences.set(key, withoutIndex((pristine ??= packageCopy()), args));
  return pristineReferences.get(key)!;
}

describe("the catalogue index", { timeout: 120_000 }, () => {
  it("is used, and list, show and --help print what they print without it", () => {
    const pkg = packageCopy();
    for (const args of [["list"], ["list", "--json"], ["list", "--verbose"], ["show", "error-handler"], ["show", "error-handler", "--json"], ["show", "access-control", "--verbose"], ["show", "job-scheduler"], ["--help"]]) {
      const r = run(pkg, args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(fromIndex(r), args.join(" ")).toBe(true);
      expect(output(r), args.join(" ")).toEqual(pristineWithoutIndex(args));
    }
  });

  it("a manifest changed after the build: list and show read it, not the index", () => {
    const pkg = packageCopy();
    const file = join(pkg, "templates/error-handler/recipe.json");
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { title: string; description: string };
    manifest.title = "Changed title";
    manifest.description = "Changed description.";
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    const runs = new Map<string, Run>();
    for (const args of [["list"], ["list", "--json"], ["show", "error-handler"], ["show", "broadcast"]]) {
      const r = run(pkg, args);
      runs.set(args.join(" "), r);
      expect(fromIndex(r), args.join(" ")).toBe(false);
      expect(output(r), args.join(" ")).toEqual(withoutIndex(pkg, args));
    }
    // What those runs printed (the package has not changed since: no second run of each).
    expect(runs.get("list")!.stdout).toContain("Changed title");
    expect(runs.get("show error-handler")!.stdout).toContain("Changed description.");
  });

  it("a manifest made invalid after the build: the same error as without the index", () => {
    const pkg = packageCopy();
    writeFileSync(join(pkg, "templates/broadcast/recipe.json"), "{ not json");
    for (const args of [["list"], ["show", "error-handler"]]) {
      const r = run(pkg, args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("broadcast/recipe.json: not valid JSON");
      expect(output(r)).toEqual(withoutIndex(pkg, args));
    }
  });

  it("add: a manifest or a template changed after the build is read, not taken from the build's manifests or compiled templates", () => {
    const pkg = packageCopy();
    const project = (name: string) => {
      const dir = join(tmpDir(name), "bot");
      expect(run(pkg, ["new", dir, "--yes", "--no-install"]).code).toBe(0);
      return dir;
    };
    const add = (dir: string) => run(pkg, ["add", "error-handler", "--yes", "--no-install", "--no-check", "--cwd", dir]);
    const generated = (dir: string) => readFileSync(join(dir, "src/recipes/error-handler.ts"), "utf8");
    const [before, changed, refused] = [project("index-add-before"), project("index-add-template"), project("index-add-manifest")];
    expect(add(before).code).toBe(0);
    // The template: its new text is rendered.
    const template = join(pkg, "templates/error-handler/error-handler.ts.hbs");
    writeFileSync(template, readFileSync(template, "utf8").replace("// Error handling for the bot", "// Changed after the build: error handling for the bot"));
    expect(add(changed).code).toBe(0);
    expect(generated(changed)).toContain("// Changed after the build");
    expect(generated(before)).not.toContain("// Changed after the build");
    // The manifest: made invalid, add refuses it as it does without the index.
    writeFileSync(join(pkg, "templates/error-handler/recipe.json"), "{ not json");
    const r = add(refused);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error-handler/recipe.json: not valid JSON");
  });

  it("a template changed after the build: show renders it", () => {
    const pkg = packageCopy();
    const manifest = JSON.parse(readFileSync(join(pkg, "templates/error-handler/recipe.json"), "utf8")) as { files: Array<{ template: string }> };
    const template = join(pkg, "templates/error-handler", manifest.files[0]!.template);
    appendFileSync(template, "// a line added after the build\n");
    const r = run(pkg, ["show", "error-handler"]);
    expect(fromIndex(r)).toBe(false);
    expect(r.stdout).toContain("// a line added after the build");
    expect(output(r)).toEqual(withoutIndex(pkg, ["show", "error-handler"]));
    // Other recipes keep their previews from the index.
    expect(fromIndex(run(pkg, ["show", "access-control"]))).toBe(true);
  });

  it("a recipe folder added or removed after the build: list reads the templates", () => {
    const pkg = packageCopy();
    cpSync(join(pkg, "templates/error-handler"), join(pkg, "templates/error-handler-copy"), { recursive: true });
    const file = join(pkg, "templates/error-handler-copy/recipe.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"id": "error-handler"', '"id": "error-handler-copy"'));
    let r = run(pkg, ["list"]);
    expect(fromIndex(r)).toBe(false);
    expect(r.stdout).toContain("error-handler-copy");
    expect(output(r)).toEqual(withoutIndex(pkg, ["list"]));
    rmSync(join(pkg, "templates/error-handler-copy"), { recursive: true });
    rmSync(join(pkg, "templates/quote-message"), { recursive: true });
    r = run(pkg, ["list"]);
    expect(fromIndex(r)).toBe(false);
    expect(r.stdout).not.toContain("quote-message");
    expect(output(r)).toEqual(withoutIndex(pkg, ["list"]));
  });

  it("a corrupt index or preview is never used", () => {
    const pkg = packageCopy();
    // What each command prints without the caches: withoutIndex removes the index and the previews
    // before its run, so that output does not depend on what a corrupt index or preview holds, and
    // the templates and modules are as built: the output of a package as built, one run per command.
    const withoutIndexOnce = pristineWithoutIndex;
    const good = readFileSync(indexFile(pkg), "utf8");
    for (const corrupt of ["{ not json", "null", "[]", JSON.stringify({ ...JSON.parse(good), version: 999 }), good.slice(0, good.length / 2)]) {
      writeFileSync(indexFile(pkg), corrupt);
      for (const args of [["list"], ["show", "error-handler"]]) {
        const r = run(pkg, args);
        expect(fromIndex(r), `${args.join(" ")} with ${corrupt.slice(0, 20)}`).toBe(false);
        expect(output(r)).toEqual(withoutIndexOnce(args));
      }
    }
    writeFileSync(indexFile(pkg), good);
    // A preview of another build (its build id differs), or one that does not parse.
    const preview = join(pkg, "dist/src/catalogue-previews/error-handler.json");
    const data = JSON.parse(readFileSync(preview, "utf8")) as { build: string; preview: { files: Array<{ content: string }> } };
    data.build = "another build";
    data.preview.files[0]!.content = "a preview of another build";
    writeFileSync(preview, JSON.stringify(data));
    let r = run(pkg, ["show", "error-handler"]);
    expect(fromIndex(r)).toBe(false);
    expect(r.stdout).not.toContain("a preview of another build");
    expect(output(r)).toEqual(withoutIndexOnce(["show", "error-handler"]));
    writeFileSync(preview, "{");
    r = run(pkg, ["show", "error-handler"]);
    expect(fromIndex(r)).toBe(false);
    expect(output(r)).toEqual(withoutIndexOnce(["show", "error-handler"]));
  });

  it("a compiled module rebuilt with other content: the index and the help cache are not used", () => {
    const pkg = packageCopy();
    appendFileSync(join(pkg, "dist/src/render/helpers.js"), "\n// changed\n");
    let r = run(pkg, ["show", "error-handler"]);
    expect(fromIndex(r)).toBe(false);
    expect(output(r)).toEqual(withoutIndex(pkg, ["show", "error-handler"]));
    appendFileSync(join(pkg, "dist/src/cli.js"), "\n// changed\n");
    r = run(pkg, ["--help"]);
    expect(r.loaded).toMatch(/\/commander\/|\/bundle\/esm-/); // made by commander, not taken from the cache
    expect(output(r)).toEqual(withoutIndex(pkg, ["--help"]));
  });

  it("a file touched but not changed (its stamp differs, its content is the same): the index is still used", () => {
    const pkg = packageCopy();
    const file = join(pkg, "templates/error-handler/recipe.json");
    writeFileSync(file, readFileSync(file));
    utimesSync(file, new Date(), new Date(2001, 1, 1));
    const r = run(pkg, ["show", "error-handler"]);
    expect(fromIndex(r)).toBe(true);
    // Its content is as built: the output of a package as built.
    expect(output(r)).toEqual(pristineWithoutIndex(["show", "error-handler"]));
  });

  it("in a grammY project, show renders for that project, as without the index", () => {
    const pkg = packageCopy();
    const project = join(pkg, "project");
    cpSync(join(repoRoot, "test/fixtures/cjs-single"), project, { recursive: true });
    const r = run(pkg, ["show", "error-handler"], project);
    expect(r.code).toBe(0);
    expect(output(r)).toEqual(withoutIndex(pkg, ["show", "error-handler"], project));
    expect(r.stdout).not.toEqual(run(pkg, ["show", "error-handler"]).stdout); // its bot file, not a typical one
  });
});
