// Dependency installs that silently upgrade grammY (issue 17, item 4): a
// plugin range whose newest version's peer range needs a newer grammY than
// the project has. The registry is injected (a lookup function, a fetch, or
// a registry on 127.0.0.1 for the CLI): no test touches the network.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../src/core/errors.js";
import { registryPeerLookup, versionsIn } from "../../src/engine/install-dependencies.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { peerMismatches, settlePeers, type PeerLookup, type RegistryVersion } from "../../src/engine/requirements.js";
import { scanProject } from "../../src/project/scan-project.js";
import { binPath } from "../helpers/cli.js";
import { applyRecipes } from "../helpers/recipes.js";
import { copyFieldFixture, prepareFieldRoot } from "../helpers/toolchain.js";

const FIXTURE = "ts59-grammy130-peer";

/** @grammyjs/files as a registry might list it: 1.3.x needs grammY 1.38. */
const filesVersions: RegistryVersion[] = [
  { version: "1.2.0", peerDependencies: { grammy: "^1.10.0" } },
  { version: "1.2.1", peerDependencies: { grammy: "^1.10.0" } },
  { version: "1.2.2", peerDependencies: { grammy: "^1.10.0" } },
  { version: "1.3.0", peerDependencies: { grammy: "^1.38.0" } },
  { version: "1.3.1", peerDependencies: { grammy: "^1.38.0" } },
];
const lookupOf =
  (versions: RegistryVersion[] | undefined): PeerLookup =>
  async (name) =>
    name === "@grammyjs/files" ? versions : [];

const field = prepareFieldRoot(FIXTURE);
let copies = 0;
async function planned(): Promise<{ plan: Plan; installed: ReturnType<typeof scanProject>["installed"] }> {
  const dir = copyFieldFixture(FIXTURE, field.root, `copy-${copies++}`);
  const plan = await applyRecipes(dir, [{ id: "file-download" }], { write: false });
  return { plan, installed: scanProject(dir).installed };
}
const packageJson = (plan: Plan) => JSON.parse(plan.changes.find((c) => c.path === "package.json")!.after) as { dependencies: Record<string, string> };

