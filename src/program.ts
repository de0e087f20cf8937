/**
 * The command-line grammar: commander parses and validates every option once (program-options.ts),
 * config.ts turns the values into a fully defaulted, typed config. Nothing here does I/O; `cli.ts`
 * runs what this returns.
 */
import { Command } from "commander";
import { type Config, type ConfigHost, type RawOptions, sourceConfig, toConfig } from "./config.js";
import { ALL_GROUPS, DEFAULT_GROUPS, editDistance } from "./dataset/groups.js";
import type { ToolEnv } from "./env.js";
import { ExitCode, usageError } from "./errors.js";
import { addInputOptions } from "./program-input.js";
import {
  addCorpusOptions,
  addGateOptions,
  addKmeansOptions,
  addLoggingOptions,
  addModelOptions,
  addOutputOptions,
  GROUPS,
} from "./program-options.js";

export {
  type ClusterConfig,
  type Config,
  type CorpusConfig,
  defaultCacheDir,
  type SourceConfig,
} from "./config.js";
export { editDistance, suggestGroups } from "./dataset/groups.js";
export type { ToolEnv } from "./env.js";
export {
  isSpecialPath,
  parseAssignments,
  parseCategories,
  parseRemove,
  REMOVABLE,
} from "./options.js";
export {
  DEFAULT_MODEL,
  DEVICES,
  DTYPES,
  EMBEDDERS,
  FORMATS,
  ORDERS,
  SUBSETS,
} from "./program-options.js";

export const PROGRAM = "newsgroup-cluster";

/** What each exit code means, for `--help` (and the README). */
export const EXIT_CODE_HELP: Record<keyof typeof ExitCode, string> = {
  ok: "success",
  internal: "internal error (a bug: please report it)",
  usage: "bad command line or environment variable",
  data: "the corpus or --input could not be found, read or verified",
  model: "the model could not be found or loaded",
  network: "a download failed",
  device: "--device cuda is not available",
  gate: "a quality gate (--min-ari, --min-nmi) was not met",
  output: "an output file could not be written",
  interrupted: "interrupted (Ctrl-C)",
};

/** The text after the options in `--help`: examples, exit codes and the 20 newsgroup names. */
export function helpFooter(): string {
  const codes = (Object.keys(ExitCode) as (keyof typeof ExitCode)[]).map(
    (k) => `  ${String(ExitCode[k]).padStart(3)}  ${EXIT_CODE_HELP[k]}`,
  );
  const names: string[] = [];
  for (let i = 0; i < ALL_GROUPS.length; i += 3) {
    names.push(`  ${ALL_GROUPS.slice(i, i + 3).join(", ")}`);
  }
  return [
    "",
    "Examples:",
    "  # the reference notebook: 4 newsgroups, k = 4, a table",
    `  ${PROGRAM}`,
    "  # all 20 newsgroups, with an HTML report",
    `  ${PROGRAM} --categories all --k 20 --report out.html`,
    "  # sweep k and suggest one by silhouette",
    `  ${PROGRAM} --k 2..12 --format csv`,
    "  # your own posts (JSON Lines, CSV or TSV)",
    `  ${PROGRAM} --input posts.jsonl --k 8`,
    `  # a CI gate on a local model (exit ${ExitCode.gate} when the ARI is lower)`,
    `  ${PROGRAM} --model ./models/all-MiniLM-L6-v2 --min-ari 0.3`,
    "  # the cleaned posts, as JSON Lines",
    `  ${PROGRAM} corpus --categories sci.space > posts.jsonl`,
    "",
    "Exit codes:",
    ...codes,
    "",
    `Newsgroups (--categories; default ${DEFAULT_GROUPS.join(",")}):`,
    ...names,
    "",
  ].join("\n");
}

/** Options every command takes (corpus and logging), by commander's attribute name. */
const SOURCE_KEYS = [
  "categories",
  "subset",
  "remove",
  "data",
  "cacheDir",
  "offline",
  "quiet",
  "debug",
] as const;

const fromCli = (c: Command, key: string) => c.getOptionValueSource(key) === "cli";

