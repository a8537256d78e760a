import { defineConfig } from "vitest/config";

// Two projects with one setup. The recipes' behaviour tests (a real Bot, a fake
// API, fake clocks) take well under 5 s each; the slowest run TypeScript 7 on
// four fixtures (about 10 s on two busy cores): 30 s keeps them green and makes
// a runaway loop in a template fail in half the time. The rest (CLI, engine,
// lint) run real compilers and package managers and keep a minute per test;
// the slowest of them (field matrix, package) set their own. `include` is set
// per project only: `extends` would add a shared one to each project's.
export default defineConfig({
  test: {
    exclude: ["test/.tmp/**", "test/fixtures/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["test/global-setup.ts"],
    projects: [
      { extends: true, test: { name: "recipes", include: ["test/recipes/**/*.test.ts"], testTimeout: 30_000 } },
      { extends: true, test: { name: "tool", include: ["test/**/*.test.ts"], exclude: ["test/recipes/**"] } },
    ],
  },
});
