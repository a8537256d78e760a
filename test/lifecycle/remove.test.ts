// `remove` planned in a Tree over a project where `add` wrote its record:
// generated files the user changed, dependencies still imported, imports
// still used, lines a formatter rewrote, lines that are gone, a recipe
// another needs, and a project without a record.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../../src/core/errors.js";
import { commitChanges } from "../../src/engine/commit.js";
import { Tree } from "../../src/engine/tree.js";
import { checkDependents, planRemove, selectRecorded } from "../../src/lifecycle/plan-remove.js";
import { removeDependencies } from "../../src/engine/package-json.js";
import { planRecognisedRemove } from "../../src/lifecycle/recognise.js";
import { readRecord } from "../../src/lifecycle/record-io.js";
import { locateHunk, splitLines, joinLines, reverseHunk } from "../../src/lifecycle/reverse-hunks.js";
import { keepUsedImports, removeImportNames } from "../../src/lifecycle/unused-imports.js";
import { BASE_DIR, RECORD_FILE, type ProjectRecord } from "../../src/record/record-file.js";
import { catalogue, copyFixture, fixturesDir } from "../helpers/recipes.js";
import { planAddRecorded, planRemoveIn } from "./remove-helpers.js";

/** A copy of a fixture with recipes added one after another, record and all. */
async function installed(fixture: string, ids: string[]): Promise<string> {
  const dir = copyFixture(fixture);
  for (const id of ids) commitChanges(dir, (await planAddRecorded(dir, id)).changes);
  return dir;
}

/** Every file and folder under a folder, with the files' bytes. */
function snapshotOf(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out[`${path}/`] = "";
        walk(path);
      } else out[path] = readFileSync(join(root, path), "utf8");
    }
  };
  walk("");
  return out;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const original = (fixture: string, path: string) => readFileSync(join(fixturesDir, fixture, path), "utf8");

describe("generated files", () => {
  it("keeps a generated file the user changed, with a note; --force deletes it", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    writeFileSync(join(dir, "recipes/rate-limit.ts"), `${read(dir, "recipes/rate-limit.ts")}\n// my tweak\n`);
    const kept = planRemoveIn(new Tree(dir), ["rate-limit"]);
    expect(kept.kept.map((k) => k.path)).toEqual(["recipes/rate-limit.ts"]);
    expect(kept.notes.join("\n")).toMatch(/kept recipes\/rate-limit\.ts: you changed it/);
    expect(kept.changes.find((c) => c.path === "recipes/rate-limit.ts")).toBeUndefined();
    expect(kept.changes.find((c) => c.path === "bot.ts")!.after).toBe(original("cjs-single", "bot.ts"));

    const forced = planRemoveIn(new Tree(dir), ["rate-limit"], { force: true });
    expect(forced.changes.find((c) => c.path === "recipes/rate-limit.ts")?.kind).toBe("delete");
  });

  it("deletes the record, base copies and every file on disk: the copy equals the fixture again", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    expect(existsSync(join(dir, RECORD_FILE))).toBe(true);
    const plan = planRemoveIn(new Tree(dir), ["rate-limit"]);
    commitChanges(dir, plan.changes);
    expect(existsSync(join(dir, RECORD_FILE))).toBe(false);
    expect(existsSync(join(dir, BASE_DIR, "recipes/rate-limit.ts.base"))).toBe(false);
    expect(existsSync(join(dir, "recipes/rate-limit.ts"))).toBe(false);
    expect(read(dir, "bot.ts")).toBe(original("cjs-single", "bot.ts"));
    // Emptied folders go too: the copy is the fixture, file for file and byte for byte.
    expect(snapshotOf(dir)).toEqual(snapshotOf(join(fixturesDir, "cjs-single")));
  });
});

describe("dependencies", () => {
  it("removes a dependency nothing else uses, keeping package.json's formatting", async () => {
    const dir = await installed("cjs-single", ["command-menu"]);
    expect(read(dir, "package.json")).toContain("@grammyjs/commands");
    const plan = planRemoveIn(new Tree(dir), ["command-menu"]);
    expect(plan.removedDependencies.map((d) => d.name)).toEqual(["@grammyjs/commands"]);
    expect(plan.changes.find((c) => c.path === "package.json")!.after).toBe(original("cjs-single", "package.json"));
  });

  it("keeps a dependency a file of the user still imports", async () => {
    const dir = await installed("cjs-single", ["command-menu"]);
    writeFileSync(join(dir, "menu.ts"), `import { CommandGroup } from "@grammyjs/commands";\nexport const group = new CommandGroup();\n`);
    const plan = planRemoveIn(new Tree(dir), ["command-menu"]);
    expect(plan.removedDependencies).toEqual([]);
    expect(plan.keptDependencies).toEqual([{ name: "@grammyjs/commands", reason: "menu.ts imports it" }]);
    expect(plan.changes.find((c) => c.path === "package.json")).toBeUndefined();
  });

  it("removeDependencies drops an emptied section and keeps CRLF, indent and the final newline", () => {
    const text = '{\r\n    "name": "x",\r\n    "devDependencies": {\r\n        "a": "^1.0.0"\r\n    }\r\n}\r\n';
    expect(removeDependencies(text, [{ name: "a", dev: true }]).text).toBe('{\r\n    "name": "x"\r\n}\r\n');
  });
});

