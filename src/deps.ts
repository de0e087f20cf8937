/**
 * The run's real dependencies, for cli.ts: the corpus from the archive or --input, the embedder
 * (the model through the embedding cache, TF-IDF or a .npy), each saying what it did on stderr
 * through the run's `Progress` (stage lines, or a bar on a terminal).
 */
import { existsSync, statSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import type { ClusterConfig, SourceConfig } from "./config.js";
import { emptyPosts, loadCorpus } from "./dataset/corpus.js";
import { lookupCorpus } from "./dataset/corpus-cache.js";
import { readInputFile } from "./dataset/input.js";
import { locateArchive, OFFICIAL_SHA256, OFFICIAL_URL } from "./dataset/locate.js";
import { CachedEmbedder, storesExist } from "./embed/cache.js";
import type { Embedder } from "./embed/embedder.js";
import { saveFingerprintMemos } from "./embed/fingerprint.js";
import { modelFingerprint, modelLabel, plannedDtype } from "./embed/plan.js";
import { PrecomputedEmbedder } from "./embed/precomputed.js";
import { ModelStart } from "./embed/start.js";
import { TfidfLsaEmbedder } from "./embed/tfidf.js";
import { pickEnv, readEnv } from "./env.js";
import { dataError } from "./errors.js";
import type { PipelineDeps } from "./pipeline.js";
import { createProgress, type Progress } from "./progress.js";
import { cachedTermIds } from "./term-cache.js";
import type { Corpus } from "./types.js";

/** The tool's environment variables, read once. */
export const TOOL_ENV = pickEnv(process.env);
export const ENV = readEnv(TOOL_ENV);

/** A path as the user would type it: relative to the working directory when that is shorter. */
export function shownPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel !== "" && rel.length < path.length ? rel : path;
}

/** A model folder in transformers.js layout (holds config.json): `--model <folder>` works. */
export const isModelFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, "config.json"));
  } catch {
    return false;
  }
};

/** A note on stderr (a warning, the empty posts), unless --quiet. */
export const note = (cfg: SourceConfig) => (line: string) => {
  if (!cfg.quiet) process.stderr.write(`newsgroup-cluster: ${line}\n`);
};

/**
 * The built-in corpus: the archive found or downloaded (locate.ts), read and cleaned.
 * `onLoaded` hears "N posts from <archive>" (the cluster command's stage line).
 */
export async function readCorpus(
  cfg: SourceConfig,
  signal: AbortSignal,
  onLoaded?: (what: string) => void,
): Promise<Corpus> {
  const located = await locateArchive(
    {
      explicitPath: cfg.data?.path,
      explicitFrom: cfg.data?.from,
      cacheDir: cfg.cacheDir,
      offline: cfg.offline,
      url: cfg.download.url ?? OFFICIAL_URL,
      sha256: cfg.download.sha256 ?? OFFICIAL_SHA256,
      // Checked only when a download happens: a bad value must not fail runs that download nothing.
      timeoutMs: cfg.download.timeoutMs,
    },
    { fetch: globalThis.fetch, log: note(cfg) },
  );
  // The cleaned corpus is cached like the vectors: not with --no-cache or a throw-away download.
  const noCache = ("cache" in cfg && cfg.cache === false) || located.temporary !== undefined;
  const cached = await lookupCorpus(
    noCache ? undefined : cfg.cacheDir,
    located.path,
    cfg.selection,
    note(cfg),
  );
  if (cached.corpus !== undefined) {
    onLoaded?.(
      `${cached.corpus.docs.length} posts from ${shownPath(located.path)} (cleaned copy cached)`,
    );
    return cached.corpus;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(located.path);
  } catch (err) {
    throw dataError(`cannot read ${located.path}: ${(err as Error).message}`, err);
  } finally {
    if (located.temporary !== undefined)
      await rm(located.temporary, { recursive: true, force: true }).catch(() => {});
  }
  const corpus = await loadCorpus(bytes, cfg.selection, located.path, signal);
  cached.stage(corpus);
  onLoaded?.(`${corpus.docs.length} posts from ${shownPath(located.path)}`);
  return corpus;
}

/** The run's model options: what `ModelStart` loads. */
function modelOptions(cfg: ClusterConfig, log: (line: string) => void) {
  return {
    model: cfg.model,
    modelsDir: cfg.modelsDir,
    cacheDir: cfg.cacheDir,
    offline: cfg.offline,
    remoteHost: cfg.hfEndpoint,
    dtype: cfg.dtype,
    device: cfg.device,
    maxLength: cfg.maxLength,
    batchSize: cfg.batchSize,
    threads: cfg.threads,
    log,
    timeoutMs: cfg.download.timeoutMs,
  };
}

