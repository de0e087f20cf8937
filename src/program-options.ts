/**
 * The options of the command line, one function per help group (corpus, model, k-means, output,
 * diagnostics; input is in program-input.ts). Each adds its options under its heading; values are
 * parsed and checked here (options.ts), combined into a Config by config.ts. Nothing here does I/O.
 */
import { resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_GROUPS } from "./dataset/groups.js";
import { ExitCode } from "./errors.js";
import {
  intParser,
  isSpecialPath,
  parseAssignments,
  parseCategories,
  parseRemove,
  REMOVABLE,
  scoreParser,
} from "./options.js";
import { parseK } from "./program-input.js";
import {
  type ColumnOrder,
  type DeviceChoice,
  type EmbedderKind,
  type OutputFormat,
  type Subset,
  WEIGHT_DTYPES,
} from "./types.js";

export const FORMATS: readonly OutputFormat[] = ["table", "csv", "tsv", "json", "markdown"];
export const SUBSETS: readonly Subset[] = ["train", "test", "all"];
export const DEVICES: readonly DeviceChoice[] = ["auto", "cpu", "cuda"];
/** `--dtype`: `auto` or one of the weights transformers.js can load (types.ts). */
export const DTYPES = ["auto", ...WEIGHT_DTYPES] as const;
export const DEFAULT_MODEL = "Xenova/all-MiniLM-L6-v2";
export const EMBEDDERS: readonly EmbedderKind[] = ["minilm", "tfidf"];
export const ORDERS: readonly ColumnOrder[] = ["matched", "raw"];

/** The help groups, in the order `--help` shows them. */
export const GROUPS = {
  corpus: "Corpus (the built-in 20 Newsgroups):",
  input: "Input (your own posts or vectors):",
  model: "Model:",
  kmeans: "k-means:",
  output: "Output:",
  diagnostics: "Diagnostics:",
} as const;

/** Options that choose and clean the built-in corpus; `corpus` takes them too. */
export function addCorpusOptions(cmd: Command): Command {
  return cmd
    .optionsGroup(GROUPS.corpus)
    .addOption(
      new Option("--categories <list>", "comma-separated newsgroups, or 'all' for the 20")
        .argParser(parseCategories)
        .default([...DEFAULT_GROUPS], DEFAULT_GROUPS.join(",")),
    )
    .addOption(
      new Option("--subset <subset>", "which split to load").choices(SUBSETS).default("all"),
    )
    .addOption(
      new Option(
        "--remove <parts>",
        "strip these from each post: headers,footers,quotes, or 'none'",
      )
        .argParser(parseRemove)
        .default([...REMOVABLE], "headers,footers,quotes"),
    )
    .option("--data <file>", "the 20news-bydate.tar.gz archive (env NEWSGROUP_CLUSTER_DATA)")
    .option(
      "--cache-dir <dir>",
      "cache directory (env NEWSGROUP_CLUSTER_CACHE, default $XDG_CACHE_HOME/newsgroup-cluster)",
    )
    .option("--offline", "never download; fail with a hint instead");
}

/** Options every command takes that only change what is said on stderr. */
export function addLoggingOptions(cmd: Command): Command {
  return cmd
    .optionsGroup(GROUPS.diagnostics)
    .option("-q, --quiet", "no progress or notes on stderr (errors still go there)")
    .option("--debug", "show stack traces of errors");
}

