import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

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
  },
});