describe("peer ranges of added plugins against the installed grammY", () => {
  it("the fixture has grammY 1.30.0 installed, and file-download adds @grammyjs/files ^1.2.0", async () => {
    const { plan, installed } = await planned();
    expect(installed.get("grammy")).toMatchObject({ version: "1.30.0", source: "node_modules" });
    expect(plan.dependencies).toContainEqual(expect.objectContaining({ name: "@grammyjs/files", version: "^1.2.0", status: "added" }));
  });

  it("without --upgrade: the newest version that works with grammY 1.30.0 is installed instead, and the note says why", async () => {
    const { plan, installed } = await planned();
    const mismatches = await peerMismatches(plan.dependencies, installed, lookupOf(filesVersions));
    expect(mismatches).toEqual([
      { name: "@grammyjs/files", range: "^1.2.0", newest: "1.3.1", peers: [{ name: "grammy", range: "^1.38.0", have: expect.objectContaining({ version: "1.30.0" }) }], fits: { version: "1.2.2", range: "~1.2.2" } },
    ]);
    const settled = settlePeers(plan, mismatches, false);
    expect(packageJson(settled).dependencies).toEqual({ "@grammyjs/files": "~1.2.2", grammy: "1.30.0" });
    expect(settled.dependencies).toContainEqual(expect.objectContaining({ name: "@grammyjs/files", version: "~1.2.2", status: "added" }));
    expect(settled.dependencies.some((d) => d.name === "grammy")).toBe(false);
    expect(settled.notes).toContain("installs @grammyjs/files ~1.2.2: @grammyjs/files ^1.2.0 would install 1.3.1, which needs grammy ^1.38.0; this project has 1.30.0 (--upgrade upgrades grammy instead)");
  });

  it("with --upgrade: grammY is upgraded in package.json, said in a note, and the plugin keeps the recipe's range", async () => {
    const { plan, installed } = await planned();
    const settled = settlePeers(plan, await peerMismatches(plan.dependencies, installed, lookupOf(filesVersions)), true);
    expect(packageJson(settled).dependencies).toEqual({ "@grammyjs/files": "^1.2.0", grammy: "^1.38.0" });
    expect(settled.dependencies).toContainEqual(expect.objectContaining({ name: "grammy", version: "^1.38.0", status: "upgraded" }));
    expect(settled.notes).toContain("upgrades grammy 1.30.0 → ^1.38.0: @grammyjs/files 1.3.1 needs grammy ^1.38.0");
  });

  it("no version in the range fits: refused in one line with the upgrade to make, nothing written", async () => {
    const { plan, installed } = await planned();
    const onlyNew = filesVersions.map((v) => ({ ...v, peerDependencies: { grammy: "^1.38.0" } }));
    let error: unknown;
    try {
      settlePeers(plan, await peerMismatches(plan.dependencies, installed, lookupOf(onlyNew)), false);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe(
      "@grammyjs/files ^1.2.0 would install 1.3.1, which needs grammy ^1.38.0; this project has 1.30.0; no version in that range works with the installed one, and installing it would upgrade it without asking; nothing was written",
    );
    expect((error as CliError).hint).toContain("npm install grammy@^1.38.0");
  });

  it("peers the installed grammY meets, and an offline registry, change nothing (the recipe's requires stand)", async () => {
    const { plan, installed } = await planned();
    expect(await peerMismatches(plan.dependencies, installed, lookupOf(filesVersions.slice(0, 3)))).toEqual([]);
    expect(await peerMismatches(plan.dependencies, installed, lookupOf(undefined))).toEqual([]);
  });
});

describe("the registry lookup", () => {
  const doc = { name: "@grammyjs/files", versions: Object.fromEntries(filesVersions.map((v) => [v.version, { version: v.version, peerDependencies: v.peerDependencies }])) };

  it("reads the abbreviated registry document: the versions the range allows, with their peers", () => {
    expect(versionsIn(doc, "~1.2.1")).toEqual(filesVersions.slice(1, 3));
    expect(versionsIn({ error: "not found" }, "^1.0.0")).toBeUndefined();
  });

  it("asks the project's registry for the package document; offline settings ask nothing", async () => {
    const asked: string[] = [];
    const fetchStub = (async (url: string | URL | Request) => {
      asked.push(String(url));
      return new Response(JSON.stringify(doc), { status: 200 });
    }) as typeof fetch;
    const lookup = registryPeerLookup(field.root, { fetch: fetchStub, env: { npm_config_registry: "http://registry.test/" } });
    expect((await lookup("@grammyjs/files", "^1.3.0"))?.map((v) => v.version)).toEqual(["1.3.0", "1.3.1"]);
    expect(asked).toEqual(["http://registry.test/@grammyjs%2ffiles"]);
    const offline = registryPeerLookup(field.root, { fetch: fetchStub, env: { CREATE_BOT_SNIPPET_OFFLINE: "1" } });
    expect(await offline("@grammyjs/files", "^1.2.0")).toBeUndefined();
    expect(asked).toHaveLength(1);
  });
});

describe("add, against a registry on 127.0.0.1", () => {
  let server: Server;
  let registry = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      const doc = req.url === "/@grammyjs%2ffiles" ? { name: "@grammyjs/files", versions: Object.fromEntries(filesVersions.map((v) => [v.version, v])) } : undefined;
      res.writeHead(doc ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(doc ?? { error: "not found" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    registry = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The CLI as a process, asynchronously: the registry answers from this one. */
  const cli = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", npm_config_registry: registry };
      delete env.CREATE_BOT_SNIPPET_OFFLINE;
      execFile(process.execPath, [binPath, ...args], { env, timeout: 60_000 }, (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }));
    });

  it("add file-download --yes pins @grammyjs/files to what grammY 1.30.0 supports and leaves grammY alone; --upgrade upgrades grammY", { timeout: 60_000 }, async () => {
    const dir = copyFieldFixture(FIXTURE, field.root, "cli");
    const r = await cli(["add", "file-download", "--yes", "--no-check", "--no-install", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("installs @grammyjs/files ~1.2.2");
    expect((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies).toEqual({ "@grammyjs/files": "~1.2.2", grammy: "1.30.0" });

    const up = copyFieldFixture(FIXTURE, field.root, "cli-upgrade");
    const u = await cli(["add", "file-download", "--yes", "--upgrade", "--no-check", "--no-install", "--cwd", up]);
    expect(u.code, u.stderr).toBe(0);
    expect((JSON.parse(readFileSync(join(up, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies).toEqual({ "@grammyjs/files": "^1.2.0", grammy: "^1.38.0" });
  });
});