/** The embedder and its model. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .optionsGroup(GROUPS.model)
    .addOption(
      new Option("--embedder <kind>", "minilm (the model) or tfidf (TF-IDF + LSA, no model files)")
        .choices(EMBEDDERS)
        .default("minilm"),
    )
    .addOption(
      new Option(
        "--model <id|folder>",
        "model id (in --models or on the Hugging Face Hub), or a model folder path",
      ).default(DEFAULT_MODEL),
    )
    .option(
      "--models <dir>",
      "local models folder in transformers.js layout (env NEWSGROUP_CLUSTER_MODELS); nothing is downloaded",
    )
    .addOption(
      new Option("--dtype <dtype>", "weights to load; auto = q8 on CPU, fp32 on CUDA")
        .choices(DTYPES)
        .default("auto"),
    )
    .addOption(
      new Option("--device <device>", "where to run the model").choices(DEVICES).default("auto"),
    )
    .addOption(
      new Option("--batch-size <n>", "posts per model call")
        .argParser(intParser("--batch-size", 1, 4096))
        .default(16),
    )
    .addOption(
      new Option("--threads <n>", "CPU threads for the model, 0 = one per core")
        .argParser(intParser("--threads", 0, 1024))
        .default(0),
    )
    .addOption(
      new Option(
        "--max-length <n>",
        "word pieces per post incl. [CLS]/[SEP] (sentence-transformers: 256)",
      )
        .argParser(intParser("--max-length", 2, 512))
        .default(256),
    )
    .option("--no-cache", "neither read nor write the caches (embeddings, cleaned corpus)");
}

/** k and how k-means looks for the best partition. */
export function addKmeansOptions(cmd: Command): Command {
  return cmd
    .optionsGroup(GROUPS.kmeans)
    .addOption(
      new Option(
        "-k, --k <n>",
        "number of clusters, 1..number of posts (default: one per newsgroup); 2..12 or 4,8,16 sweeps k",
      ).argParser(parseK),
    )
    .addOption(
      new Option("--seed <n>", "k-means seed")
        .argParser(intParser("--seed", 0, 2 ** 32 - 1))
        .default(42),
    )
    .addOption(
      new Option("--n-init <n>", "k-means restarts; the lowest inertia wins")
        .argParser(intParser("--n-init", 1, 1000))
        .default(10),
    )
    .addOption(
      new Option("--max-iter <n>", "k-means iterations per restart")
        .argParser(intParser("--max-iter", 1, 100000))
        .default(300),
    );
}

/** An output file option's parser: the extension it needs (devices are exempt). */
const fileWithExtension =
  (option: string, pattern: RegExp, ext: string, resolveIt: (v: string) => string) =>
  (v: string): string => {
    if (!pattern.test(v) && !isSpecialPath(v))
      throw new InvalidArgumentError(`${option} file must end in ${ext}, got '${v}'.`);
    return resolveIt(v);
  };

/** What is printed and which files are written. */
export function addOutputOptions(cmd: Command): Command {
  return cmd
    .optionsGroup(GROUPS.output)
    .addOption(
      new Option("-f, --format <format>", "output format").choices(FORMATS).default("table"),
    )
    .addOption(
      new Option(
        "--order <order>",
        "columns: matched (cluster under its best group) or raw (k-means ids)",
      )
        .choices(ORDERS)
        .default("matched"),
    )
    .addOption(
      new Option("--top-terms <n>", "top c-TF-IDF terms per cluster, 0 = none")
        .argParser(intParser("--top-terms", 0, 100))
        .default(8),
    )
    .addOption(
      new Option(
        "--report <file.html>",
        "write a self-contained HTML report (heatmap, map of posts, labels)",
      ).argParser(fileWithExtension("--report", /\.html?$/i, ".html", resolve)),
    )
    .addOption(
      new Option(
        "--assignments <file>",
        "write each post's cluster and distance (.csv or .jsonl)",
      ).argParser(parseAssignments),
    )
    .addOption(
      new Option(
        "--save-embeddings <file.npy>",
        "write the vectors as a NumPy .npy file (float32, corpus order)",
      ).argParser(fileWithExtension("--save-embeddings", /\.npy$/i, ".npy", (v) => v)),
    );
}

/** Scores and gates: what a CI job checks. */
export function addGateOptions(cmd: Command): Command {
  return cmd
    .optionsGroup(GROUPS.diagnostics)
    .option("--silhouette", "also compute the cosine silhouette (O(posts^2))")
    .addOption(
      new Option(
        "--min-ari <x>",
        `exit ${ExitCode.gate} after printing when the ARI is below x`,
      ).argParser(scoreParser("--min-ari", -0.5)),
    )
    .addOption(
      new Option(
        "--min-nmi <x>",
        `exit ${ExitCode.gate} after printing when the NMI is below x`,
      ).argParser(scoreParser("--min-nmi", 0)),
    );
}
