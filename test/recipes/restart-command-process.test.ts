// restart-command in a real Node process: a long-polling bot (fake API, no
// network) gets /restart; the process must end by itself with the configured
// code, after the code that follows `await bot.start()` (where on-stop work
// such as closing Redis runs), and without waiting for any timer of ours.
import { spawnSync } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderRecipe, repoRoot, tmpDir } from "../helpers/recipes.js";

const main = `
import { Bot } from "grammy";
import { registerRestart, restartDrain } from "./restart-command";

const chat = { id: 7, type: "private" as const, first_name: "A" };
const restart = { update_id: 5, message: { message_id: 1, date: 0, chat, from: { id: 7, is_bot: false, first_name: "A" }, text: "/restart", entities: [{ type: "bot_command" as const, offset: 0, length: 8 }] } };
const bot = new Bot("1:TEST", { botInfo: { id: 42, is_bot: true, first_name: "B", username: "b_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } as never });
let served = false;
bot.api.config.use(async (_prev, method) => {
  if (method === "getUpdates") {
    if (!served) {
      served = true;
      return { ok: true, result: [restart] } as never;
    }
    await new Promise((r) => setTimeout(r, 20));
    return { ok: true, result: [] } as never;
  }
  return { ok: true, result: method === "sendMessage" ? { message_id: 2, date: 0, chat, text: "x" } : true } as never;
});
bot.use(restartDrain(bot));
registerRestart(bot);
const started = Date.now();
process.on("exit", (code) => console.log("exit " + code + " after " + (Date.now() - started) + " ms"));
void (async () => {
  await bot.start({ timeout: 1 });
  await new Promise((r) => setTimeout(r, 50)); // on-stop work: closing a Redis client
  console.log("on-stop done");
})();
`;

describe("restart-command in a real process", () => {
  it("a polling bot's /restart ends the process by itself with the exit code, after the code after `await bot.start()`", { timeout: 60_000 }, async () => {
    const { files } = await renderRecipe("restart-command", { adminUserIds: "7", exitCode: 3, reply: "Restarting now" });
    const dir = tmpDir("restart-command-process");
    copyFileSync(Object.values(files)[0]!, join(dir, "restart-command.ts"));
    writeFileSync(join(dir, "main.ts"), main);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { outDir: "out", module: "commonjs", target: "es2019", strict: true, skipLibCheck: true, types: ["node"], esModuleInterop: true }, files: ["main.ts", "restart-command.ts"] }),
    );
    const tsc = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    expect(`${tsc.stdout}${tsc.stderr}`.trim()).toBe("");
    writeFileSync(join(dir, "out/package.json"), '{ "type": "commonjs" }');

    const run = spawnSync(process.execPath, [join(dir, "out/main.js")], { encoding: "utf8", timeout: 20_000 });
    expect(run.status).toBe(3);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toBe("on-stop done");
    const ms = Number(/^exit 3 after (\d+) ms$/.exec(lines[1]!)?.[1]);
    expect(ms).toBeLessThan(800); // no fixed delay (the old one waited 1 s), neither the drain's 10 s limit nor the 5 s grace held it
  });
});
