// The record `add` keeps (bot-snippets.json and the base copies): what it
// holds, that it is written in the same change, that a second add leaves it
// alone, and that a record the CLI does not understand stops everything.
import fc from "fast-check";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/engine/journal.js";
import { computeHunks, linesOf } from "../../src/record/hunks.js";
import { recipeVersion } from "../../src/record/recipe-version.js";
import { basePath, parseRecord, RECORD_FILE, serializeRecord, type Hunk, type ProjectRecord } from "../../src/record/record-file.js";
import { applyRecipes, catalogue, copyFixture, tmpDir } from "../helpers/recipes.js";

/** Applies hunks forward, each at the first place after the previous one where its old lines stand in their context. */
function applyForward(text: string, hunks: Hunk[]): string[] {
  const lines = linesOf(text);
  let from = 0;
  for (const h of hunks) {
    const old = [...h.before, ...h.removed, ...h.after];
    let at = -1;
    for (let i = from; i + old.length <= lines.length; i++) {
      if (old.every((l, k) => lines[i + k] === l)) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new Error(`hunk not found: ${JSON.stringify(h)}`);
    lines.splice(at + h.before.length, h.removed.length, ...h.added);
    from = at + h.before.length + h.added.length;
  }
  return lines;
}

describe("computeHunks", () => {
  it("applied forward, the hunks turn any text into any other (fast-check)", () => {
    const line = fc.constantFrom("a", "b", "c", "", "bot.use(x);", "}");
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), (a, b) => {
        const before = a.map((l) => `${l}\n`).join("");
        const after = b.map((l) => `${l}\n`).join("");
        expect(applyForward(before, computeHunks(before, after))).toEqual(b);
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it("anchors a change by at most three lines on each side", () => {
    const before = "1\n2\n3\n4\n5\n6\n7\n8\n";
    expect(computeHunks(before, "1\n2\n3\n4\nX\n5\n6\n7\n8\n")).toEqual([{ before: ["2", "3", "4"], removed: [], added: ["X"], after: ["5", "6", "7"] }]);
    expect(computeHunks(before.replace(/\n/g, "\r\n"), "1\r\n2\r\nY\r\n3\r\n4\r\n5\r\n6\r\n7\r\n8\r\n")[0]!.added).toEqual(["Y"]);
  });
});

describe("the record add keeps", () => {
  it("names each recipe with its version and answers, its generated files by the hash of their rendering (with base copies), its edits and added dependencies", async () => {
    const dir = copyFixture("cjs-single", tmpDir("record-two"));
    const original = readFileSync(join(dir, "bot.ts"), "utf8");
    const plan = await applyRecipes(dir, [{ id: "error-handler" }, { id: "rate-limit" }, { id: "menu-builder", answers: { kind: "interactive" } }], { record: true });
    expect(plan.changes.map((c) => c.path)).toContain(RECORD_FILE);
    const record = parseRecord(readFileSync(join(dir, RECORD_FILE), "utf8"));
    expect(record.recipes.map((r) => r.id)).toEqual(["error-handler", "rate-limit", "menu-builder"]);
    const [eh, rl] = record.recipes as [ProjectRecord["recipes"][0], ProjectRecord["recipes"][0]];
    expect(eh.pack).toBe("bundled");
    expect(eh.version).toBe(recipeVersion(catalogue.get("error-handler")));
    expect(eh.version).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
    expect(eh.answers).toMatchObject({ includeStack: true });
    for (const r of record.recipes) {
      expect(r.files.length).toBeGreaterThan(0);
      for (const f of r.files) {
        const onDisk = readFileSync(join(dir, f.path), "utf8");
        expect(sha256(onDisk)).toBe(f.hash);
        expect(readFileSync(join(dir, basePath(f.path)), "utf8")).toBe(onDisk);
      }
    }
    // Each recipe's own edits, by op: error-handler sets bot.catch, rate-limit installs its middleware.
    expect(eh.edits.map((e) => e.op)).toContain("set-error-handler");
    expect(eh.edits.some((e) => e.op === "install")).toBe(false);
    expect(rl.edits.map((e) => e.op)).toContain("install");
    expect(rl.edits.flatMap((e) => e.hunks.flatMap((h) => h.added)).join("\n")).toMatch(/bot\.use\(/);
    expect(eh.edits.flatMap((e) => e.hunks.flatMap((h) => h.added)).join("\n")).not.toMatch(/bot\.use\(/);
    expect(record.recipes[2]!.dependencies).toEqual([{ name: "@grammyjs/menu", version: expect.any(String), dev: false }]);
    expect(eh.dependencies).toEqual([]);
    // Every line a recorded edit put in is in the file add wrote; every line it took out was in the original.
    const edits = record.recipes.flatMap((r) => r.edits.filter((e) => e.file === "bot.ts"));
    expect(edits.length).toBeGreaterThan(0);
    for (const e of edits) for (const h of e.hunks) for (const l of h.removed) expect(linesOf(original)).toContain(l);
    for (const e of edits) for (const h of e.hunks) expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain(h.added.join("\n"));
  });

  it("a second add of the same recipes changes nothing, the record included", async () => {
    const dir = copyFixture("esm-nodenext-factory", tmpDir("record-twice"));
    await applyRecipes(dir, [{ id: "access-control", answers: { userIds: [1] } }], { record: true });
    const before = readFileSync(join(dir, RECORD_FILE), "utf8");
    const again = await applyRecipes(dir, [{ id: "access-control", answers: { userIds: [1] } }], { record: true });
    expect(again.changes).toEqual([]);
    expect(readFileSync(join(dir, RECORD_FILE), "utf8")).toBe(before);
  });

  it("a later add joins the record; the earlier entry is left as it was", async () => {
    const dir = copyFixture("webhook-split", tmpDir("record-later"));
    await applyRecipes(dir, [{ id: "error-handler" }], { record: true });
    const first = parseRecord(readFileSync(join(dir, RECORD_FILE), "utf8")).recipes[0];
    await applyRecipes(dir, [{ id: "chat-action" }], { record: true });
    const record = parseRecord(readFileSync(join(dir, RECORD_FILE), "utf8"));
    expect(record.recipes.map((r) => r.id)).toEqual(["error-handler", "chat-action"]);
    expect(record.recipes[0]).toEqual(first);
  });

  it("keeps the project's line endings (CRLF)", async () => {
    const dir = copyFixture("crlf-4space", tmpDir("record-crlf"));
    await applyRecipes(dir, [{ id: "error-handler" }], { record: true });
    const text = readFileSync(join(dir, RECORD_FILE), "utf8");
    expect(text).toContain("\r\n");
    expect(text.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("without the record option (lint, the engine's own tests) nothing of it is planned", async () => {
    const dir = copyFixture("cjs-single", tmpDir("record-off"));
    const plan = await applyRecipes(dir, [{ id: "error-handler" }], { write: false });
    expect(plan.changes.some((c) => c.path === RECORD_FILE || c.path.startsWith(".bot-snippets/"))).toBe(false);
    expect(plan.record).toBeUndefined();
  });
});

describe("a record the CLI does not understand", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["not JSON", '{\n  "version": 1,\n  "recipes": [\n', /^bot-snippets\.json: not valid JSON \(line \d+\); nothing was written$/],
    ["a newer format", '{ "version": 2, "recipes": [] }', /unknown format version 2/],
    ["a recipe without files", '{ "version": 1, "recipes": [{ "id": "x", "pack": "bundled", "version": "1", "answers": {}, "edits": [], "dependencies": [] }] }', /recipes\[0\]\.files/],
    ["a generated file outside the project", '{ "version": 1, "recipes": [{ "id": "x", "pack": "bundled", "version": "1", "answers": {}, "files": [{ "path": "../outside.ts", "hash": "0" }], "edits": [], "dependencies": [] }] }', /recipes\[0\]\.files\[0\]\.path "\.\.\/outside\.ts" is not a path inside the project/],
    ["an edit of an absolute path", '{ "version": 1, "recipes": [{ "id": "x", "pack": "bundled", "version": "1", "answers": {}, "files": [], "edits": [{ "op": "install", "file": "/etc/hosts", "hunks": [] }], "dependencies": [] }] }', /edits\[0\]\.file "\/etc\/hosts" is not a path inside the project/],
    ["a hunk without lines", '{ "version": 1, "recipes": [{ "id": "x", "pack": "bundled", "version": "1", "answers": {}, "files": [], "edits": [{ "op": "install", "file": "a.ts", "hunks": [{}] }], "dependencies": [] }] }', /hunks are not/],
  ];
  it.each(cases)("%s: add refuses with one line and writes nothing", async (_, text, message) => {
    const dir = copyFixture("cjs-single", tmpDir("record-corrupt"));
    writeFileSync(join(dir, RECORD_FILE), text);
    const bot = readFileSync(join(dir, "bot.ts"), "utf8");
    await expect(applyRecipes(dir, [{ id: "error-handler" }], { record: true })).rejects.toThrow(message);
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toBe(bot);
    expect(existsSync(join(dir, ".bot-snippets"))).toBe(false);
    expect(readFileSync(join(dir, RECORD_FILE), "utf8")).toBe(text);
  });

  it("serializes with a stable key order whatever order the answers came in", () => {
    const a: ProjectRecord = { version: 1, recipes: [{ id: "x", pack: "bundled", version: "1", answers: { b: 1, a: 2 }, files: [], edits: [], dependencies: [] }] };
    const b: ProjectRecord = { version: 1, recipes: [{ dependencies: [], edits: [], files: [], answers: { a: 2, b: 1 }, version: "1", pack: "bundled", id: "x" }] };
    expect(serializeRecord(a)).toBe(serializeRecord(b));
    expect(parseRecord(serializeRecord(a))).toEqual(parseRecord(serializeRecord(b)));
  });
});
