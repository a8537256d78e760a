// === The recipe manifest: the data a recipe is made of ===
//
// A recipe is a folder `templates/<id>/` holding `recipe.json` (this shape) and
// handlebars templates. A manifest never runs code: every behaviour it asks for
// is one of the engine's named edit operations (`EditSpec`), so a third-party
// pack can be loaded, linted and applied without executing anything of its own.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Named validators for string answers and list items (see `validators.ts`). */
export type FormatName =
  | "userId"
  | "chatId"
  | "command"
  | "channel"
  | "httpsUrl"
  | "redisUrl"
  | "relativePath"
  | "envVar"
  | "identifier"
  | "secretToken"
  | "callbackLabel"
  | "botCommand"
  | "languageCode";

interface QuestionBase {
  /** The answer's key: `--set <name>=…`, `{{name}}` in templates. */
  name: string;
  /** The prompt shown to the user. */
  message: string;
  /** Shown by `show` and in `--help`-like listings. */
  description?: string;
  /** Ask only when these answers hold (see `Condition`). */
  when?: Condition;
}

export interface StringQuestion extends QuestionBase {
  type: "string";
  default?: string;
  /** An empty answer is refused unless `allowEmpty` is set. */
  allowEmpty?: boolean;
  maxLength?: number;
  format?: FormatName;
  /** A regular expression the answer must match (JavaScript syntax, unanchored unless it says so)… */
  pattern?: string;
  /** …and what to tell the user when it does not. */
  patternMessage?: string;
}

export interface IntegerQuestion extends QuestionBase {
  type: "integer";
  default?: number;
  min?: number;
  max?: number;
}

export interface BooleanQuestion extends QuestionBase {
  type: "boolean";
  default?: boolean;
}

export interface Choice {
  value: string;
  title?: string;
  description?: string;
}

export interface SelectQuestion extends QuestionBase {
  type: "select";
  choices: Choice[];
  default?: string;
}

export interface MultiselectQuestion extends QuestionBase {
  type: "multiselect";
  choices: Choice[];
  default?: string[];
  min?: number;
}

export interface ListQuestion extends QuestionBase {
  type: "list";
  /** The type of every item. */
  of: "integer" | "string";
  format?: FormatName;
  default?: Array<string | number>;
  /** Fewest items (0 means the list may be empty). */
  min?: number;
  max?: number;
  /** Items must be distinct (duplicates are refused, not silently dropped). */
  unique?: boolean;
  /** For integer lists: bounds of each item. */
  itemMin?: number;
  itemMax?: number;
  /** For string lists: longest item in characters. */
  itemMaxLength?: number;
  /** For string lists: a regular expression every item must match, and the message when one does not. */
  pattern?: string;
  patternMessage?: string;
}

export type Question =
  | StringQuestion
  | IntegerQuestion
  | BooleanQuestion
  | SelectQuestion
  | MultiselectQuestion
  | ListQuestion;

export type QuestionType = Question["type"];

/**
 * A condition on answers and project facts: every key must match. A key names
 * a question, or a project fact as `facts.<name>`. A value matches when it is
 * equal to the answer, or is an array containing the answer; for list and
 * multiselect answers, when the answer contains the value.
 */
export type Condition = Record<string, JsonValue>;

export interface DependencySpec {
  name: string;
  version: string;
  dev?: boolean;
  when?: Condition;
}

/**
 * A version range the recipe's code needs. `when` may test answers and facts;
 * facts name installed packages as `facts.major:<package>` (the installed
 * major, a number; `0.x` gives the minor as `0.x`), so a recipe can hold a
 * variant for an older plugin major and require the newer one otherwise.
 */
export interface RequirementSpec {
  name: string;
  range: string;
  /** What upgrading into the range breaks in the user's own code, shown when it is not met (conversations v1 → v2). */
  breaking?: string;
  when?: Condition;
}

export interface FileSpec {
  /** Template file in the recipe folder, e.g. `access-control.ts.hbs`. */
  template: string;
  /** Project-relative target path; may use answers and facts: `{{recipesDir}}/access-control.ts`. */
  target: string;
  when?: Condition;
}

// === Edit operations: the engine's whole vocabulary ===

interface EditBase {
  when?: Condition;
}

/** Import names into the file where the bot is created (merged into an existing import). */
export interface AddImportEdit extends EditBase {
  op: "add-import";
  /** A package specifier (`grammy`, `@grammyjs/menu`)… */
  module?: string;
  /** …or a project-relative path of a file the recipe renders. */
  file?: string;
  /** Names to import; prefix with `type ` for a type-only import. */
  named: string[];
}

/**
 * Install a statement in the recipe block right after the bot is created,
 * ordered by `rank` (RECIPES.md §6.0) and before the user's own handlers.
 */
export interface InstallEdit extends EditBase {
  op: "install";
  /** A template: `{{bot}}.use(accessControl())`. */
  code: string;
  rank: number;
}

/** Register `bot.catch(handler)`, unless the bot already has an error handler. */
export interface SetErrorHandlerEdit extends EditBase {
  op: "set-error-handler";
  handler: string;
}

/** Add a context flavor to the user's context type, or create one. */
export interface ExtendContextEdit extends EditBase {
  op: "extend-context";
  /** The flavor type, e.g. `AutoChatActionFlavor` or `SessionFlavor<SessionData>`. */
  flavor: string;
  /** Where the flavor's name is imported from: a package… */
  module?: string;
  /** …or a project-relative file the recipe renders. */
  file?: string;
  /**
   * The flavor wraps the context instead of adding to it (grammY's
   * `FileFlavor<C>`): `type X = T` becomes `type X = Flavor<T>`.
   */
  wrap?: boolean;
}

