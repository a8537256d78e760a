import type { Command } from "commander";
import { asKnownFailure, CliError, exitCodeOf } from "./core/errors.js";
import { color } from "./ui/colors.js";
import { plainStdout, stdoutWithEpipe, useOwnStdout, writeOut } from "./commands/fast-stdout.js";

// The commands people run most (`--help`, `list`) must stay fast: every
// command's module is imported only when it runs, so ts-morph and the
// TypeScript compiler load only for commands that edit code. Commander
// itself loads (`loadCommander`, in main) before the program is built:
// `list` and `show <recipe>` run without it (fastCommand).
let loadedCommander: typeof import("commander") | undefined;
const loadCommander = async () => (loadedCommander ??= await import("commander"));
const commander = () => {
  if (!loadedCommander) throw new Error("commander is used before loadCommander()");
  return loadedCommander;
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

const pmOption = () => new (commander().Option)("--pm <name>", "install with this package manager (default: detected)").choices(["npm", "pnpm", "yarn", "bun"]);

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
  const { Command, Option } = commander();
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
    .option("--installed", "list the recipes installed in the project instead, as `status` does")
    .option("--cwd <dir>", "with --installed: the project, or a folder in it", ".")
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

  /** The project of --cwd (the nearest package.json at or above it), said on stderr when it is above. */
  const projectOf = async (cwd: string) => {
    const at = (await import("./project/project-root.js")).locateProject(cwd);
    if (at.notice) process.stderr.write(`${color.dim(at.notice)}\n`);
    return at.root;
  };

  program
    .command("status")
    .description("the installed recipes (bot-snippets.json): answers, files you changed, newer versions; recipes found in the code but not recorded")
    .option("--cwd <dir>", "the project, or a folder in it", ".")
    .option("--json", "print the status as JSON")
    .option("--templates <dir>", "also load recipes from this folder (repeatable): their newer versions are reported too", collect)
    .action(async (options) => void (await import("./commands/status.js")).statusCommand({ ...options, cwd: await projectOf(options.cwd) }));

  program
    .command("diff")
    .argument("<recipe>", "an installed recipe")
    .description("your changes to a recipe's generated files since it was added; with --upstream, what its newer version would change")
    .option("--cwd <dir>", "the project, or a folder in it", ".")
    .option("--upstream", "show what `update` would change: the generated files as recorded against the newer version rendered with your answers")
    .option("--bot <which>", "the bot, when the project has several: file:line, a file, or its variable or class name")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .action(async (ref, options) => void (await (await import("./commands/diff.js")).diffCommand(ref, { ...options, cwd: await projectOf(options.cwd) })));

  program
    .command("update")
    .argument("[recipes...]", "installed recipes to update (default: every one with a newer version)")
    .description("update installed recipes to their newer version: your answers kept, generated files three-way merged with your changes")
    .option("--cwd <dir>", "the project, or a folder in it", ".")
    .option("-y, --yes", "take defaults for new questions, never prompt; write conflicts with conflict markers")
    .option("--dry-run", "print the merged diff, write nothing")
    .option("--json", "print the result as JSON; writes only with --yes")
    .option("--bot <which>", "the bot, when the project has several: file:line, a file, or its variable or class name")
    .option("--check", "type-check the result before writing; new errors stop the write (default: on when the project has typescript)")
    .option("--no-check", "do not type-check before writing")
    .option("--force", "write even when --check finds new type errors")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .addOption(pmOption())
    .option("--no-install", "only edit package.json; print the install command to run")
    .option("--upgrade", "raise grammY or a plugin the project has below what the new version needs")
    .addHelpText("after", "\nA file you changed and the new version changed on the same lines is a conflict: nothing is written\nunless you agree (--yes, or yes at the prompt); then it gets <<<<<<< yours / ||||||| / ======= / >>>>>>>\nmarkers to resolve, and the exit code is 1.")
    .action(async (refs, options) => (await import("./commands/update.js")).updateCommand(refs, { ...options, cwd: await projectOf(options.cwd) }));

  program
    .command("remove")
    .argument("<recipes...>", "installed recipes to remove")
    .description("remove installed recipes: their edits to your files undone, their files and unused dependencies deleted (files you changed are kept)")
    .option("--cwd <dir>", "the project, or a folder in it", ".")
    .option("-y, --yes", "never prompt")
    .option("--dry-run", "print the diff, write nothing")
    .option("--json", "print what remove would do as JSON and write nothing; with --yes, write and report it")
    .option("--force", "delete generated files you changed too; write even when --check finds new type errors")
    .option("--check", "type-check the result before writing; new errors stop the write (default: on when the project has typescript)")
    .option("--no-check", "do not type-check before writing")
    .option("--bot <which>", "without a record: the bot, when the project has several: file:line, a file, or its variable or class name")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .addHelpText("after", "\nA recipe another installed recipe needs is refused, naming it. Lines that cannot be found any more\nare never guessed: they are listed with their file for you to remove.")
    .action(async (refs, options) => (await import("./commands/remove.js")).removeCommand(refs, { ...options, cwd: await projectOf(options.cwd), verbose: program.opts().verbose }));

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
    .command("undo")
    .description("take back the last change this CLI made in the project (add, new, update, remove, show --copy-to), after showing its diff")
    .option("--cwd <dir>", "the project, or a folder in it (the nearest package.json above is the root)", ".")
    .option("-y, --yes", "undo without asking (required without a terminal)")
    .option("--dry-run", "print the diff, write nothing")
    .option("--json", "print what undo would do as JSON and write nothing; with --yes, undo and report it")
    .option("--force", "undo even files changed since that command (your change to them is lost)")
    .action(async (options) => (await import("./commands/undo.js")).undoCommand(options));

  program
    .command("lint")
    .argument("[dirs...]", "folders of recipe folders (default: the bundled templates)")
    .description("check recipe folders: manifests, templates, rendered TypeScript (exit 1 on any error)")
    .option("--typecheck", "also type-check every answer combination applied to fixture projects (strict)")
    .option("--fixtures <dir>", "a project to type-check against instead of the bundled fixtures (repeatable)", collect)
    .option("--matrix", "with --typecheck: also the field fixtures of a checkout, each with its own TypeScript (4.5-7), grammY and plugins")
    .option("--no-cache", "render (and with --typecheck check) every recipe again, neither using nor keeping the results of earlier runs")
    .option("--test", "also run the tests a pack ships in its recipe folders")
    .addOption(new Option("--format <format>", "report format").choices(["human", "json", "github"]).default("human"))
    .action(async (dirs, options) => (await import("./commands/lint.js")).lintCommand(dirs, options));

  program.addOption(new Option("--no-color", "disable colours").hideHelp());
  return program;
}

