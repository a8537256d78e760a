import type { Question, RecipeManifest } from "./manifest.js";
import { isFormatName } from "./validators.js";
import { dependencyNameProblem, dependencyRangeProblem, moduleSpecifierProblem } from "./dependency-spec.js";

import validRange from "semver/ranges/valid.js";

/** One problem in a manifest, at a JSON path such as `questions[0].default`. */
export interface ManifestProblem {
  path: string;
  message: string;
}

const questionTypes = ["string", "integer", "boolean", "select", "multiselect", "list"] as const;
const editOps = ["add-import", "install", "set-error-handler", "extend-context", "wrap-handlers", "replace-start", "ignore-path", "on-start", "on-stop", "api-transformer", "allow-updates", "package-script"] as const;
const idPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

/**
 * Checks a parsed `recipe.json` against the manifest schema. Returns every
 * problem found (empty when valid); never throws, never prints.
 */
export function validateManifest(data: unknown): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (!isObj(data)) return [{ path: "", message: "the manifest must be a JSON object" }];

  const known = new Set(["$schema", "id", "title", "description", "seeds", "kind", "questions", "requires", "needs", "conflicts", "dependencies", "files", "edits", "notes"]);
  for (const key of Object.keys(data)) if (!known.has(key)) problem(key, `unknown field "${key}"`);

  if (!isStr(data.id) || !idPattern.test(data.id)) problem("id", "id must be kebab-case (a-z, 0-9 and -)");
  for (const field of ["title", "description"] as const) {
    if (!isStr(data[field]) || data[field].trim() === "") problem(field, `${field} must be a non-empty string`);
  }
  if (!isStrArray(data.seeds)) problem("seeds", "seeds must be a list of seed rows such as \"C28\"");
  if (data.kind !== undefined && data.kind !== "recipe" && data.kind !== "snippet") problem("kind", 'kind is "recipe" or "snippet"');

  const names = new Set<string>();
  if (!Array.isArray(data.questions)) problem("questions", "questions must be a list");
  else data.questions.forEach((q, i) => checkQuestion(q, `questions[${i}]`, names, problem));

  const listOf = (field: string) => {
    const v = data[field];
    if (v === undefined && (field === "dependencies" || field === "notes" || field === "requires")) return [];
    if (!Array.isArray(v)) {
      problem(field, `${field} must be a list`);
      return [];
    }
    return v;
  };
  listOf("dependencies").forEach((d, i) => {
    const at = `dependencies[${i}]`;
    if (!isObj(d) || !isStr(d.name) || !isStr(d.version)) problem(at, "a dependency has a name and a version range");
    else {
      const bad = dependencyNameProblem(d.name);
      if (bad) problem(`${at}.name`, bad);
      const badRange = dependencyRangeProblem(d.version);
      if (badRange) problem(`${at}.version`, badRange);
      checkWhen(d.when, at, names, problem);
    }
  });
  listOf("requires").forEach((r, i) => {
    const at = `requires[${i}]`;
    if (!isObj(r) || !isStr(r.name) || !isStr(r.range)) problem(at, "a requirement has a package name and a semver range");
    else if (validRange(r.range) === null) problem(`${at}.range`, `"${r.range}" is not a semver range`);
    else {
      if (r.breaking !== undefined && !isStr(r.breaking)) problem(`${at}.breaking`, "breaking is a sentence");
      checkWhen(r.when, at, names, problem);
    }
  });
  if (data.needs !== undefined && !(Array.isArray(data.needs) && data.needs.every((n) => n === "long-running"))) problem("needs", 'needs is a list of "long-running"');
  if (data.conflicts !== undefined && !(Array.isArray(data.conflicts) && data.conflicts.every((c) => isObj(c) && isStr(c.module) && isStr(c.name) && Object.keys(c).every((k) => k === "module" || k === "name")))) problem("conflicts", "conflicts is a list of { module, name }: middleware factories the bot must not already install");
  listOf("files").forEach((f, i) => {
    const at = `files[${i}]`;
    if (!isObj(f) || !isStr(f.template) || !isStr(f.target)) problem(at, "a file has a template and a target");
    else checkWhen(f.when, at, names, problem);
  });
  listOf("edits").forEach((e, i) => checkEdit(e, `edits[${i}]`, names, problem));
  listOf("notes").forEach((n, i) => {
    if (!isObj(n) || !isStr(n.text)) problem(`notes[${i}]`, "a note has a text");
    else checkWhen(n.when, `notes[${i}]`, names, problem);
  });
  return problems;
}

