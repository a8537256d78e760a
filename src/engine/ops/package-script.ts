import type { PackageScriptEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";
import { serializePackageJson } from "../package-json.js";

/** npm's placeholder from `npm init`: a script that only fails, as good as none. */
const placeholder = /^echo "?Error: no test specified"? && exit 1$/;

/**
 * `package-script`: adds a script to package.json (`"test": "vitest run"`)
 * unless the project already has one under that name (npm's `npm init`
 * placeholder for `test` counts as none). The project's own script is never
 * changed; a note says which command to run instead. Keeps the file's
 * indentation, line endings and key order (the script is appended).
 */
export function packageScript(edit: PackageScriptEdit, ctx: OpContext): void {
  const text = ctx.tree.read("package.json");
  const command = ctx.render(edit.command, "package-script.command");
  if (text === undefined) {
    ctx.note(`no package.json: run the tests with \`${command}\``);
    return;
  }
  const pkg = JSON.parse(text.replace(/^\uFEFF/, "")) as Record<string, unknown>;
  const scripts = typeof pkg.scripts === "object" && pkg.scripts !== null && !Array.isArray(pkg.scripts) ? (pkg.scripts as Record<string, unknown>) : {};
  const existing = scripts[edit.name];
  if (existing === command) return;
  if (typeof existing === "string" && !placeholder.test(existing.trim())) {
    ctx.note(`package.json already has a "${edit.name}" script (${existing}); left as it is: the new files run with \`${command}\``);
    return;
  }
  pkg.scripts = { ...scripts, [edit.name]: command };
  ctx.tree.write("package.json", serializePackageJson(text, pkg));
}
