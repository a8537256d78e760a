import { cpSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { findPackageHome, limitTo, runTsc, type TscDiagnostic, type TypeScriptInstall } from "../check/tsc.js";
import { CliError } from "../core/errors.js";
import { applyStyle } from "../ast/apply-style.js";
import { locateBot, planAdd, templateFacts } from "../engine/plan.js";
import { npmInstallCommand, unmetError, unmetRequirements } from "../engine/requirements.js";
import { defaultStyle, detectCodeStyle } from "../project/code-style.js";
import { scanProject } from "../project/scan-project.js";
import { conditionHolds, resolveAnswers } from "../recipes/answers.js";
import { bundledTemplatesDir } from "../recipes/catalogue.js";
import type { Answers, JsonValue } from "../recipes/manifest.js";
import { renderString } from "../render/render-recipe.js";
import type { LintDiagnostic } from "./diagnostics.js";
import { diagnosticsPerCopy, FixtureCopies } from "./case-copies.js";
import { checkCopies, typescriptVersion } from "./check-copies.js";
import { lintScratch, linkPackages, ownTypeScript, packageOf } from "./scratch.js";
import { listedFiles, type LintCache } from "./lint-cache.js";
import { fieldFixtureDirs, repoFixtureDirs, writeBuiltinFixtures } from "./fixtures.js";
import { buildNodeModules, isFieldFixture, readToolchain, toolchainSources } from "./toolchain.js";
import type { LintedRecipe } from "./lint-recipes.js";

// === Stage 4: every combination on every fixture, one tsc per fixture ===
//
// For each fixture project, every recipe × answer combination is planned with
// the real engine (the same `planAdd` as `add`), and the result written as a
// copy of the fixture into one scratch folder per fixture. A tsconfig beside
// the copies extends the fixture's own with `strict`; one `tsc` process per
// fixture checks them all, the processes running side by side. Errors in a
// generated file are reported at the template line that produced it.
//
// Where the time goes (the whole catalogue, 4 fixtures, about 250 copies):
// tsc, about 5 s of CPU per fixture (1.2 s of it relating ioredis' Redis
// class, once per program; the rest the copies, each with its own bot and
// context declarations, so grammY's types are instantiated for each), and
// planning, mostly the engine's `planAdd` and `applyStyle`. So a fixture's tsc runs while the next fixture is
// planned, a copy identical to another in what TypeScript reads is checked
// once (case-copies.ts), and a variant that differs from one already in a
// copy only in string literals is neither styled nor written.
//
// `--matrix` adds the field fixtures (test/fixtures/field, in a checkout):
// projects with their own TypeScript (4.5 to 7), grammY and plugins named in
// toolchain.json. Their copies get a node_modules built from it, and are
// checked with that TypeScript and their own tsconfig (not forced strict),
// beside a pristine copy whose errors are the fixture's own. A recipe the
// engine refuses there (a version it needs, two bots) is a warning: the
// field matrix test (test/engine/field-matrix.test.ts) records which.

type Diagnostic = Omit<LintDiagnostic, "severity"> & { severity?: LintDiagnostic["severity"] };

interface Case {
  item: LintedRecipe;
  label: string;
  fixture: string;
  /** Generated files: path in the copy → the template, the view it was rendered with, and its combination. */
  generated: Map<string, GeneratedFile>;
}

interface Group {
  caseName: string;
  /** Generated contents already in the copy, normalized (see `normalize`). */
  contents: Set<string>;
  /**
   * The same, rendered and normalized before the fixture's style is applied:
   * a rendering seen here is not styled again (applyStyle parses the module)
   * since its styled text would differ from one already in the copy only in
   * string literals too.
   */
  rendered: Set<string>;
  variants: number;
  /**
   * Whether variants can be rendered here instead of planned. Asked when a
   * second combination comes (most groups have one): styling costs a parse.
   */
  fast: () => boolean;
}

/**
 * Two generated modules that differ only in the text of non-empty string
 * literals type-check alike (answers are typed constants), so one of them is
 * enough: the text of every non-empty '…' and "…" becomes `x`. Empty strings
 * stay distinct: `const X = ""` is where a missing wide annotation shows. So
 * do module specifiers (`from "…"`, `import("…")`, `require("…")`,
 * `module "…"`: another path is another module), template literals and
 * comments. Code the scanner is not sure of (a `/` that may start a regular
 * expression or divide, anything unterminated) is returned as it is: a
 * missed "alike" only costs a copy, a wrong one loses its errors.
 */
export function normalize(code: string): string {
  return normalizedStrings(code) ?? code;
}

/** Words after which a `/` may start a regular expression, or divide (`x.return / 2`): not sure. */
const REGEX_OR_DIVIDE_AFTER = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);
/**
 * Punctuation after which a `/` starts a regular expression. Not `<` and `>`
 * (TypeScript's type arguments: `x as Array<T> / 2` divides) nor `)` and `}`:
 * after them, not sure (but `)` of a call or a parenthesized value divides).
 */
