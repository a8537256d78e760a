// test-kit, planned in-process: what it writes for each kind of project, the
// sample tests of recipes installed before it, and its helper driving a real
// fixture bot (the project's own /start handler, recorded without a network).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { applyRecipes, copyFixture } from "../helpers/recipes.js";

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");

describe("test-kit", () => {
  it("uses node:test through tsx where the project has no vitest, and makes a factory's bot by calling it", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const plan = await applyRecipes(dir, [{ id: "test-kit" }]);
    const pkg = JSON.parse(read(dir, "package.json"));
    expect(pkg.scripts.test).toBe("tsx --test test/*.test.ts");
    expect(pkg.devDependencies).toEqual({ tsx: "^4.19.0" });
    const kit = read(dir, "test/bot-kit.ts");
    expect(kit).toContain(`export { afterEach, beforeEach, describe, it } from 'node:test'`);
    expect(kit).toContain(`await import('../src/bot.js')`);
    expect(kit).toContain(`(exported as Record<string, unknown>)['createBot']`);
    expect(plan.changes.map((c) => c.path).sort()).toEqual(["package.json", "test/bot-kit.ts", "test/bot.test.ts"]);
    expect((await applyRecipes(dir, [{ id: "test-kit" }], { write: false })).changes).toEqual([]);
  });

  it("finds where a subclass of Bot is made: the exported function that makes it, given the environment it asks for", async () => {
    const dir = copyFixture("field/ts50-node16-esm-subclass");
    await applyRecipes(dir, [{ id: "test-kit" }]);
    const kit = read(dir, "test/bot-kit.ts");
    expect(kit).toContain(`await import("../src/container.js")`);
    expect(kit).toContain(`(exported as Record<string, unknown>)["createContainer"]`);
    expect(kit).toContain(`Reflect.apply(factory, undefined, [process.env])`);
  });

  it("uses the project's vitest, adding no dependency", async () => {
    const dir = copyFixture("cjs-single");
    const pkgPath = join(dir, "package.json");
    writeFileSync(pkgPath, JSON.stringify({ ...JSON.parse(readFileSync(pkgPath, "utf8")), devDependencies: { vitest: "^3.2.0" } }, null, 2));
    await applyRecipes(dir, [{ id: "test-kit" }]);
    const pkg = JSON.parse(read(dir, "package.json"));
    expect(pkg.scripts.test).toBe("vitest run");
    expect(pkg.devDependencies).toEqual({ vitest: "^3.2.0" });
    expect(read(dir, "test/bot-kit.ts")).toContain(`from "vitest"`);
    expect(read(dir, "test/bot-kit.ts")).not.toContain("createBot");
  });

  it("writes no sample test without the kit; with it, the sample tests of recipes installed earlier (recorded answers, or defaults without a record)", async () => {
    const dir = copyFixture("cjs-single");
    await applyRecipes(dir, [{ id: "rate-limit", answers: { limit: 7 } }], { record: true });
    await applyRecipes(dir, [{ id: "reply-keyboards" }]); // not recorded: recognised by its file
    expect(existsSync(join(dir, "test"))).toBe(false);
    const plan = await applyRecipes(dir, [{ id: "test-kit" }], { record: true });
    expect(plan.changes.map((c) => c.path).filter((p) => p.startsWith("test/")).sort()).toEqual(["test/bot-kit.ts", "test/bot.test.ts", "test/rate-limit.test.ts", "test/reply-keyboards.test.ts"]);
    expect(plan.notes).toContain("rate-limit: wrote test/rate-limit.test.ts (installed earlier; it goes with test-kit)");
    // The record lists the sample test as the recipe's generated file.
    expect(JSON.parse(read(dir, "bot-snippets.json")).recipes.find((r: { id: string }) => r.id === "rate-limit").files.map((f: { path: string }) => f.path)).toContain("test/rate-limit.test.ts");
  });

  it("refreshes an untouched sample test when access-control arrives later, and leaves an edited one alone", async () => {
    const dir = copyFixture("cjs-single");
    await applyRecipes(dir, [{ id: "test-kit" }, { id: "menu-builder" }, { id: "reply-keyboards" }], { record: true });
    writeFileSync(join(dir, "test/reply-keyboards.test.ts"), `${read(dir, "test/reply-keyboards.test.ts")}// mine\n`);
    await applyRecipes(dir, [{ id: "access-control", answers: { userIds: [5] } }], { record: true });
    expect(read(dir, "test/menu-builder.test.ts")).toContain(`import { ALLOWED_USER_IDS } from "../recipes/access-control.js";`);
    expect(read(dir, "test/reply-keyboards.test.ts")).not.toContain("ALLOWED_USER_IDS");
    expect(read(dir, "test/reply-keyboards.test.ts")).toContain("// mine");
  });

  it("records what the project's own handlers send, with no network", async () => {
    const dir = copyFixture("cjs-single");
    await applyRecipes(dir, [{ id: "test-kit", answers: { runner: "vitest" } }]);
    rmSync(join(dir, "test/bot.test.ts"));
    type Kit = typeof import("./test-kit-shape.js");
    const kit = (await import(pathToFileURL(join(dir, "test/bot-kit.ts")).href)) as Kit;
    const { send, calls, textsTo, sent } = await kit.loadBot();
    await send(kit.command("start", "", { from: 7 }));
    await send(kit.message("anything", { from: 8, chat: "group" }));
    expect(textsTo(7)).toEqual(["Hello!"]);
    expect(sent("sendMessage", -1000000000008).map((p) => p.text)).toEqual(["I only know /start and /slow."]);
    expect(calls.map((c) => c.method)).toEqual(["sendMessage", "sendMessage"]);
  });
});