/**
 * Runs the CLI. Sets `process.exitCode`; never calls `process.exit`.
 * `ownStdout`: the process is the CLI (bin/create-bot-snippet.js), so a piped
 * stdout may be written to directly (src/commands/fast-stdout.ts).
 */
export async function main(argv: string[], { ownStdout = false }: { ownStdout?: boolean } = {}): Promise<void> {
  if (ownStdout) useOwnStdout();
  if (argv.includes("--no-color")) process.env.NO_COLOR = "1";
  try {
    // `list | head -3`: the reader went away; stop quietly, as other command-line tools do (fastCommand's writes too).
    if (await fastCommand(argv)) return;
    stdoutWithEpipe();
    await loadCommander();
    await buildProgram().parseAsync(argv, { from: "user" });
  } catch (error) {
    if (loadedCommander && error instanceof loadedCommander.CommanderError) {
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

/**
 * `list` and `show <recipe>`, with no options but --json, --verbose and
 * --no-color, and `--help` to a pipe, run here without commander, with the options commander would
 * give them: they are the commands people run most, and loading commander was
 * a good part of their time. False for anything else (commander parses it).
 */
async function fastCommand(argv: string[]): Promise<boolean> {
  // `--help` to a pipe (80 columns, no colours): the text the build kept, while cli.js and commander are unchanged.
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h") && plainStdout()) {
    const text = await (await import("./recipes/catalogue-index.js")).cachedHelp();
    if (text !== undefined) {
      writeOut(text);
      process.exitCode = 0;
      return true;
    }
  }
  const verbose = argv.includes("--verbose") ? true : undefined;
  const rest = argv.filter((a) => a !== "--verbose" && a !== "--no-color");
  const words = rest.filter((a) => a !== "--json");
  const json = words.length < rest.length ? { json: true } : {};
  if (rest[0] !== words[0]) return false; // --json before the command is the program's, which has none
  if (words.length === 1 && words[0] === "list") {
    await (await import("./commands/list.js")).listCommand({ cwd: ".", ...json, verbose });
    return true;
  }
  if (words.length === 2 && words[0] === "show" && /^[\w@][\w@./-]*$/.test(words[1]!)) {
    await (await import("./commands/show.js")).showCommand(words[1]!, { ...json, verbose });
    return true;
  }
  return false;
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