describe("files that go with another recipe (facts.recipe:<id>)", () => {
  it("removing the test kit deletes the sample tests of the recipes that stay, and their record is as before the kit", async () => {
    const dir = await installed("cjs-single", ["rate-limit", "test-kit"]);
    expect(existsSync(join(dir, "test/rate-limit.test.ts"))).toBe(true);
    const plan = planRemoveIn(new Tree(dir), ["test-kit"]);
    expect(plan.changes.find((c) => c.path === "test/rate-limit.test.ts")?.kind).toBe("delete");
    commitChanges(dir, plan.changes);
    expect(snapshotOf(dir)).toEqual(snapshotOf(await installed("cjs-single", ["rate-limit"])));
  });
});

describe("edits in shared files", () => {
  it("keeps an import the user's code uses by now, and removes the rest of the recipe's lines", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    writeFileSync(join(dir, "bot.ts"), read(dir, "bot.ts").replace('bot.command("start"', 'bot.command("limited", rateLimit(), (ctx) => ctx.reply("ok"));\nbot.command("start"'));
    const plan = planRemoveIn(new Tree(dir), ["rate-limit"]);
    const bot = plan.changes.find((c) => c.path === "bot.ts")!.after;
    expect(bot).toContain('import { rateLimit } from "./recipes/rate-limit";');
    expect(bot).not.toContain("bot.use(rateLimit());");
    expect(plan.notes.join("\n")).toMatch(/kept the import of rateLimit/);
  });

  it("finds the recipe's lines after a formatter rewrote them (quotes, semicolons, spacing)", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    writeFileSync(join(dir, "bot.ts"), read(dir, "bot.ts").replace('import { rateLimit } from "./recipes/rate-limit";', "import {rateLimit} from './recipes/rate-limit'").replace("bot.use(rateLimit());", "bot.use( rateLimit() )"));
    const plan = planRemoveIn(new Tree(dir), ["rate-limit"]);
    expect(plan.manual).toEqual([]);
    expect(plan.changes.find((c) => c.path === "bot.ts")!.after).toBe(original("cjs-single", "bot.ts"));
  });

  it("takes out an import a formatter split over several lines, by its names", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    writeFileSync(join(dir, "bot.ts"), read(dir, "bot.ts").replace('import { rateLimit } from "./recipes/rate-limit";', 'import {\n  rateLimit,\n} from "./recipes/rate-limit";'));
    const plan = planRemoveIn(new Tree(dir), ["rate-limit"]);
    expect(plan.manual).toEqual([]);
    expect(plan.changes.find((c) => c.path === "bot.ts")!.after).toBe(original("cjs-single", "bot.ts"));
  });

  it("finds the lines after unrelated lines were added above and around them", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    const changed = `// header\n${read(dir, "bot.ts").replace("bot.use(rateLimit());\n", "bot.use(rateLimit());\nbot.use((ctx, next) => next());\n")}`;
    writeFileSync(join(dir, "bot.ts"), changed);
    const plan = planRemoveIn(new Tree(dir), ["rate-limit"]);
    expect(plan.manual).toEqual([]);
    expect(plan.changes.find((c) => c.path === "bot.ts")!.after).toBe(`// header\n${original("cjs-single", "bot.ts").replace('const bot = new Bot(process.env.BOT_TOKEN ?? "");\n', 'const bot = new Bot(process.env.BOT_TOKEN ?? "");\nbot.use((ctx, next) => next());\n')}`);
  });

  it("does not guess: lines that are gone are a manual step naming the file and the lines", async () => {
    const dir = await installed("cjs-single", ["server-lifecycle"]);
    writeFileSync(join(dir, "bot.ts"), read(dir, "bot.ts").replace("startBot(bot);", "void startBot(bot).then(() => console.log('stopped'));"));
    const plan = planRemoveIn(new Tree(dir), ["server-lifecycle"]);
    expect(plan.manual).toHaveLength(1);
    expect(plan.manual[0]).toMatchObject({ recipe: "server-lifecycle", file: "bot.ts", code: "startBot(bot);" });
    expect(plan.manual[0]!.reason).toMatch(/no longer there.*they replaced: bot\.start\(\);/);
  });

  it("a hunk is placed by its context when its lines stand twice, and refused when nothing tells them apart", () => {
    const file = splitLines("a\nx\nb\nc\nx\nd\n");
    expect(locateHunk(file.lines, { before: ["c"], removed: [], added: ["x"], after: ["d"] })).toEqual({ index: 4 });
    expect(locateHunk(file.lines, { before: [], removed: [], added: ["x"], after: [] })).toMatchObject({ problem: expect.stringMatching(/2 places/) });
    expect(reverseHunk(file, { before: ["a"], removed: ["y"], added: ["x"], after: ["b"] })).toBeUndefined();
    expect(joinLines(file)).toBe("a\ny\nb\nc\nx\nd\n");
  });

  it("takes out only its names from an import line another edit merged names into", () => {
    const text = 'import { Bot, session, InlineKeyboard } from "grammy";\nconst k = new InlineKeyboard();\nnew Bot("");\n';
    expect(removeImportNames("bot.ts", text, "grammy", ["session", "InlineKeyboard"]).text).toBe('import { Bot, InlineKeyboard } from "grammy";\nconst k = new InlineKeyboard();\nnew Bot("");\n');
    expect(removeImportNames("bot.ts", 'import { a } from "./x";\nfoo();\n', "./x", ["a"]).text).toBe("foo();\n");
  });

  it("puts back an import a reversal took that the file still uses", () => {
    const before = 'import { Bot } from "grammy";\nimport { a, b } from "./x.js";\nb();\n';
    const after = 'import { Bot } from "grammy";\nb();\n';
    expect(keepUsedImports("bot.ts", before, after)).toEqual({ text: 'import { Bot } from "grammy";\nimport { b } from "./x.js";\nb();\n', kept: ["b"] });
  });
});