/** A command's option values, with the names the user typed. */
function rawOptions(command: Command): RawOptions {
  const o = command.opts();
  const given = new Set(
    command.options.map((opt) => opt.attributeName()).filter((k) => fromCli(command, k)),
  );
  return { ...(o as RawOptions), given };
}

/**
 * `newsgroup-cluster --categories x corpus`: the source options given before the subcommand
 * apply to it (those after it win); cluster-only options there are a usage error, never ignored.
 * @throws CliError(usage) naming the cluster-only options given.
 */
function withParentSourceOptions(o: RawOptions, command: Command): RawOptions {
  const parent = command.parent;
  if (parent === null) return o;
  const out: Record<string, unknown> = { ...o };
  for (const key of SOURCE_KEYS) {
    if (fromCli(parent, key) && !fromCli(command, key)) out[key] = parent.getOptionValue(key);
  }
  const clusterOnly = parent.options
    .filter((opt) => {
      const key = opt.attributeName();
      return !(SOURCE_KEYS as readonly string[]).includes(key) && fromCli(parent, key);
    })
    .map((opt) => opt.long ?? opt.flags);
  if (clusterOnly.length > 0) {
    const verb = clusterOnly.length === 1 ? "applies" : "apply";
    throw usageError(`${clusterOnly.join(", ")} only ${verb} to clustering, not to 'corpus'`);
  }
  return out as RawOptions;
}

/**
 * `newsgroup-cluster corpsu`: the main command takes no arguments, so a word there is a mistyped
 * command. @throws CliError(usage) with the nearest command, if any is close.
 */
function unknownCommand(word: string, program: Command): never {
  const names = program.commands.map((c) => c.name());
  const near = names
    .map((n) => ({ n, d: editDistance(word.toLowerCase(), n) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(x.n.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  const hint =
    near === undefined ? `; the commands are ${names.join(", ")}` : `; did you mean '${near.n}'?`;
  throw usageError(`unknown command '${word}'${hint}`);
}

const defaultHost: ConfigHost = { isModelFolder: () => false };

/**
 * Builds the commander program. `onConfig` receives the validated config of whichever command
 * the user ran; commander reports usage errors itself (exit code set by the caller's
 * `exitOverride`). `host` answers whether a `--model` value is a model folder (cli.ts asks the
 * file system; without it, `--model` is always an id).
 */
export function buildProgram(
  version: string,
  env: ToolEnv,
  onConfig: (c: Config) => Promise<void>,
  host: ConfigHost = defaultHost,
): Command {
  const program = new Command(PROGRAM)
    .description(
      "Embed 20 Newsgroups posts with all-MiniLM-L6-v2 and cluster them with k-means; prints the newsgroup-by-cluster table.",
    )
    .usage("[options] [command]")
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .allowExcessArguments(true)
    // Our own `help [command]`: commander's prints the whole help as an error for an unknown name.
    .helpCommand(false);

  addCorpusOptions(program);
  addInputOptions(program.optionsGroup(GROUPS.input));
  addModelOptions(program);
  addKmeansOptions(program);
  addOutputOptions(program);
  addGateOptions(program);
  addLoggingOptions(program)
    .version(version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .addHelpText("after", helpFooter())
    .action(async (_o, command: Command) => {
      if (command.args.length > 0) unknownCommand(command.args[0] as string, program);
      await onConfig(toConfig(rawOptions(command), env, host));
    });

  const corpus = program
    .command("corpus")
    .description(
      "print the selected, cleaned posts as JSON Lines ({split, group, id, text}), in corpus order",
    )
    .allowExcessArguments(false);
  addLoggingOptions(addCorpusOptions(corpus))
    .helpOption("-h, --help", "show this help")
    .action(async (_o, command: Command) => {
      const raw = withParentSourceOptions(rawOptions(command), command);
      await onConfig({ command: "corpus", ...sourceConfig(raw, env) });
    });

  program
    .command("help [command]")
    .description("show help for a command")
    .helpOption(false)
    .allowExcessArguments(false)
    .action((name: string | undefined) => {
      const sub = program.commands.find((c) => c.name() === name && c.name() !== "help");
      if (name !== undefined && sub === undefined) unknownCommand(name, program);
      (sub ?? program).outputHelp();
    });

  return program;
}