/** Wrap the handlers of `bot.command(name, handler)` with `wrapper(handler)`. */
export interface WrapHandlersEdit extends EditBase {
  op: "wrap-handlers";
  /** The list question that names the commands. */
  commands: string;
  /** The wrapper function, imported from `file`. */
  wrapper: string;
  file: string;
}

/**
 * Replace the call that starts the bot (`bot.start()`, runner's `run(bot)`)
 * with the recipe's start code, wherever it stands, and import what it uses.
 */
export interface ReplaceStartEdit extends EditBase {
  op: "replace-start";
  /** A template; `{{bot}}` is the expression holding the bot at the call site: `startBot({{bot}})`. */
  code: string;
  /**
   * The code for a `bot.start(options)` call: `{{options}}` is the user's
   * options expression, carried over as written: `startBot({{bot}}, { polling: {{options}} })`.
   * Without it, a start call with options becomes a manual step.
   */
  codeWithOptions?: string;
  /** The rendered file the names are imported from. */
  file: string;
  named: string[];
}

/** Add a path the bot writes at run time to the project's `.gitignore`. */
export interface IgnorePathEdit extends EditBase {
  op: "ignore-path";
  /** Project-relative; may use answers: `{{path}}`. */
  path: string;
  /** The path is a folder (written as `/path/`). */
  folder?: boolean;
}

/**
 * Work to do when the bot starts (`on-start`: before the call that starts
 * it) or once it has stopped (`on-stop`: after an awaited `bot.start()`, or
 * in the project's SIGINT/SIGTERM handlers after the bot is stopped): start a
 * scheduler, close a Redis client, flush buffered albums. The names the code
 * uses come from the recipe's `add-import` edits; the engine imports them
 * where the code lands. Where no place is found, the lines become a manual step.
 */
export interface LifecycleEdit extends EditBase {
  op: "on-start" | "on-stop";
  /** One statement, a template: `await closeSessionStore()`, `stopScheduler({{bot}})`. May use `await`. */
  code: string;
}

/**
 * Install an API transformer: `{{bot}}.api.config.use(<code>)` right after the
 * bot is created, before the transformers the user installs (so theirs wrap
 * the recipe's); among recipes' transformers, a lower `rank` is installed first.
 */
export interface ApiTransformerEdit extends EditBase {
  op: "api-transformer";
  /** The transformer expression, a template: `floodThrottler()`. */
  code: string;
  /** 0–999, default 0: order among recipe transformers (lower: installed first, runs closer to the network). */
  rank?: number;
}

/** Add a script to package.json (`"test": "vitest run"`) unless the project has one by that name. */
export interface PackageScriptEdit extends EditBase {
  op: "package-script";
  /** The script's name: `test`. */
  name: string;
  /** The command, a template. */
  command: string;
}

export type EditSpec = AddImportEdit | InstallEdit | SetErrorHandlerEdit | ExtendContextEdit | WrapHandlersEdit | ReplaceStartEdit | IgnorePathEdit | LifecycleEdit | ApiTransformerEdit | AllowUpdatesEdit | PackageScriptEdit;
/**
 * Make sure the call that starts the bot (`bot.start()`, runner's `run(bot)`,
 * `bot.api.setWebhook(url)`) asks Telegram for these update types: added to
 * its `allowed_updates` list, or a list written when a type is one Telegram
 * sends only on request (`chat_member`). Otherwise a manual step.
 */
export interface AllowUpdatesEdit extends EditBase {
  op: "allow-updates";
  /** Update types, as in the Bot API: `["callback_query"]`, `["chat_member", "my_chat_member"]`. */
  types: string[];
}

export type EditOp = EditSpec["op"];

export interface NoteSpec {
  text: string;
  when?: Condition;
}

export interface RecipeManifest {
  id: string;
  title: string;
  description: string;
  /** Rows of RECIPES.md §3 this recipe covers (C28, D3…). */
  seeds: string[];
  /** `recipe` is inserted by `add`; `snippet` is only printed by `show`. */
  kind?: "recipe" | "snippet";
  questions: Question[];
  /**
   * Packages the recipe's code needs, installed or not by it, with the
   * semver range its code compiles against: `{ "grammy": ">=1.20.0" }`.
   * Read against the project's installed versions before anything is
   * rendered (see `project/installed-versions.ts`); `dependencies` ranges
   * count as requirements too when the package is already installed.
   */
  requires?: RequirementSpec[];
  /**
   * What the recipe's code needs of how the bot runs: `long-running` (timers,
   * queues, in-memory state that outlive a request). On a bot served as a
   * serverless function `add` warns and asks; without a terminal it refuses
   * unless `--force`.
   */
  needs?: RuntimeNeed[];
  /**
   * Middleware the recipe installs its own of, which a bot must not install
   * twice: when the bot already calls `name` imported from `module`
   * (`bot.use(session(…))` from grammy), `add` refuses and says where.
   */
  conflicts?: ConflictSpec[];
  dependencies?: DependencySpec[];
  files: FileSpec[];
  edits: EditSpec[];
  /** Printed after a successful apply, e.g. "the bot must be an admin of the channel". */
  notes?: NoteSpec[];
}

export type RuntimeNeed = "long-running";

export interface ConflictSpec {
  /** The package the middleware factory comes from: `grammy`, `@grammyjs/conversations`. */
  module: string;
  /** The factory's exported name: `session`, `conversations`. */
  name: string;
}

export interface Recipe {
  manifest: RecipeManifest;
  /** Absolute folder of the recipe. */
  dir: string;
  /** The pack it came from: `bundled` or the pack folder's name. */
  pack: string;
  /** How the user addresses it: `id`, or `pack/id` when it clashes with a bundled one. */
  ref: string;
}

export type Answers = Record<string, JsonValue>;
