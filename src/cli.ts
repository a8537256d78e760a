import { Command, CommanderError, Option } from "commander";
import { asKnownFailure, CliError, exitCodeOf } from "./core/errors.js";
import { color } from "./ui/colors.js";

// The commands people run most (`--help`, `list`) must stay fast: every
// command's module is imported only when it runs, so ts-morph and the
// TypeScript compiler load only for commands that edit code.

const collect = (value: string, previous: string[] = []) => [...previous, value];

const pmOption = () => new Option("--pm <name>", "install with this package manager (default: detected)").choices(["npm", "pnpm", "yarn", "bun"]);

/** The options of `new` and of the run without a command. */
const newOptions = (command: Command) =>
  command
    .option("-y, --yes", "take defaults, never prompt")
    .option("--recipes <ids>", "recipes to add, comma-separated (repeatable)", collect)
    .option("--set <key=value>", "answer a question (repeatable; lists comma-separated; recipe.key=value for one recipe)", collect)
    .option("--answers <file>", "answers as JSON: { key: value } or { recipe: { key: value } }")
    .option("--force", "write into a folder that is not empty (files with the same names are replaced)")
    .addOption(pmOption())
    .option("--no-install", "do not install the dependencies; print the command to run")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect);

export function buildProgram(): Command {
  const program = new Command("create-bot-snippet")
    .description("Insert typed, tested grammY recipes into your Telegram bot project.")
    .version("0.1.0", "-v, --version")
    .option("--verbose", "print stack traces of errors; with show and list, the recipes' seed codes too")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} });
  // Before any command that writes: roll back a commit a killed run left half-done (src/engine/recover.ts).
  program.hook("preAction", async (_, action) => (await import("./engine/recover.js")).recoverBeforeWriting(action.name(), action.processedArgs, action.opts()));

  program
    .command("list")
    .description("list the recipes, one line each")
    .option("--json", "print the recipes as JSON")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .action(async (options) => (await import("./commands/list.js")).listCommand({ ...options, verbose: program.opts().verbose }));

  program
    .command("show")
    .argument("<recipe>", "recipe or snippet id")
    .description("show what a recipe does, its questions, the files it writes, and a preview; print a snippet's code")
    .option("--json", "print as JSON")
    .option("--copy-to <file>", "write a snippet's code to this file instead of printing it")
    .option("--force", "with --copy-to: replace the file if it exists")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .action(async (ref, options) => (await import("./commands/show.js")).showCommand(ref, { ...options, verbose: program.opts().verbose }));

  program
    .command("add")
    .argument("<recipes...>", "recipe ids")
    .description("add recipes to the grammY project you are in (the nearest package.json at or above this folder)")
    .option("--cwd <dir>", "the project, or a folder in it (the nearest package.json above is the root)", ".")
    .option("-y, --yes", "take defaults, never prompt")
    .option("--set <key=value>", "answer a question (repeatable; lists comma-separated; recipe.key=value for one recipe)", collect)
    .option("--answers <file>", "answers as JSON: { key: value } or { recipe: { key: value } }; one file can serve the whole project (sections of recipes not added are ignored)")
    .option("--dry-run", "print the diff, write nothing")
    .option("--json", "print the plan as JSON on stdout and write nothing; with --yes, write and report what was written. In a terminal without --yes, unanswered questions are refused, not defaulted")
    .option("--entry <file>", "the file that creates the bot, relative to --cwd, when detection needs help")
    .option("--bot <which>", "the bot to edit when the project has several: file:line, a file, or its variable or class name")
    .option("--force", "overwrite generated files that differ; write even when --check finds new type errors")
    .option("--check", "type-check the change before writing; new errors stop the write (default: on when the project has typescript)")
    .option("--no-check", "do not type-check before writing")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .addOption(pmOption())
    .option("--no-install", "only edit package.json; print the install command to run")
    .option("--upgrade", "raise grammY or a plugin the project has below what a recipe needs (otherwise the recipe is refused)")
    .addHelpText(
      "after",
      [
        "",
        "Answers, strongest first: --set recipe.key=value, --set key=value, the",
        "--answers file's { \"recipe\": { \"key\": value } } sections, its plain keys, then",
        "the question's default (asked instead in a terminal without --yes).",
        "",
        "--json never writes without --yes: `add <recipes> --json` prints the plan;",
        "`add <recipes> --json --yes` writes it and prints what was written.",
      ].join("\n"),
    )
    .action(async (refs, options) => {
      // From a subfolder (src/handlers) the project is the nearest package.json above; --entry is relative to where the user is.
      const at = (await import("./project/project-root.js")).locateProject(options.cwd, options.entry);
      if (at.notice) process.stderr.write(`${color.dim(at.notice)}\n`);
      await (await import("./commands/add.js")).addCommand(refs, { ...options, cwd: at.root, entry: at.entry, verbose: program.opts().verbose });
    });

  newOptions(
    program
      .command("new")
      .argument("[dir]", "the folder to create (must be empty, or not exist; default: this one, unless it is inside another project)")
      .description("create a new typed grammY bot, then add the recipes you pick"),
  ).action(async (dir: string | undefined, options) => (await import("./commands/new.js")).newCommand(dir ?? ".", { ...options, verbose: program.opts().verbose }, dir !== undefined));

  // No command: add recipes to the bot in this folder, or create a new bot (`npm create bot-snippet [dir]`).
  // Words past [dir] are not refused by commander: they are usually flags `npm create` kept for itself, and defaultCommand says so.
  newOptions(program.command("init", { isDefault: true, hidden: true }).argument("[dir]").allowExcessArguments(true)).action(async (dir, options, command: Command) =>
    (await import("./commands/new.js")).defaultCommand(dir, { ...options, verbose: program.opts().verbose }, program.commands.map((c) => c.name()), command.args.slice(1)),
  );
  program.addHelpText(
    "after",
    "\nWithout a command: inside a grammY project (or any folder in it), pick recipes to add;\nelsewhere (or with a folder name) create a new bot, like `new`.\nWith npm create, flags go after --: npm create bot-snippet my-bot -- --recipes error-handler",
  );

  program
    .command("lint")
    .argument("[dirs...]", "folders of recipe folders (default: the bundled templates)")
    .description("check recipe folders: manifests, templates, rendered TypeScript (exit 1 on any error)")
    .option("--typecheck", "also type-check every answer combination applied to fixture projects (strict)")
    .option("--fixtures <dir>", "a project to type-check against instead of the bundled fixtures (repeatable)", collect)
    .option("--matrix", "with --typecheck: also the field fixtures of a checkout, each with its own TypeScript (4.5-7), grammY and plugins")
    .option("--test", "also run the tests a pack ships in its recipe folders")
    .addOption(new Option("--format <format>", "report format").choices(["human", "json", "github"]).default("human"))
    .action(async (dirs, options) => (await import("./commands/lint.js")).lintCommand(dirs, options));

  program.addOption(new Option("--no-color", "disable colours").hideHelp());
  return program;
}

/** Runs the CLI. Sets `process.exitCode`; never calls `process.exit`. */
export async function main(argv: string[]): Promise<void> {
  if (argv.includes("--no-color")) process.env.NO_COLOR = "1";
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        process.exitCode = 0;
        return;
      }
      const message = error.message.replace(/^error:\s*/, "");
      process.stderr.write(`${color.red("error")} ${message}\n  ${color.dim("run `create-bot-snippet --help` for usage")}\n`);
      process.exitCode = 2;
      return;
    }
    reportError(asKnownFailure(error), argv.includes("--verbose")); // a full disk is said plainly, not as a bug
    process.exitCode = exitCodeOf(error);
  }
}

function reportError(error: unknown, verbose: boolean): void {
  if (error instanceof CliError) {
    process.stderr.write(`${color.red("error")} ${error.message}\n`);
    if (error.hint) process.stderr.write(`  ${color.dim(error.hint)}\n`);
  } else {
    process.stderr.write(`${color.red("error")} unexpected: ${(error as Error)?.message ?? String(error)}\n  ${color.dim("this is a bug; run with --verbose and report it")}\n`);
  }
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}
