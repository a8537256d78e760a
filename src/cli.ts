import { Command, CommanderError, Option } from "commander";
import { CliError, exitCodeOf } from "./core/errors.js";
import { color } from "./ui/colors.js";

// The commands people run most (`--help`, `list`) must stay fast: every
// command's module is imported only when it runs, so ts-morph and the
// TypeScript compiler load only for commands that edit code.

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command("create-bot-snippet")
    .description("Insert typed, tested grammY recipes into your Telegram bot project.")
    .version("0.1.0", "-v, --version")
    .option("--verbose", "print stack traces of errors")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} });

  program
    .command("list")
    .description("list the recipes, one line each")
    .option("--json", "print the recipes as JSON")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .action(async (options) => (await import("./commands/list.js")).listCommand(options));

  program
    .command("show")
    .argument("<recipe>", "recipe id")
    .description("show what a recipe does, its questions, the files it writes, and a preview")
    .option("--json", "print as JSON")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .action(async (ref, options) => (await import("./commands/show.js")).showCommand(ref, options));

  program
    .command("add")
    .argument("<recipes...>", "recipe ids")
    .description("add recipes to the grammY project in the current folder")
    .option("--cwd <dir>", "the project folder", ".")
    .option("-y, --yes", "take defaults, never prompt")
    .option("--set <key=value>", "answer a question (repeatable; lists comma-separated; recipe.key=value for one recipe)", collect)
    .option("--answers <file>", "answers as JSON: { key: value } or { recipe: { key: value } }")
    .option("--dry-run", "print the diff, write nothing")
    .option("--json", "print the plan as JSON on stdout")
    .option("--entry <file>", "the file that creates the bot, when detection needs help")
    .option("--force", "overwrite generated files that differ")
    .option("--templates <dir>", "also load recipes from this folder (repeatable)", collect)
    .action(async (refs, options) => (await import("./commands/add.js")).addCommand(refs, { ...options, verbose: program.opts().verbose }));

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
    reportError(error, argv.includes("--verbose"));
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