describe("refusals", () => {
  it("refuses a recipe whose files another installed recipe imports, naming it, before planning anything", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    const tree = new Tree(dir);
    const record = readRecord(tree)!;
    const needy: ProjectRecord = {
      ...record,
      recipes: [...record.recipes, { id: "needy", pack: "mine", version: "1", answers: {}, files: [], dependencies: [], edits: [{ op: "install", file: "bot.ts", hunks: [{ before: [], removed: [], added: ['import { limit } from "./recipes/rate-limit";'], after: [] }] }] }],
    };
    expect(() => checkDependents(tree, needy, [record.recipes[0]!])).toThrow(/rate-limit is needed by needy/);
    expect(() => planRemove({ tree, record: needy, recipes: [needy.recipes[0]!, needy.recipes[1]!] })).not.toThrow();
  });

  it("a recipe not installed is one line naming the installed ones; an unknown one is the catalogue's error", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    const record = readRecord(new Tree(dir))!;
    expect(() => selectRecorded(record, ["logging"], catalogue)).toThrow(/logging is not installed in this project; installed: rate-limit/);
    expect(() => selectRecorded(record, ["nope-nope"], catalogue)).toThrow(/unknown recipe "nope-nope"/);
    try {
      selectRecorded(record, ["logging"], catalogue);
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).kind).toBe("usage");
    }
  });
});

describe("a project without a record", () => {
  it("recognises a recipe added with default answers and undoes its files, statements and imports", async () => {
    const dir = await installed("cjs-single", ["rate-limit"]);
    rmSync(join(dir, RECORD_FILE));
    rmSync(join(dir, ".bot-snippets"), { recursive: true });
    const tree = new Tree(dir);
    const plan = planRecognisedRemove({ tree, refs: ["rate-limit"], catalogue });
    expect(plan.manual).toEqual([]);
    expect(plan.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(["update bot.ts", "delete recipes/rate-limit.ts"]);
    expect(plan.changes[0]!.after).toBe(original("cjs-single", "bot.ts"));
  });

  it("says by path and line what it cannot infer (a start call it replaced), and refuses a recipe it does not find", async () => {
    const dir = await installed("cjs-single", ["server-lifecycle"]);
    rmSync(join(dir, RECORD_FILE));
    rmSync(join(dir, ".bot-snippets"), { recursive: true });
    const plan = planRecognisedRemove({ tree: new Tree(dir), refs: ["server-lifecycle"], catalogue });
    expect(plan.manual).toMatchObject([{ file: "bot.ts", line: 16, code: "startBot(bot);" }]);
    expect(() => planRecognisedRemove({ tree: new Tree(dir), refs: ["rate-limit"], catalogue })).toThrow(/rate-limit is not installed in this project .*recognised: server-lifecycle/);
  });
});
