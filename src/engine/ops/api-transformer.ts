import type { ApiTransformerEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";
import { insertStatement } from "./install.js";

/**
 * Where transformers go in the recipe block: below every middleware rank, so
 * `bot.api.config.use(…)` lines come first, right after `new Bot(…)`, and
 * before any transformer the user installs there (or anywhere later).
 */
export const transformerRankBase = -1000;

/** The install rank of an `api-transformer` edit of rank `rank` (0–999). */
export function transformerRank(rank: number | undefined): number {
  return transformerRankBase + (rank ?? 0);
}

/**
 * `api-transformer`: `{{bot}}.api.config.use(<code>)` in the recipe block after
 * `new Bot(…)` (in a subclass: after `super(…)`, with `this`). grammY wraps
 * each transformer around the ones installed before it, so the recipe's
 * transformers, installed first, run closest to the network: whatever the
 * user installs wraps them (a logger of theirs sees one call, not each retry).
 * Among recipe transformers, a lower `rank` is installed earlier (inner). A
 * statement already there (same code) is left alone, so a re-run changes nothing.
 */
export function apiTransformer(edit: ApiTransformerEdit, ctx: OpContext): void {
  const transformer = ctx.render(edit.code, "api-transformer.code").trim().replace(/;$/, "");
  const bot = ctx.bot.variable ?? "bot";
  insertStatement(`${bot}.api.config.use(${transformer})`, transformerRank(edit.rank), ctx);
}
