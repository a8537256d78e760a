import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest (each a chain of compiler, CLI or engine runs),
 * in that order. They start first, so that none of them is left running alone
 * at the end: in a fresh clone vitest has no timings yet and starts the largest
 * files first, and these are small files.
 */
const slowFirst = [
  // Longest first (durations of the last runs, beforeAll included). field-matrix and test-kit-fixtures
  // spend most of their time in beforeAll (the field toolchains; a nested vitest run over five
  // projects), where no test of theirs shows as running: started late, either one ran alone at the end.
  "test/engine/field-matrix.test.ts", // ~160 s
  "test/check/compiler-process.test.ts", // ~70 s
  "test/recipes/test-kit-fixtures.test.ts", // ~30-45 s, nearly all beforeAll
  "test/engine/install-order.test.ts", // ~30 s
  "test/recipes/chat-members-toolchains.test.ts", // ~25 s
  "test/cli/catalogue-index.test.ts", // ~23 s
  "test/lint/add-check.test.ts", // ~22 s
  "test/engine/recipe-matrix.test.ts",
  "test/package/package.test.ts",
  "test/check/known-change.test.ts",
  "test/ast/syntax-tree.test.ts",
  "test/lint/matrix.test.ts",
  "test/lifecycle/round-trip.test.ts",
  "test/recipes/persistence.test.ts",
  "test/engine/runtime-checks.test.ts",
  "test/engine/runtime-existing-handler.test.ts",
  "test/check/cache-soundness.test.ts",
  "test/cli/cli.test.ts",
  "test/recipes/server-lifecycle.test.ts",
  "test/check/incremental.test.ts",
  "test/lint/typecheck-isolation.test.ts", // ~8 s; the rest below, by vitest's own order
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = slowFirst.findIndex((path) => spec.moduleId.endsWith(`/${path}`));
      return i === -1 ? slowFirst.length : i;
    };
    return sorted.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map(({ spec }) => spec);
  }
}

// One project. Runaway loops in recipe tests are caught by the fake clock
// (test/helpers/jobs.ts throws after 1000 timers) rather than by a second
// vitest project with a shorter timeout. CLI, engine and lint tests run real compilers and package managers
// and keep a minute per test; the slowest (field matrix, package) set their own.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/.tmp/**", "test/fixtures/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["test/global-setup.ts"],
    // Vitest's default is one worker less than the cores: ONE worker on a 2-core CI
    // machine, so the files ran one after another while most of their time is spent
    // waiting on child processes (the CLI, tsc, npm). Two workers on two cores.
    maxWorkers: Math.max(2, availableParallelism()),
    sequence: { sequencer: SlowFirst },
  },
});