type Report = (path: string, message: string) => void;

function checkQuestion(q: unknown, at: string, names: Set<string>, problem: Report): void {
  if (!isObj(q)) return problem(at, "a question must be an object");
  if (!isStr(q.name) || !/^[a-z][A-Za-z0-9]*$/.test(q.name)) problem(`${at}.name`, "a question name is camelCase");
  else if (names.has(q.name)) problem(`${at}.name`, `duplicate question "${q.name}"`);
  else names.add(q.name);
  if (!isStr(q.message)) problem(`${at}.message`, "a question needs a message");
  if (!questionTypes.includes(q.type as never)) {
    return problem(`${at}.type`, `type must be one of ${questionTypes.join(", ")}`);
  }
  if ("format" in q && q.format !== undefined && !(isStr(q.format) && isFormatName(q.format))) {
    problem(`${at}.format`, `unknown format "${String(q.format)}"`);
  }
  if (q.pattern !== undefined) {
    if (!isStr(q.pattern) || q.pattern.length > 200) problem(`${at}.pattern`, "pattern is a regular expression of at most 200 characters");
    else {
      try {
        new RegExp(q.pattern, "u");
      } catch (error) {
        problem(`${at}.pattern`, `pattern is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    if (q.type !== "string" && !(q.type === "list" && q.of === "string")) problem(`${at}.pattern`, "pattern applies to string questions and lists of strings");
  }
  checkWhen(q.when, at, names, problem);
  const question = q as unknown as Question;
  const d = q.default;
  switch (question.type) {
    case "string":
      if (d !== undefined && !isStr(d)) problem(`${at}.default`, "the default of a string question is a string");
      break;
    case "integer":
      if (d !== undefined && !Number.isInteger(d)) problem(`${at}.default`, "the default of an integer question is an integer");
      else if (typeof d === "number" && ((question.min !== undefined && d < question.min) || (question.max !== undefined && d > question.max))) {
        problem(`${at}.default`, "the default is outside min/max");
      }
      break;
    case "boolean":
      if (d !== undefined && typeof d !== "boolean") problem(`${at}.default`, "the default of a boolean question is true or false");
      break;
    case "select":
    case "multiselect": {
      const choices = Array.isArray(q.choices) ? q.choices : undefined;
      if (!choices || choices.length === 0 || !choices.every((c) => isObj(c) && isStr(c.value))) {
        problem(`${at}.choices`, "choices must be a non-empty list of { value, title? }");
        break;
      }
      const values = choices.map((c) => (c as { value: string }).value);
      const defaults = question.type === "select" ? (d === undefined ? [] : [d]) : Array.isArray(d) ? d : d === undefined ? [] : [d];
      if (question.type === "multiselect" && d !== undefined && !Array.isArray(d)) problem(`${at}.default`, "the default of a multiselect is a list");
      for (const v of defaults) if (!values.includes(v as string)) problem(`${at}.default`, `default "${String(v)}" is not one of the choices`);
      break;
    }
    case "list":
      if (q.of !== "integer" && q.of !== "string") problem(`${at}.of`, 'a list is "of": "integer" or "string"');
      if (d !== undefined && !Array.isArray(d)) problem(`${at}.default`, "the default of a list question is a list");
      break;
  }
}

function checkWhen(when: unknown, at: string, names: Set<string>, problem: Report): void {
  if (when === undefined) return;
  if (!isObj(when)) return problem(`${at}.when`, "when is an object of answer names to values");
  for (const key of Object.keys(when)) {
    if (!key.startsWith("facts.") && !names.has(key)) problem(`${at}.when.${key}`, `when refers to "${key}", which is not a question declared before it`);
  }
}

function checkEdit(e: unknown, at: string, names: Set<string>, problem: Report): void {
  if (!isObj(e)) return problem(at, "an edit must be an object");
  if (!editOps.includes(e.op as never)) return problem(`${at}.op`, `op must be one of ${editOps.join(", ")}`);
  checkWhen(e.when, at, names, problem);
  const need = (field: string, ok: boolean, what: string) => ok || problem(`${at}.${field}`, `${String(e.op)} needs ${what}`);
  switch (e.op) {
    case "add-import":
      need("named", isStrArray(e.named) && e.named.length > 0, "a non-empty list of names");
      need("module", isStr(e.module) !== isStr(e.file), "exactly one of module or file");
      if (isStr(e.module) && !e.module.includes("{{")) {
        const bad = moduleSpecifierProblem(e.module);
        if (bad) problem(`${at}.module`, bad);
      }
      break;
    case "install":
      need("code", isStr(e.code) && e.code.trim() !== "", "code");
      need("rank", typeof e.rank === "number", "a numeric rank (RECIPES.md §6.0)");
      break;
    case "api-transformer":
      need("code", isStr(e.code) && e.code.trim() !== "" && !/[\r\n;]/.test(e.code.trim().replace(/;$/, "")), "code: one transformer expression on one line");
      need("rank", e.rank === undefined || (Number.isInteger(e.rank) && (e.rank as number) >= 0 && (e.rank as number) <= 999), "a rank from 0 to 999");
      break;
    case "set-error-handler":
      need("handler", isStr(e.handler) && /^[A-Za-z_$][\w$]*$/.test(e.handler), "a handler identifier");
      break;
    case "extend-context":
      need("flavor", isStr(e.flavor), "a flavor type");
      need("module", isStr(e.module) !== isStr(e.file), "exactly one of module or file");
      if (isStr(e.module) && !e.module.includes("{{")) {
        const bad = moduleSpecifierProblem(e.module);
        if (bad) problem(`${at}.module`, bad);
      }
      break;
    case "ignore-path":
      need("path", isStr(e.path) && e.path.trim() !== "", "a project-relative path");
      break;
    case "replace-start":
      need("code", isStr(e.code) && e.code.trim() !== "", "code");
      need("file", isStr(e.file), "the file the start function is imported from");
      need("named", isStrArray(e.named) && e.named.length > 0, "the names the code uses");
      need("codeWithOptions", e.codeWithOptions === undefined || (isStr(e.codeWithOptions) && e.codeWithOptions.includes("{{options}}")), "codeWithOptions to use {{options}}");
      break;
    case "allow-updates":
      need("types", isStrArray(e.types) && e.types.length > 0 && e.types.every((t) => /^[a-z_]+$/.test(t)), "a non-empty list of update types (`callback_query`)");
      break;
    case "on-start":
    case "on-stop":
      need("code", isStr(e.code) && e.code.trim() !== "" && !/[\r\n]/.test(e.code.trim()), "code: one statement on one line");
      break;
    case "package-script":
      need("name", isStr(e.name) && /^[\w:.-]+$/.test(e.name), "a script name");
      need("command", isStr(e.command) && e.command.trim() !== "", "a command");
      break;
    case "wrap-handlers":
      need("commands", isStr(e.commands) && names.has(e.commands), "commands naming a declared list question");
      need("wrapper", isStr(e.wrapper), "a wrapper name");
      need("file", isStr(e.file), "the file the wrapper is imported from");
      break;
  }
}

/** Narrowing helper for callers that have validated. */
export function asManifest(data: unknown): RecipeManifest {
  return data as RecipeManifest;
}
