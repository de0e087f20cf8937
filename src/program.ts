/**
 * The command-line grammar: commander parses and validates every option once, into a fully
 * defaulted, typed config. Nothing here does I/O; `cli.ts` runs what this returns.
 */
import { homedir, tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_GROUPS } from "./dataset/groups.js";
import { usageError } from "./errors.js";
import {
  intParser,
  isSpecialPath,
  parseAssignments,
  parseCategories,
  parseRemove,
  REMOVABLE,
  scoreParser,
} from "./options.js";

export {
  editDistance,
  isSpecialPath,
  parseAssignments,
  parseCategories,
  parseRemove,
  REMOVABLE,
  suggestGroups,
} from "./options.js";

import {
  addInputOptions,
  type InputConfig,
  inputConfig,
  type KSpec,
  parseK,
} from "./program-input.js";
import type {
  ColumnOrder,
  CorpusSelection,
  DeviceChoice,
  EmbedderKind,
  OutputFormat,
  RemovePart,
  Subset,
} from "./types.js";

export const FORMATS: readonly OutputFormat[] = ["table", "csv", "tsv", "json", "markdown"];
export const SUBSETS: readonly Subset[] = ["train", "test", "all"];
export const DEVICES: readonly DeviceChoice[] = ["auto", "cpu", "cuda"];
export const DTYPES = [
  "auto",
  "fp32",
  "fp16",
  "q8",
  "int8",
  "uint8",
  "q4",
  "q4f16",
  "bnb4",
] as const;
export const DEFAULT_MODEL = "Xenova/all-MiniLM-L6-v2";
export const EMBEDDERS: readonly EmbedderKind[] = ["minilm", "tfidf"];
export const ORDERS: readonly ColumnOrder[] = ["matched", "raw"];

/** Options shared by every command: what to load and where from. */
export interface SourceConfig {
  selection: CorpusSelection;
  /** Explicit archive path and where it came from ("--data" or "NEWSGROUP_CLUSTER_DATA"). */
  data: { path: string; from: string } | undefined;
  cacheDir: string;
  offline: boolean;
  quiet: boolean;
  debug: boolean;
}

export interface ClusterConfig extends SourceConfig {
  command: "cluster";
  k: number | undefined;
  /** `--k 2..12` / `--k 4,8,16`: cluster once per k (then `k` is undefined). */
  sweep: number[] | undefined;
  /** `--input`: the user's posts instead of the built-in corpus. */
  input: InputConfig | undefined;
  /** `--embeddings`: cluster the vectors of this .npy instead of embedding. */
  embeddings: string | undefined;
  format: OutputFormat;
  model: string;
  modelsDir: string | undefined;
  dtype: (typeof DTYPES)[number];
  device: DeviceChoice;
  seed: number;
  nInit: number;
  maxIterations: number;
  batchSize: number;
  threads: number;
  maxLength: number;
  /** Use the on-disk embedding cache. */
  cache: boolean;
  /** Write the vectors here as .npy, in corpus order. */
  saveEmbeddings: string | undefined;
  embedder: EmbedderKind;
  order: ColumnOrder;
  topTerms: number;
  silhouette: boolean;
  /** Per-post export: CSV or JSON Lines, by extension. */
  assignments: { path: string; format: "csv" | "jsonl" } | undefined;
  minAri: number | undefined;
  minNmi: number | undefined;
  /** Self-contained HTML report. */
  report: string | undefined;
}

export interface CorpusConfig extends SourceConfig {
  command: "corpus";
}

export type Config = ClusterConfig | CorpusConfig;

/** The environment variables the tool reads (documented in the README). */
export interface ToolEnv {
  NEWSGROUP_CLUSTER_DATA?: string | undefined;
  NEWSGROUP_CLUSTER_CACHE?: string | undefined;
  NEWSGROUP_CLUSTER_MODELS?: string | undefined;
  XDG_CACHE_HOME?: string | undefined;
}

