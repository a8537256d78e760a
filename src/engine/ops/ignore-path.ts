import type { IgnorePathEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";

/**
 * `ignore-path`: keep data a recipe writes at run time (a jobs file, session
 * files, downloads) out of git by adding its path to the project's
 * `.gitignore`, creating the file when there is none. Nothing happens when
 * the path, or a folder above it, is already listed.
 */
export function ignorePath(edit: IgnorePathEdit, ctx: OpContext): void {
  const rendered = ctx.render(edit.path, "ignore-path.path");
  if (/^\.?\/*$/.test(rendered)) return; // `.`: the project folder itself, which .gitignore cannot leave out
  const path = ctx.tree.path(rendered).replace(/\/+$/, "");
  const entry = `/${path}${edit.folder ? "/" : ""}`;
  const text = ctx.tree.read(".gitignore");
  if (text !== undefined && isIgnored(text, path)) return;
  const eol = text === undefined || text === "" ? ctx.styleOf(ctx.bot.file).eol : text.includes("\r\n") ? "\r\n" : text.includes("\r") && !text.includes("\n") ? "\r" : "\n";
  const base = text === undefined || text === "" || /[\r\n]$/.test(text) ? (text ?? "") : `${text}${eol}`;
  ctx.tree.write(".gitignore", `${base}${entry}${eol}`);
}

/** Whether a plain `.gitignore` line already covers the path (the path itself or a folder above it). */
function isIgnored(gitignore: string, path: string): boolean {
  const lines = new Set(gitignore.split(/\r\n|\r|\n/).map((l) => l.trim().replace(/^\//, "").replace(/\/+$/, "")));
  const parts = path.split("/");
  return parts.some((_, i) => lines.has(parts.slice(0, i + 1).join("/")));
}
