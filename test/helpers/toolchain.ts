// Field fixtures (test/fixtures/field): projects as users have them, each
// with its own TypeScript, grammY, @types/node and plugins named in
// toolchain.json. The node_modules builder lives in src/lint (the `lint
// --typecheck --matrix` command uses it too); this adds the test-side glue.
import { cpSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { limitTo } from "../../src/check/tsc.js";
import { checkCopies, typescriptVersion, type CopiesResult } from "../../src/lint/check-copies.js";
import { buildNodeModules, isFieldFixture, readToolchain, toolchainSources, type Toolchain } from "../../src/lint/toolchain.js";
import { fixturesDir, repoRoot, tmpDir } from "./recipes.js";

export const fieldDir = join(fixturesDir, "field");

/** Every folder of test/fixtures/field with a toolchain.json, sorted. */
export const fieldFixtureNames: string[] = readdirSync(fieldDir)
  .filter((name) => isFieldFixture(join(fieldDir, name)))
  .sort();

/** The repository's node_modules, where the aliased toolchains are installed. */
export const repoNodeModules = join(repoRoot, "node_modules");

export interface FieldRoot {
  /** A fresh folder under test/.tmp holding node_modules; copies go below it. */
  root: string;
  toolchain: Toolchain;
  /** `typescript 4.5.5, grammy 1.20.4`: what the fixture runs on. */
  versions: { typescript: string; grammy: string };
}

/** A scratch folder for a field fixture with its node_modules built from toolchain.json. */
export function prepareFieldRoot(name: string): FieldRoot {
  const root = tmpDir(`field-${name}`);
  const toolchain = readToolchain(join(fieldDir, name));
  buildNodeModules(root, toolchain, toolchainSources(repoRoot));
  const version = (pkg: string) => (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
  return { root, toolchain, versions: { typescript: typescriptVersion(join(root, "node_modules", "typescript")), grammy: version("grammy") } };
}

/** Copies a field fixture to `<root>/<as>`; returns the copy's folder. */
export function copyFieldFixture(name: string, root: string, as: string): string {
  const dir = join(root, as);
  cpSync(join(fieldDir, name), dir, { recursive: true });
  return dir;
}

/** At most two compilers at once: the machine has two cores. */
const limit = limitTo(2);

/** Type-checks copies under `root` with the fixture's own TypeScript (one process below 7). */
export function checkFieldCopies(root: string, copies: string[]): Promise<CopiesResult & { ms: number }> {
  return limit(async () => {
    const start = performance.now();
    const result = await checkCopies(join(root, "node_modules", "typescript"), copies, root, root);
    return { ...result, ms: Math.round(performance.now() - start) };
  });
}