const REGEX_AFTER = new Set([..."(,=:[!&|?{;~*%^+-"]);
const WORD = /[\w$\u0080-\uffff]/;
/** Words whose `(…)` may be followed by a statement (`if (a) /x/.test(s)`), not a value. */
const STATEMENT_HEAD = new Set(["if", "while", "for", "with", "await"]);

/** The scan of `normalize`; undefined when the code is not clear enough to touch. */
function normalizedStrings(code: string): string | undefined {
  let out = "";
  let i = 0;
  // The last tokens of code (words, punctuation, `"` for a literal), newest last: what a `/` or a quote follows.
  const last: string[] = [];
  const token = (t: string) => {
    last.push(t);
    if (last.length > 3) last.shift();
  };
  // Open `{` of code and `${` of template literals, innermost last.
  const braces: Array<"{" | "${"> = [];
  // Open `(`, each with the token before it: `)` ends a value (a `/` after it divides) unless it ends `if (…)` and the like.
  const parens: string[] = [];
  /** Scans template text from `i` (after "`" or the `}` of a `${…}`): true at its end, false at a `${`, undefined unterminated. */
  const templateText = (): boolean | undefined => {
    const start = i;
    for (; i < code.length; i++) {
      const c = code[i];
      if (c === "\\") i++;
      else if (c === "`") {
        out += code.slice(start, ++i);
        token('"');
        return true;
      } else if (c === "$" && code[i + 1] === "{") {
        i += 2;
        out += code.slice(start, i);
        braces.push("${");
        token("{"); // an expression starts: a `/` here starts a regular expression
        return false;
      }
    }
    return undefined;
  };

  // Where a line ends for TypeScript (a `//` comment, a hashbang); a literal that meets one is unterminated.
  const lineBreak = /[\n\r\u2028\u2029]/g;
  const lineEnd = (from: number) => {
    lineBreak.lastIndex = from;
    return lineBreak.exec(code)?.index ?? code.length;
  };
  const isLineBreak = (c: string | undefined) => c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029";
  if (code.startsWith("#!")) {
    i = lineEnd(0);
    out = code.slice(0, i);
  }
  while (i < code.length) {
    const c = code[i]!;
    const next = code[i + 1];
    if (/\s/.test(c)) {
      out += c;
      i++;
    } else if (c === "/" && next === "/") {
      const stop = lineEnd(i);
      out += code.slice(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = code.indexOf("*/", i + 2);
      if (end === -1) return undefined;
      out += code.slice(i, end + 2);
      i = end + 2;
    } else if (c === "/") {
      const before = last[last.length - 1];
      const regex =
        before === undefined ||
        (REGEX_AFTER.has(before) && !((before === "+" || before === "-") && last[last.length - 2] === before)); // not after `++`, `--`
      const divide = before !== undefined && (before === '"' || before === "]" || before === ")" || (WORD.test(before[0]!) && !REGEX_OR_DIVIDE_AFTER.has(before)));
      if (regex) {
        let j = i + 1;
        for (let inClass = false; ; j++) {
          const r = code[j];
          if (r === undefined || isLineBreak(r)) return undefined;
          if (r === "\\") j++;
          else if (r === "[") inClass = true;
          else if (r === "]") inClass = false;
          else if (r === "/" && !inClass) break;
        }
        for (j++; j < code.length && WORD.test(code[j]!); j++); // flags
        out += code.slice(i, j);
        i = j;
        token('"');
      } else if (divide) {
        out += c;
        i++;
        token(c);
      } else return undefined; // after `}`, `if (…)`, `<`, `>`, a keyword, `++`: a regular expression or a division
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      for (; code[j] !== c; j++) {
        const s = code[j];
        if (s === undefined || isLineBreak(s)) return undefined;
        if (s === "\\") j++;
      }
      const before = last[last.length - 1];
      const specifier = before === "from" || before === "import" || before === "module" || (before === "(" && (last[last.length - 2] === "require" || last[last.length - 2] === "import"));
      out += j === i + 1 || specifier ? code.slice(i, j + 1) : `${c}x${c}`;
      i = j + 1;
      token('"');
    } else if (c === "`") {
      out += c;
      i++;
      if (templateText() === undefined) return undefined;
    } else if (c === "{") {
      braces.push("{");
      out += c;
      i++;
      token(c);
    } else if (c === "}") {
      const open = braces.pop();
      if (open === undefined) return undefined;
      out += c;
      i++;
      if (open === "{") token(c);
      else if (templateText() === undefined) return undefined;
    } else if (c === "(" || c === ")") {
      if (c === "(") parens.push(last[last.length - 1] ?? "");
      const opened = c === ")" ? parens.pop() : "";
      out += c;
      i++;
      token(opened === undefined || STATEMENT_HEAD.has(opened) ? ")?" : c); // `)?`: a `/` after it is not sure
    } else if (WORD.test(c)) {
      let j = i + 1;
      while (j < code.length && WORD.test(code[j]!)) j++;
      const word = code.slice(i, j);
      out += word;
      i = j;
      token(word);
    } else {
      out += c;
      i++;
      token(c);
    }
  }
  return braces.length === 0 ? out : undefined;
}

interface GeneratedFile {
  template: string;
  view: Record<string, JsonValue>;
  label: string;
}

/** The folder holding the `node_modules` where `grammy` resolves from `dir`. */
const grammyHome = (dir: string) => findPackageHome(dir, "grammy");

export async function typecheckRecipes(
  items: LintedRecipe[],
  options: {
    cwd: string;
    fixtures?: string[];
    /** Also the field fixtures, each with its own toolchain. */
    matrix?: boolean;
    /** Where to report that the check could not run. */ where?: string;
    /** The run's cache of results (lint-cache.ts); none: every recipe is checked. */
    cache?: LintCache;
  },
): Promise<{ diagnostics: Diagnostic[]; skipped: string[]; cached?: { hits: number; units: number } }> {
  const diagnostics: Diagnostic[] = [];
  const packageRoot = dirname(bundledTemplatesDir());
  // The CLI's own TypeScript, never the pack's or the current folder's (see scratch.ts).
  const ts: TypeScriptInstall | undefined = ownTypeScript(packageRoot);
  // Asked for and impossible: an error, so CI does not pass without having checked.
  const couldNotRun = (message: string, hint: string) =>
    diagnostics.push({ file: options.where ?? options.cwd, line: 1, column: 1, check: "typecheck", recipe: "-", message, hint });
  if (!ts) {
    couldNotRun(
      `--typecheck could not run: no TypeScript is installed with create-bot-snippet (${packageRoot}); it never runs one from the pack or the current folder`,
      "install typescript beside create-bot-snippet (npm i -D create-bot-snippet typescript, then npx create-bot-snippet lint --typecheck)",
    );
    return { diagnostics, skipped: [] };
  }
  const recipes = items.filter((i) => (i.recipe.manifest.kind ?? "recipe") === "recipe");
  if (recipes.length === 0) return { diagnostics, skipped: [] };

  // The copies live in the OS temp folder; the packages they import are linked beside them,
  // from the CLI's own install where it has them, else from the folder lint runs in.
  const { dir: scratch, remove } = lintScratch();
  try {
    // Where tsc lists the copies' files (it prints real paths).
    const realScratch = realpathSync(scratch);
    const needed = new Set(["grammy", "@types/node"]);
    for (const { recipe } of recipes) {
      for (const d of recipe.manifest.dependencies ?? []) needed.add(d.name);
      for (const e of recipe.manifest.edits) if ("module" in e && typeof e.module === "string" && packageOf(e.module)) needed.add(packageOf(e.module)!);
    }
    // Dev dependencies are often tools no code imports (tsx runs the test kit's tests): not installed, they
    // are not linked; code that does import one fails the type-check by itself.
    const tools = new Set(recipes.flatMap(({ recipe }) => (recipe.manifest.dependencies ?? []).filter((d) => d.dev === true).map((d) => d.name)));
    const links = linkPackages(scratch, needed, [packageRoot, options.cwd]);
    const missing = links.missing.filter((name) => !tools.has(name));
    if (missing.length > 0) {
      couldNotRun(
        `--typecheck could not run: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not installed in ${options.cwd} (nor with create-bot-snippet in ${packageRoot}); the recipes import ${missing.length === 1 ? "it" : "them"}`,
        `install ${missing.length === 1 ? "it" : "them"} there first: npm i -D ${missing.join(" ")}`,
      );
      return { diagnostics, skipped: [] };
    }
    const home = grammyHome(packageRoot) ?? grammyHome(options.cwd)!;
    const builtIn = join(scratch, "_fixtures");
    const fixtureDirs = options.fixtures?.map((f) => resolve(options.cwd, f)) ?? repoFixtureDirs(packageRoot) ?? writeBuiltinFixtures(builtIn);
    const skipped: string[] = [];
    // --matrix: given fixtures with a toolchain.json are field fixtures; without --fixtures, the checkout's join the defaults.
    if (options.matrix && !options.fixtures) {
      const field = fieldFixtureDirs(packageRoot);
      if (field.length === 0) {
        couldNotRun("--matrix could not run: the field fixtures (test/fixtures/field) are not here", "run lint --matrix in a checkout of create-bot-snippet, after npm ci (npm test installs the toolchains of test/toolchains)");
      }
      fixtureDirs.push(...field);
    }
    /** What a fixture runs on, for hints: `typescript 4.5.5, grammy 1.11.2`. */
    const toolchainOf = new Map<string, string>();
    const catalogue = recipes.map((i) => i.recipe);
    const cases = new Map<string, Case>();
    const jobs: Array<{
      fixture: string;
      dir: string;
      base: string;
      sameAs: Map<string, string>;
      units: Map<LintedRecipe, Unit>;
      result: Promise<{ diagnostics: TscDiagnostic[]; output: string; code: number; timedOut?: boolean }>;
    }> = [];
    /** Copies removed as soon as their fixture is checked, while the next ones are planned. */
    const removals: Array<Promise<void>> = [];
    // tsc runs while the next fixture is planned; at most one process per core.
    const limit = limitTo(Math.max(1, availableParallelism()));
    const tscArgs = ["-p", "tsconfig.check.json", ...(ts.version.startsWith("7") ? ["--singleThreaded"] : [])];
    // Results of recipes on the default fixtures are kept between runs (a field fixture's toolchain is built anew each run).
    const cache = options.cache?.typecheck({ ts, linked: links.linked, tscArgs, recipeDirs: recipes.map((i) => i.recipe.dir) });
    /** Per job: the units (recipe on a fixture) checked in it, whose results are kept when the fixture's check is clean. */
    type Unit = { key: string; diagnostics: Diagnostic[] };

    for (const fixtureDir of fixtureDirs) {
      const fixture = basename(fixtureDir);
      const root = join(scratch, fixture);
      mkdirSync(root, { recursive: true });
      const field = options.matrix === true && isFieldFixture(fixtureDir);
      let project;
      let facts: Record<string, JsonValue>;
      try {
        if (field) {
          // The fixture is scanned where its node_modules is, so the engine reads its versions.
          buildNodeModules(root, readToolchain(fixtureDir), toolchainSources(home));
          cpSync(fixtureDir, join(root, "_pristine"), { recursive: true });
          const version = (name: string) => (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
          toolchainOf.set(fixture, `typescript ${typescriptVersion(join(root, "node_modules", "typescript"))}, grammy ${version("grammy")}`);
        }
        project = scanProject(field ? join(root, "_pristine") : fixtureDir);
        facts = templateFacts(project, locateBot(project));
      } catch (error) {
        // A field fixture the engine refuses as a whole (two bots) is what the field matrix records.
        if (field && error instanceof CliError) skipped.push(`--matrix: field fixture ${fixture}: ${error.message}`);
        else diagnostics.push({ file: fixtureDir, line: 1, column: 1, check: "typecheck", recipe: "-", message: `fixture ${fixture}: ${(error as Error).message}` });
        continue;
      }
      let n = 0;
      const copies = new FixtureCopies(fixtureDir, root);
      const bot = locateBot(project);
      const botStyle = detectCodeStyle(readFileSync(join(fixtureDir, bot.file), "utf8"), project.style);
      // A built-in fixture (an installed CLI has no test/fixtures) is written into each run's scratch folder: known by its name.
      const fixtureId = dirname(fixtureDir) === builtIn ? `built-in fixture ${fixture}` : fixtureDir;
      const fixtureKey = cache && !field ? cache.fixtureKey(fixtureId, fixtureDir, { installed: project.installed, facts }) : undefined;
      const units = new Map<LintedRecipe, Unit>();
      // Templates are written in the canonical style: for a project in that style, applyStyle changes nothing.
      const canonical = JSON.stringify(botStyle) === JSON.stringify(defaultStyle);
      for (const item of recipes) {
        // Planning is synchronous: between recipes, let a finished tsc end (and the next fixture's start).
        await new Promise((resolveTurn) => setImmediate(resolveTurn));
        const unitKey = fixtureKey === undefined ? undefined : cache!.unitKey(fixtureKey, item.recipe.dir);
        const kept = unitKey === undefined ? undefined : cache!.get(unitKey);
        if (kept) {
          diagnostics.push(...kept);
          continue;
        }
        const unit: Unit = { key: unitKey ?? "", diagnostics: [] };
        if (unitKey !== undefined) units.set(item, unit);
        /** A diagnostic of this recipe on this fixture (kept with its result). */
        const found = (d: Diagnostic) => {
          diagnostics.push(d);
          unit.diagnostics.push(d);
        };
        // Combinations whose edits are the same share one copy of the fixture: each one's
        // generated module is written beside the first as `name.vN.ts`, and only planned
        // (through ts-morph) when its edits differ from those already planned.
        const groups = new Map<string, Group>();
        const { manifest } = item.recipe;
        for (const combo of item.combinations) {
          let answers: Answers;
          try {
            answers = await resolveAnswers(manifest, { given: combo.given, facts });
          } catch {
            continue; // refused values are stage 3's business
          }
          const view: Record<string, JsonValue> = { ...facts, ...answers };
          const holds = (when: Parameters<typeof conditionHolds>[0]) => conditionHolds(when, answers, facts);
          const generated = new Map<string, GeneratedFile>();
          for (const spec of manifest.files.filter((f) => holds(f.when))) {
            generated.set(renderString(item.recipe, spec.target, view, "files.target"), { template: spec.template, view, label: combo.label });
          }
          const editKey = JSON.stringify([
            [...generated.keys()],
            (manifest.dependencies ?? []).filter((d) => holds(d.when)),
            manifest.edits.filter((e) => holds(e.when)).map((e) => [e, "code" in e ? renderString(item.recipe, e.code, view, "code") : "", "file" in e && e.file ? renderString(item.recipe, e.file, view, "file") : "", e.op === "wrap-handlers" ? answers[e.commands] ?? null : null]),
          ]);
          const group = groups.get(editKey);
          // Refused for the project's versions (as `add` would): checked before the fast path renders without planning.
          const unmet = unmetRequirements(item.recipe, holds, project.installed);
          if (unmet.length > 0) {
            const message = unmetError(unmet, npmInstallCommand).message.split("\n")[0]!;
            found({
              file: item.manifestFile,
              line: 1,
              column: 1,
              check: "typecheck",
              recipe: basename(item.recipe.dir),
              ...(field ? { severity: "warning" as const, message: `refused on field fixture ${fixture} (${toolchainOf.get(fixture)}): ${message}` } : { message: `add fails on fixture ${fixture} with ${combo.label}: ${message}` }),
            });
            continue;
          }
          const renderCanonical = (path: string) => item.renderers.get(generated.get(path)!.template)?.(view).text ?? "";
          const style = (path: string, text: string) => (/\.(m|c)?tsx?$/.test(path) && !canonical ? applyStyle(text, botStyle) : text);
          if (group?.fast()) {
            const path = [...generated.keys()][0]!;
            const text = renderCanonical(path);
            if (group.rendered.has(normalize(text))) continue;
            group.rendered.add(normalize(text));
            const content = style(path, text);
            if (group.contents.has(normalize(content))) continue;
            group.contents.add(normalize(content));
            const variant = path.replace(/(\.[cm]?tsx?)$/, `.v${++group.variants}$1`);
            copies.set(group.caseName, variant, content);
            cases.get(`${fixture}/${group.caseName}`)!.generated.set(variant, generated.get(path)!);
            continue;
          }
          let plan;
          try {
            plan = planAdd({ project, recipes: [{ recipe: item.recipe, answers }], catalogue });
          } catch (error) {
            const refused = field && error instanceof CliError;
            found({
              file: item.manifestFile,
              line: 1,
              column: 1,
              check: "typecheck",
              recipe: basename(item.recipe.dir),
              ...(refused
                ? { severity: "warning" as const, message: `refused on field fixture ${fixture} (${toolchainOf.get(fixture)}): ${(error as Error).message}` }
                : { message: `add fails on fixture ${fixture} with ${combo.label}: ${(error as Error).message}` }),
            });
            continue;
          }
          const created = plan.changes.filter((c) => generated.has(c.path) && c.kind === "create");
          if (group && created.every((c) => group.contents.has(normalize(c.after)))) continue;
          if (group && created.length === 1) {
            const change = created[0]!;
            group.contents.add(normalize(change.after));
            const variant = change.path.replace(/(\.[cm]?tsx?)$/, `.v${++group.variants}$1`);
            copies.set(group.caseName, variant, change.after);
            cases.get(`${fixture}/${group.caseName}`)!.generated.set(variant, generated.get(change.path)!);
            continue;
          }
          const caseName = `c${n++}`;
          copies.create(caseName);
          for (const change of plan.changes) copies.set(caseName, change.path, change.after);
          cases.set(`${fixture}/${caseName}`, { item, label: combo.label, fixture, generated });
          if (!group) {
            // The fast path is taken only when rendering here gives exactly what the engine wrote.
            const first = created.length === 1 && generated.size === 1 ? { path: created[0]!.path, after: created[0]!.after, text: renderCanonical(created[0]!.path) } : undefined;
            let decided: boolean | undefined;
            const fast = () => (decided ??= first !== undefined && style(first.path, first.text) === first.after);
            const rendered = new Set(first ? [normalize(first.text)] : []);
            groups.set(editKey, { caseName, contents: new Set(created.map((c) => normalize(c.after))), rendered, variants: 0, fast });
          }
        }
      }
      if (n === 0) {
        // Nothing to check here (every recipe refused, or every result kept): what was found is the result.
        cache?.put([...units.values()], [], root);
        continue;
      }
      // A copy identical (in what TypeScript reads) to one written before is not written: its diagnostics are that one's.
      const { written, sameAs, done } = copies.write();
      const removed = <R>(result: Promise<R>) => {
        if (process.env.BOT_SNIPPET_KEEP_SCRATCH) return result;
        const gone = result.then(() => rm(root, { recursive: true, force: true }));
        removals.push(gone.catch(() => undefined));
        return result;
      };
      if (field) {
        const dirs = [join(root, "_pristine"), ...written.map((c) => copies.dir(c))];
        jobs.push({ fixture, dir: root, base: fixtureDir, sameAs, units, result: removed(done.then(() => limit(() => checkCopies(join(root, "node_modules", "typescript"), dirs, root, scratch)))) });
        continue;
      }
      const config = {
        extends: join(fixtureDir, "tsconfig.json"),
        compilerOptions: { noEmit: true, strict: true, skipLibCheck: true, incremental: false, composite: false },
        include: ["./c*/**/*.ts"],
        exclude: ["./**/node_modules"],
      };
      writeFileSync(join(root, "tsconfig.check.json"), JSON.stringify(config, null, 2));
      // --listFiles: what the program read outside the copies, kept with the results (their stamps must hold).
      const args = units.size > 0 ? [...tscArgs, "--listFiles"] : tscArgs;
      jobs.push({ fixture, dir: root, base: fixtureDir, sameAs, units, result: removed(done.then(() => limit(() => runTsc(ts, args, root)))) });
    }

    const results = await Promise.all(jobs.map((j) => j.result));
    // Not racing the final removal of the scratch folder.
    await Promise.all(removals);
    jobs.forEach((job, j) => {
      const result = results[j]!;
      /** Whether the fixture's check had errors of its own (then no result of it is kept). */
      let clean = result.timedOut !== true;
      for (const { diagnostic: d, copy: caseName, path } of diagnosticsPerCopy(result.diagnostics, job.sameAs)) {
        const c = cases.get(`${job.fixture}/${caseName}`);
        if (caseName === "_pristine" || !c) clean = false;
        const found = (diagnostic: Diagnostic) => {
          diagnostics.push(diagnostic);
          if (c) job.units.get(c.item)?.diagnostics.push(diagnostic);
        };
        if (caseName === "_pristine") {
          diagnostics.push({ file: join(job.base, path), line: d.line, column: d.column, check: "typecheck", recipe: "-", message: `field fixture ${job.fixture} does not type-check as it is: ${d.code}: ${d.message}` });
          continue;
        }
        if (!c) {
          diagnostics.push({ file: join(job.base, "tsconfig.json"), line: 1, column: 1, check: "typecheck", recipe: "-", message: `tsc on fixture ${job.fixture}: ${d.code}: ${d.message}` });
          continue;
        }
        const folder = basename(c.item.recipe.dir);
        const origin = c.generated.get(path);
        const label = origin?.label ?? c.label;
        const toolchain = toolchainOf.get(c.fixture);
        const where = `on ${toolchain ? "field " : ""}fixture ${c.fixture}${toolchain ? ` (${toolchain})` : ""} with ${label === "defaults" ? "the defaults" : label}`;
        const renderer = origin && c.item.renderers.get(origin.template);
        if (origin && renderer) {
          const rendered = renderer(origin.view);
          const offset = offsetOfLine(rendered.text, d.line);
          found({
            file: join(c.item.recipe.dir, origin.template),
            // The column as tsc gives it; in a fixture with another indent style it is approximate.
            ...rendered.origin(offset + Math.min(Math.max(d.column - 1, leadingSpaces(rendered.text, offset)), lineLength(rendered.text, offset))),
            check: "typecheck",
            recipe: folder,
            message: `${d.code}: ${d.message}`,
            hint: `${where} (${path}:${d.line}:${d.column})`,
          });
        } else {
          found({
            file: c.item.manifestFile,
            ...c.item.positions.find("edits"),
            check: "typecheck",
            recipe: folder,
            message: `${d.code} in the project's ${path}:${d.line}:${d.column} after the edits: ${d.message}`,
            hint: `${where}; check the edits' code and imports`,
          });
        }
      }
      if (result.code !== 0 && result.diagnostics.length === 0) {
        clean = false;
        diagnostics.push({ file: join(job.base, "tsconfig.json"), line: 1, column: 1, check: "typecheck", recipe: "-", message: `tsc failed on fixture ${job.fixture}: ${result.output.trim().slice(0, 300)}` });
      }
      if (clean) cache?.put([...job.units.values()], listedFiles(result.output), join(realScratch, job.fixture));
    });
    return { diagnostics, skipped, ...(cache ? { cached: { hits: cache.hits, units: cache.units } } : {}) };
  } finally {
    remove();
  }
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) return offset;
    offset = next + 1;
  }
  return offset;
}

function lineLength(text: string, offset: number): number {
  const end = text.indexOf("\n", offset);
  return (end === -1 ? text.length : end) - offset;
}

function leadingSpaces(text: string, offset: number): number {
  return /^[ \t]*/.exec(text.slice(offset))?.[0].length ?? 0;
}