/** The default cache directory: NEWSGROUP_CLUSTER_CACHE, else XDG cache home. */
export function defaultCacheDir(env: ToolEnv, home: string = homeDir()): string {
  if (env.NEWSGROUP_CLUSTER_CACHE) return resolve(env.NEWSGROUP_CLUSTER_CACHE);
  // An empty HOME would put the cache under the current directory (`./.cache`).
  const base = home.startsWith("/") ? home : homeDir();
  const xdg = env.XDG_CACHE_HOME?.startsWith("/") ? env.XDG_CACHE_HOME : join(base, ".cache");
  return join(xdg, "newsgroup-cluster");
}

/** The home folder: $HOME when it is an absolute path, else the account's, else the temp dir. */
function homeDir(): string {
  const h = homedir();
  if (h.startsWith("/")) return h;
  try {
    const u = userInfo().homedir;
    if (u.startsWith("/")) return u;
  } catch {}
  return tmpdir();
}

interface RawSource {
  categories: string[];
  subset: Subset;
  remove: RemovePart[];
  data?: string;
  cacheDir?: string;
  offline?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

function addSourceOptions(cmd: Command): Command {
  return cmd
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
    .option("--offline", "never download; fail with a hint instead")
    .option("-q, --quiet", "no progress or notes on stderr (errors still go there)")
    .option("--debug", "show stack traces of errors");
}

function sourceConfig(o: RawSource, env: ToolEnv): SourceConfig {
  let data: SourceConfig["data"];
  if (o.data !== undefined) data = { path: resolve(o.data), from: "--data" };
  else if (env.NEWSGROUP_CLUSTER_DATA)
    data = { path: resolve(env.NEWSGROUP_CLUSTER_DATA), from: "NEWSGROUP_CLUSTER_DATA" };
  return {
    selection: { categories: o.categories, subset: o.subset, remove: o.remove },
    data,
    // `--cache-dir ''` is unset, not the current directory.
    cacheDir: o.cacheDir ? resolve(o.cacheDir) : defaultCacheDir(env),
    offline: o.offline === true,
    quiet: o.quiet === true,
    debug: o.debug === true,
  };
}

/** Options every command takes (`addSourceOptions`), by commander's attribute name. */
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

/**
 * `newsgroup-cluster --categories x corpus`: the source options given before the subcommand
 * apply to it (those after it win); cluster-only options there are a usage error, never ignored.
 * @throws CliError(usage) naming the cluster-only options given.
 */
function withParentSourceOptions(o: RawSource, command: Command): RawSource {
  const parent = command.parent;
  if (parent === null) return o;
  const fromCli = (c: Command, key: string) => c.getOptionValueSource(key) === "cli";
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
  return out as unknown as RawSource;
}

/**
 * Builds the commander program. `onConfig` receives the validated config of whichever command
 * the user ran; commander reports usage errors itself (exit code set by the caller's
 * `exitOverride`).
 */
export function buildProgram(
  version: string,
  env: ToolEnv,
  onConfig: (c: Config) => Promise<void>,
): Command {
  const program = new Command("newsgroup-cluster")
    .description(
      "Embed 20 Newsgroups posts with all-MiniLM-L6-v2 and cluster them with k-means; prints the newsgroup-by-cluster table.",
    )
    .version(version)
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .allowExcessArguments(false);

  addInputOptions(addSourceOptions(program))
    .addOption(
      new Option(
        "-k, --k <n>",
        "number of clusters, 1..number of posts (default: one per newsgroup); 2..12 or 4,8,16 sweeps k",
      ).argParser(parseK),
    )
    .addOption(
      new Option("-f, --format <format>", "output format").choices(FORMATS).default("table"),
    )
    .addOption(
      new Option("--model <id>", "model id, in --models or on the Hugging Face Hub").default(
        DEFAULT_MODEL,
      ),
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
    .addOption(
      new Option("--embedder <kind>", "minilm (the model) or tfidf (TF-IDF + LSA, no model files)")
        .choices(EMBEDDERS)
        .default("minilm"),
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
    .option("--silhouette", "also compute the cosine silhouette (O(posts^2))")
    .addOption(
      new Option(
        "--assignments <file>",
        "write each post's cluster and distance (.csv or .jsonl)",
      ).argParser(parseAssignments),
    )
    .addOption(
      new Option("--min-ari <x>", `exit ${7} after printing when the ARI is below x`).argParser(
        scoreParser("--min-ari", -0.5),
      ),
    )
    .addOption(
      new Option("--min-nmi <x>", `exit ${7} after printing when the NMI is below x`).argParser(
        scoreParser("--min-nmi", 0),
      ),
    )
    .addOption(
      new Option(
        "--report <file.html>",
        "write a self-contained HTML report (heatmap, map of posts, labels)",
      ).argParser((v: string) => {
        if (!/\.html?$/i.test(v) && !isSpecialPath(v))
          throw new InvalidArgumentError(`--report file must end in .html, got '${v}'.`);
        return resolve(v);
      }),
    )
    .option("--no-cache", "neither read nor write the embedding cache")
    .addOption(
      new Option(
        "--save-embeddings <file.npy>",
        "write the vectors as a NumPy .npy file (float32, corpus order)",
      ).argParser((v: string) => {
        if (!/\.npy$/i.test(v) && !isSpecialPath(v))
          throw new InvalidArgumentError(`--save-embeddings file must end in .npy, got '${v}'.`);
        return v;
      }),
    )
    .action(async (o, command: Command) => {
      // Options of the model path mean nothing to the model-free embedder: say so rather than
      // silently ignoring them.
      if (o.embedder === "tfidf") {
        const given = [
          "model",
          "models",
          "dtype",
          "device",
          "batchSize",
          "threads",
          "maxLength",
        ].filter((name) => command.getOptionValueSource(name) === "cli");
        if (given.length > 0) {
          const flags = given.map((n) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
          const verb = flags.length === 1 ? "applies" : "apply";
          throw usageError(
            `${flags.join(", ")} only ${verb} to --embedder minilm, not --embedder tfidf`,
          );
        }
      }
      const spec: KSpec = o.k ?? { k: undefined, sweep: undefined };
      const input = inputConfig(o, command, spec);
      const modelsDir = o.models ?? env.NEWSGROUP_CLUSTER_MODELS;
      await onConfig({
        command: "cluster",
        ...sourceConfig(o as RawSource, env),
        k: spec.k,
        sweep: spec.sweep,
        input,
        embeddings: o.embeddings === undefined ? undefined : resolve(o.embeddings),
        format: o.format,
        model: o.model,
        modelsDir: modelsDir ? resolve(modelsDir) : undefined,
        dtype: o.dtype,
        device: o.device,
        seed: o.seed,
        nInit: o.nInit,
        maxIterations: o.maxIter,
        batchSize: o.batchSize,
        threads: o.threads,
        maxLength: o.maxLength,
        cache: o.cache !== false,
        embedder: o.embedder,
        order: o.order,
        topTerms: o.topTerms,
        silhouette: o.silhouette === true,
        assignments: o.assignments,
        minAri: o.minAri,
        minNmi: o.minNmi,
        report: o.report,
        saveEmbeddings: o.saveEmbeddings === undefined ? undefined : resolve(o.saveEmbeddings),
      });
    });

  addSourceOptions(
    program
      .command("corpus")
      .description(
        "print the selected, cleaned posts as JSON Lines ({split, group, id, text}), in corpus order",
      ),
  ).action(async (o, command: Command) => {
    await onConfig({
      command: "corpus",
      ...sourceConfig(withParentSourceOptions(o as RawSource, command), env),
    });
  });

  return program;
}
