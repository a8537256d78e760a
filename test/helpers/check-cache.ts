import { afterAll, beforeAll } from "vitest";
import { tmpDir } from "./recipes.js";

/**
 * Gives a test file's gate runs a cache folder of their own
 * (`CREATE_BOT_SNIPPET_CHECK_CACHE`, put back after the file): `dir` is set
 * before the first test.
 */
export function scratchCheckCache(name: string): { readonly dir: string } {
  const saved = process.env.CREATE_BOT_SNIPPET_CHECK_CACHE;
  const cache = { dir: "" };
  beforeAll(() => {
    cache.dir = tmpDir(name);
    process.env.CREATE_BOT_SNIPPET_CHECK_CACHE = cache.dir;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.CREATE_BOT_SNIPPET_CHECK_CACHE;
    else process.env.CREATE_BOT_SNIPPET_CHECK_CACHE = saved;
  });
  return cache;
}