async function createEmbedder(
  cfg: ClusterConfig,
  log: (line: string) => void,
  progress: Progress,
  /** The model's start; none for TF-IDF. */
  start: ModelStart | undefined,
): Promise<Embedder> {
  // TF-IDF vectors depend on the whole corpus, so per-text caching does not apply.
  if (start === undefined) {
    progress.line("model: none (TF-IDF + LSA)");
    return new TfidfLsaEmbedder({ seed: cfg.seed });
  }
  // Claimed only when a text needs the model: a fully cached run loads nothing, and the CLI
  // process imports transformers.js only where the model runs in it (see embed/start.ts).
  const model = async () => {
    const embedder = await start.claim();
    const { info } = embedder;
    progress.line(
      `model: ${shownPath(info.model)} (${info.dtype}, ${info.device}), loaded in ${start.loadSeconds.toFixed(1)} s`,
    );
    return embedder;
  };
  if (!cfg.cache) return model();
  return new CachedEmbedder({
    info: {
      model: modelLabel(cfg),
      dtype: plannedDtype(cfg.dtype, cfg.device),
      maxLength: cfg.maxLength,
    },
    createInner: model,
    release: () => start.release(),
    fingerprint: (dtype) => modelFingerprint(cfg, dtype),
    onSaved: saveFingerprintMemos,
    cacheDir: cfg.cacheDir,
    log,
  });
}

/** Where the stage lines and bars go: a bar on a terminal, lines elsewhere, nothing when quiet. */
export function progressOf(cfg: ClusterConfig): Progress {
  const mode = cfg.quiet ? "off" : process.stderr.isTTY === true ? "bar" : "lines";
  return createProgress(process.stderr, mode);
}

/** The pipeline's real dependencies, each reporting its stage to `progress`. */
export function pipelineDeps(
  cfg: ClusterConfig,
  signal: AbortSignal,
  progress: Progress,
): PipelineDeps {
  const { input, embeddings } = cfg;
  const log = note(cfg);
  const start =
    cfg.embedder === "minilm" && embeddings === undefined
      ? new ModelStart(modelOptions(cfg, log))
      : undefined;
  let clusterStart = 0;
  let clusterWhat = "";
  const loaded = async (corpus: Promise<Corpus>, from: string | undefined) => {
    const c = await corpus;
    if (from !== undefined) progress.line(`corpus: ${from}`);
    const empty = emptyPosts(c);
    if (empty > 0) {
      log(
        `${empty} of ${c.docs.length} posts are empty after cleaning; they embed identically and land in one cluster`,
      );
    }
    return c;
  };
  return {
    loadCorpus: () =>
      input === undefined
        ? loaded(
            readCorpus(cfg, signal, (what) => progress.line(`corpus: ${what}`)),
            undefined,
          )
        : loaded(
            readInputFile(input.path, input.format, input.fields, process.stdin, signal),
            `posts from ${input.path === "-" ? "stdin" : shownPath(input.path)}`,
          ),
    createEmbedder: async () => {
      if (embeddings === undefined) return createEmbedder(cfg, log, progress, start);
      const e = await PrecomputedEmbedder.load(embeddings, signal);
      progress.line(`model: none (vectors from ${shownPath(embeddings)})`);
      return e;
    },
    warmUp: () => {
      // Over a cache that already holds this model's vectors the run most likely needs no model:
      // it is then loaded only if a text turns out to be missing.
      const warm =
        cfg.cache &&
        storesExist(
          cfg.cacheDir,
          modelLabel(cfg),
          plannedDtype(cfg.dtype, cfg.device),
          cfg.maxLength,
        );
      if (!warm) start?.begin();
      return () => start?.release();
    },
    now: () => performance.now(),
    onStage: (stage, detail) => {
      if (stage === "cluster") {
        clusterStart = performance.now();
        clusterWhat = detail.replace(/^k-means, /, "");
      }
      if (stage === "evaluate") {
        progress.stop();
        const s = ((performance.now() - clusterStart) / 1000).toFixed(1);
        const each = cfg.sweep === undefined ? "" : " each";
        const restarts = `${cfg.nInit} ${cfg.nInit === 1 ? "restart" : "restarts"}${each}`;
        progress.line(`k-means: ${clusterWhat}, ${restarts}, ${s} s`);
      }
    },
    onEmbedProgress: (done, total, pieces) => progress.embed(done, total, pieces),
    onClusterProgress: (done, total) => progress.kmeans(done, total),
    onSweepProgress: (done, total, k) => log(`k-means k=${k} done (${done}/${total})`),
    termIds: (texts, stop) => cachedTermIds(cfg.cache ? cfg.cacheDir : undefined, texts, stop),
    signal,
  };
}
