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
  },
});
