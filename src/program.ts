/**
 * The command-line grammar: commander parses and validates every option once, into a fully
 * defaulted, typed config. Nothing here does I/O; `cli.ts` runs what this returns.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { ALL_GROUPS, DEFAULT_GROUPS } from "./dataset/groups.js";
import { usageError } from "./errors.js";
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
export const REMOVABLE: readonly RemovePart[] = ["headers", "footers", "quotes"];
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

const intParser =
  (name: string, min: number, max: number, allowed = `an integer from ${min} to ${max}`) =>
  (value: string): number => {
    const v = value.trim();
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new InvalidArgumentError(`${name} must be ${allowed}, got '${value}'.`);
    }
    return Number(v);
  };

const scoreParser =
  (name: string, min: number) =>
  (value: string): number => {
    const v = Number(value);
    if (value.trim() === "" || !Number.isFinite(v) || v < min || v > 1) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to 1, got '${value}'.`);
    }
    return v;
  };

/** `--assignments`: the export format follows the extension. */
export function parseAssignments(value: string): { path: string; format: "csv" | "jsonl" } {
  const lower = value.toLowerCase();
  if (lower.endsWith(".csv")) return { path: resolve(value), format: "csv" };
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson"))
    return { path: resolve(value), format: "jsonl" };
  throw new InvalidArgumentError(
    `--assignments file must end in .csv, .jsonl or .ndjson, got '${value}'.`,
  );
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The closest newsgroup names to a mistyped one (substring matches first). */
export function suggestGroups(name: string): string[] {
  const lower = name.toLowerCase();
  const sub = ALL_GROUPS.filter((g) => g.includes(lower));
  if (sub.length > 0 && lower.length >= 3) return sub.slice(0, 3);
  const scored = ALL_GROUPS.map((g) => ({ g, d: editDistance(lower, g) })).sort(
    (x, y) => x.d - y.d,
  );
  const best = scored[0]?.d ?? 0;
  return scored
    .filter((s) => s.d <= best + 1)
    .slice(0, 3)
    .map((s) => s.g);
}

/** `--categories`: `all`, or a comma list of distinct newsgroup names. */
export function parseCategories(value: string): string[] {
  const v = value.trim();
  if (v === "all") return [...ALL_GROUPS];
  const names = v.split(",").map((s) => s.trim());
  if (v === "" || names.some((n) => n === "")) {
    throw new InvalidArgumentError(
      `--categories needs a comma-separated list of newsgroups or 'all', got '${value}'.`,
    );
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (!ALL_GROUPS.includes(n)) {
      throw new InvalidArgumentError(
        `unknown newsgroup '${n}'; did you mean ${suggestGroups(n).join(", ")}? (or 'all'; see --help for the 20 names)`,
      );
    }
    if (seen.has(n))
      throw new InvalidArgumentError(`newsgroup '${n}' is listed twice in --categories.`);
    seen.add(n);
  }
  return [...seen].sort();
}

/** `--remove`: a comma list of headers, footers, quotes, or `none`. */
export function parseRemove(value: string): RemovePart[] {
  const v = value.trim();
  if (v === "none") return [];
  const parts = v.split(",").map((s) => s.trim());
  const out: RemovePart[] = [];
  for (const p of parts) {
    if (!(REMOVABLE as readonly string[]).includes(p)) {
      throw new InvalidArgumentError(
        `--remove takes a comma list of headers, footers, quotes, or 'none'; got '${p === "" ? value : p}'.`,
      );
    }
    if (!out.includes(p as RemovePart)) out.push(p as RemovePart);
  }
  return REMOVABLE.filter((r) => out.includes(r));
}

/** The default cache directory: NEWSGROUP_CLUSTER_CACHE, else XDG cache home. */
export function defaultCacheDir(env: ToolEnv, home: string = homedir()): string {
  if (env.NEWSGROUP_CLUSTER_CACHE) return resolve(env.NEWSGROUP_CLUSTER_CACHE);
  const xdg = env.XDG_CACHE_HOME?.startsWith("/") ? env.XDG_CACHE_HOME : join(home, ".cache");
  return join(xdg, "newsgroup-cluster");
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
    cacheDir: o.cacheDir !== undefined ? resolve(o.cacheDir) : defaultCacheDir(env),
    offline: o.offline === true,
    quiet: o.quiet === true,
    debug: o.debug === true,
  };
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
        if (!/\.html?$/i.test(v))
          throw new InvalidArgumentError(`--report file must end in .html, got '${v}'.`);
        return resolve(v);
      }),
    )
    .option("--no-cache", "neither read nor write the embedding cache")
    .option(
      "--save-embeddings <file.npy>",
      "write the vectors as a NumPy .npy file (float32, corpus order)",
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
  ).action(async (o) => {
    await onConfig({ command: "corpus", ...sourceConfig(o as RawSource, env) });
  });

  return program;
}
