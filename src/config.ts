/**
 * The typed, fully defaulted configuration of a run, and `toConfig`: the option values commander
 * parsed plus the environment in, a Config out. Pure apart from the `host` probe it is given.
 */
import { homedir, tmpdir, userInfo } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { type EnvSettings, readEnv, type ToolEnv } from "./env.js";
import { usageError } from "./errors.js";
import { type InputConfig, inputConfig, type KSpec, type RawInput } from "./program-input.js";
import type { DTYPES } from "./program-options.js";
import type {
  ColumnOrder,
  CorpusSelection,
  DeviceChoice,
  EmbedderKind,
  OutputFormat,
  RemovePart,
  Subset,
} from "./types.js";

/** Where a missing corpus is downloaded from, and how long a download may stall. */
export interface DownloadConfig {
  /** Undefined: the official URL. */
  url: string | undefined;
  /** Lower-case hex; undefined: the official checksum. */
  sha256: string | undefined;
  /** Validated when called (only a download needs it). @throws CliError(usage). */
  timeoutMs: () => number;
}

/** Options shared by every command: what to load and where from. */
export interface SourceConfig {
  selection: CorpusSelection;
  /** Explicit archive path and where it came from ("--data" or "NEWSGROUP_CLUSTER_DATA"). */
  data: { path: string; from: string } | undefined;
  cacheDir: string;
  offline: boolean;
  quiet: boolean;
  debug: boolean;
  download: DownloadConfig;
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
  /** NEWSGROUP_CLUSTER_HF_ENDPOINT: the Hub mirror to download models from. */
  hfEndpoint: string | undefined;
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

/** What `toConfig` may ask of the machine: whether a path is a model folder (has config.json). */
export interface ConfigHost {
  isModelFolder(path: string): boolean;
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

/** The option values of a command as commander parsed them, with the names given on the line. */
export interface RawOptions {
  categories: string[];
  subset: Subset;
  remove: RemovePart[];
  data?: string;
  cacheDir?: string;
  offline?: boolean;
  quiet?: boolean;
  debug?: boolean;
  /** Attribute names (`maxLength`) of the options the user typed, not defaulted. */
  given: ReadonlySet<string>;
  [key: string]: unknown;
}

/** The source options of any command. */
export function sourceConfig(o: RawOptions, env: ToolEnv): SourceConfig {
  const s = readEnv(env);
  let data: SourceConfig["data"];
  if (o.data !== undefined) data = { path: resolve(o.data), from: "--data" };
  else if (s.data !== undefined) data = { path: resolve(s.data), from: "NEWSGROUP_CLUSTER_DATA" };
  return {
    selection: { categories: o.categories, subset: o.subset, remove: o.remove },
    data,
    // `--cache-dir ''` is unset, not the current directory.
    cacheDir: o.cacheDir ? resolve(o.cacheDir) : defaultCacheDir(env),
    offline: o.offline === true,
    quiet: o.quiet === true,
    debug: o.debug === true,
    download: { url: s.dataUrl, sha256: s.dataSha256, timeoutMs: s.timeoutMs },
  };
}

/** Options of the model path: meaningless to the model-free embedder and to `--embeddings`. */
const MODEL_ONLY = ["model", "models", "dtype", "device", "batchSize", "threads", "maxLength"];

const flagOf = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * `--model` and `--models`: a `--model` that is itself a model folder (`../models/tiny-bert`,
 * an easy slip for `--models ../models --model tiny-bert`) is split into the two, unless
 * `--models` holds a model of that name.
 */
export function modelSource(
  model: string,
  modelsDir: string | undefined,
  host: ConfigHost,
): { model: string; modelsDir: string | undefined } {
  const dir = modelsDir === undefined ? undefined : resolve(modelsDir);
  if (dir !== undefined && host.isModelFolder(join(dir, model))) return { model, modelsDir: dir };
  if (host.isModelFolder(model)) {
    const path = resolve(model);
    return { model: basename(path), modelsDir: dirname(path) };
  }
  return { model, modelsDir: dir };
}

/**
 * The cluster command's config from its parsed options and the environment.
 * @throws CliError(usage) for options that do not combine.
 */
export function toConfig(o: RawOptions, env: ToolEnv, host: ConfigHost): ClusterConfig {
  const settings: EnvSettings = readEnv(env);
  if (o.embedder === "tfidf") {
    const given = MODEL_ONLY.filter((n) => o.given.has(n)).map(flagOf);
    if (given.length > 0) {
      const verb = given.length === 1 ? "applies" : "apply";
      throw usageError(
        `${given.join(", ")} only ${verb} to --embedder minilm, not --embedder tfidf`,
      );
    }
  }
  const spec = (o.k as KSpec | undefined) ?? { k: undefined, sweep: undefined };
  const input = inputConfig(o as RawInput, (n) => o.given.has(n), spec);
  const { model, modelsDir } = modelSource(
    o.model as string,
    (o.models as string | undefined) ?? settings.models,
    host,
  );
  const path = (v: unknown) => (v === undefined ? undefined : resolve(v as string));
  return {
    command: "cluster",
    ...sourceConfig(o, env),
    k: spec.k,
    sweep: spec.sweep,
    input,
    embeddings: path(o.embeddings),
    format: o.format as OutputFormat,
    model,
    modelsDir,
    hfEndpoint: settings.hfEndpoint,
    dtype: o.dtype as ClusterConfig["dtype"],
    device: o.device as DeviceChoice,
    seed: o.seed as number,
    nInit: o.nInit as number,
    maxIterations: o.maxIter as number,
    batchSize: o.batchSize as number,
    threads: o.threads as number,
    maxLength: o.maxLength as number,
    cache: o.cache !== false,
    embedder: o.embedder as EmbedderKind,
    order: o.order as ColumnOrder,
    topTerms: o.topTerms as number,
    silhouette: o.silhouette === true,
    assignments: o.assignments as ClusterConfig["assignments"],
    minAri: o.minAri as number | undefined,
    minNmi: o.minNmi as number | undefined,
    report: o.report as string | undefined,
    saveEmbeddings: path(o.saveEmbeddings),
  };
}
