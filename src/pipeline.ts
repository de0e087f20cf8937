/**
 * Wires the stages: corpus -> embed -> cluster -> evaluate. Everything impure (loading the
 * corpus, the embedder, the clock, progress) is passed in, so tests can drive it with fakes.
 */
import { cluster, prepareKmeans } from "./cluster/kmeans.js";
import { emptyPosts } from "./dataset/corpus.js";
import type { Embedder, EmbedderInfo, EmbedProgress } from "./embed/embedder.js";
import { usageError } from "./errors.js";
import { contingency, margins } from "./evaluate/contingency.js";
import { scoreAll } from "./evaluate/metrics.js";
import { matchedOrder, relabel } from "./evaluate/order.js";
import { distinctLabels, silhouetteAtScale } from "./evaluate/silhouette.js";
import { clusterSizes } from "./evaluate/sizes.js";
import { topTermsOf } from "./evaluate/terms.js";
import { interrupter } from "./interrupt.js";
import { type SweepOutcome, silhouetteRandom, sweepK } from "./sweep.js";
import { type TermIds, termIdsInterruptibly } from "./text/term-ids.js";
import type {
  Clustering,
  ClusterLabel,
  ColumnOrder,
  Corpus,
  CorpusSelection,
  EmbedderKind,
  Embeddings,
  Metrics,
  RunResult,
  SweepResult,
  UnlabelledMetrics,
  UnlabelledRunResult,
} from "./types.js";

export interface PipelineConfig {
  selection: CorpusSelection;
  embedder: EmbedderKind;
  /** Number of clusters; undefined means one per selected newsgroup. */
  k: number | undefined;
  seed: number;
  nInit: number;
  maxIterations: number;
  order: ColumnOrder;
  /** Top terms per cluster; 0 = none. */
  topTerms: number;
  silhouette: boolean;
  /** k sweep: cluster once per k (ascending) instead of once with `k`. */
  sweep?: readonly number[];
  /** `--input` file ("-" = stdin), reported in the result's config. */
  input?: string;
  /** The option that needs labelled posts (e.g. "--min-ari"), if any: unlabelled input fails early. */
  labelsNeededBy?: string;
}

export interface PipelineDeps {
  loadCorpus: () => Promise<Corpus>;
  createEmbedder: () => Promise<Embedder>;
  /**
   * Called before the corpus is read: starts what the embedder will need (the model host loads
   * the model meanwhile). Returns what stops it, called when the run ends; a no-op once the
   * embedder took it over. Optional: `createEmbedder` works without it.
   */
  warmUp?: () => () => void;
  /** Monotonic clock in milliseconds. */
  now: () => number;
  onStage?: (stage: "corpus" | "model" | "embed" | "cluster" | "evaluate", detail: string) => void;
  onEmbedProgress?: EmbedProgress;
  /** k-means restarts done out of `nInit` (one k; a sweep reports per k instead). */
  onClusterProgress?: (done: number, total: number) => void;
  /** After each k of a sweep: (k values done, all of them, the k just done). */
  onSweepProgress?: (done: number, total: number, k: number) => void;
  /**
   * The posts' term ids for the cluster labels (default: tokenised now; cli: the cache's);
   * rejects with the signal's reason once it is aborted.
   */
  termIds?: (texts: readonly string[], signal: AbortSignal | undefined) => Promise<TermIds>;
  signal?: AbortSignal;
}

/** What `run` returns: the report plus the per-post data that exports need. */
export interface PipelineOutput {
  kind: "labelled";
  result: RunResult;
  corpus: Corpus;
  embeddings: Embeddings;
  /** Cluster id of each post as shown in the table (after reordering). */
  labels: Int32Array;
  /** Euclidean distance of each post to its cluster's centre. */
  distances: Float64Array;
  /** Centre of each cluster id, `dims` values each. */
  centroids: Float64Array[];
}

/** The same as `PipelineOutput` for posts without labels: a size table instead of a contingency. */
export interface UnlabelledOutput extends Omit<PipelineOutput, "kind" | "result"> {
  kind: "unlabelled";
  result: UnlabelledRunResult;
}

/** A k sweep: its rows, and the full output of the suggested k. */
export interface SweepOutput {
  kind: "sweep";
  sweep: SweepResult;
  best: PipelineOutput | UnlabelledOutput;
}

export type AnyOutput = PipelineOutput | UnlabelledOutput | SweepOutput;

/**
 * Runs the whole pipeline once on labelled posts with one k (see `runAny` for the rest).
 * @throws CliError(usage) when k exceeds the number of posts; stage errors pass through.
 */
export async function run(config: PipelineConfig, deps: PipelineDeps): Promise<PipelineOutput> {
  const out = await runAny(config, deps);
  if (out.kind !== "labelled") throw new Error(`run() got a ${out.kind} result; use runAny()`);
  return out;
}

/** The k values of a run, checked against the corpus. @throws CliError(usage). */
function chooseKs(config: PipelineConfig, corpus: Corpus): number[] {
  const n = corpus.docs.length;
  if (config.labelsNeededBy !== undefined && corpus.groups.length === 0) {
    throw usageError(`${config.labelsNeededBy} needs labelled posts, but the input has no labels`);
  }
  if (config.sweep !== undefined) {
    const bad = config.sweep.find((k) => k < 2 || k > n - 1);
    if (bad !== undefined) {
      throw usageError(
        `--k ${bad} cannot be swept over ${n} posts: every k of a sweep must be from 2 to ${n - 1}`,
      );
    }
    return [...config.sweep];
  }
  if (config.k === undefined && corpus.groups.length === 0) {
    throw usageError("the posts have no labels, so there is no default k: give --k");
  }
  const k = config.k ?? corpus.groups.length;
  if (k > n) throw usageError(`--k ${k} is larger than the number of posts (${n}); use 1..${n}`);
  return [k];
}

/**
 * Runs the pipeline on any posts: labelled or not, one k or a sweep.
 * @throws CliError(usage) for a k the posts do not allow; stage errors pass through.
 */
export async function runAny(config: PipelineConfig, deps: PipelineDeps): Promise<AnyOutput> {
  const stopWarmUp = deps.warmUp?.();
  try {
    return await runStages(config, deps);
  } finally {
    stopWarmUp?.();
  }
}

async function runStages(config: PipelineConfig, deps: PipelineDeps): Promise<AnyOutput> {
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = deps.now();
    try {
      return await f();
    } finally {
      timings[name] = (deps.now() - t0) / 1000;
    }
  };

  deps.onStage?.("corpus", "reading the corpus");
  const corpus = await time("corpus", deps.loadCorpus);
  const ks = chooseKs(config, corpus);
  const labelled = corpus.groups.length > 0;
  deps.signal?.throwIfAborted();
  deps.onStage?.("model", "loading the model");
  const embedder = await time("model", deps.createEmbedder);
  try {
    const texts = corpus.docs.map((d) => d.text);
    // The model embeds in its host process meanwhile, so k-means' sessions cost no wall time.
    prepareKmeans();
    deps.onStage?.("embed", `embedding ${corpus.docs.length} posts`);
    const emb = await time("embed", () => embedder.embed(texts, deps.onEmbedProgress, deps.signal));
    deps.signal?.throwIfAborted();
    const { clustering, sweep } = await clusterStep(
      config,
      deps,
      emb,
      ks,
      labelled ? corpus : undefined,
      time,
    );

    deps.onStage?.("evaluate", "scoring and labelling the clusters");
    const t0 = deps.now();
    const runConfig = runConfigOf(config, corpus, embedder.info, clustering.k);
    const evaluation = {
      config,
      corpus,
      emb,
      clustering,
      runConfig,
      timings,
      signal: deps.signal,
      termIds:
        deps.termIds ??
        ((texts: readonly string[], signal: AbortSignal | undefined) =>
          termIdsInterruptibly(texts, interrupter(signal))),
    };
    const single = labelled
      ? await evaluateLabelled(evaluation)
      : await evaluateUnlabelled(evaluation);
    timings.evaluate = (deps.now() - t0) / 1000;
    if (sweep === undefined) return single;
    const { k: _k, order: _order, ...common } = runConfig;
    return {
      kind: "sweep",
      best: single,
      sweep: {
        config: { ...common, ks },
        posts: corpus.docs.length,
        labelled,
        silhouetteSample: sweep.sample,
        rows: sweep.rows,
        suggested: clustering.k,
        timings,
      },
    };
  } finally {
    await embedder.dispose();
  }
}

/** k-means once, or once per k of a sweep (then `clustering` is the suggested k's). */
async function clusterStep(
  config: PipelineConfig,
  deps: PipelineDeps,
  emb: Embeddings,
  ks: number[],
  truth: Corpus | undefined,
  time: <T>(name: string, f: () => Promise<T> | T) => Promise<T>,
): Promise<{ clustering: Clustering; sweep?: SweepOutcome }> {
  const opts = { seed: config.seed, nInit: config.nInit, maxIterations: config.maxIterations };
  if (config.sweep === undefined) {
    const k = ks[0] as number;
    deps.onStage?.("cluster", `k-means, k=${k}`);
    return {
      clustering: await time("cluster", () =>
        cluster(emb, { k, ...opts }, deps.signal, deps.onClusterProgress),
      ),
    };
  }
  deps.onStage?.("cluster", `k-means, k=${ks.join(",")}`);
  const sweep = await time("cluster", () =>
    sweepK(emb, truth, { ks, ...opts }, deps.onSweepProgress, deps.signal),
  );
  return { clustering: sweep.best, sweep };
}

/** The run's configuration as reported. */
function runConfigOf(
  config: PipelineConfig,
  corpus: Corpus,
  info: EmbedderInfo,
  k: number,
): RunResult["config"] {
  return {
    // With --input, the "selection" is the labels found; nothing was removed from the texts.
    selection:
      config.input === undefined
        ? config.selection
        : { categories: corpus.groups, subset: "all", remove: [] },
    embedder: config.embedder,
    model: info.model,
    dtype: info.dtype,
    device: info.device,
    maxLength: info.maxLength,
    k,
    seed: config.seed,
    nInit: config.nInit,
    order: config.order,
    input: config.input,
  };
}

/** What both evaluations take: the run so far. */
interface Evaluation {
  config: PipelineConfig;
  corpus: Corpus;
  emb: Embeddings;
  clustering: Clustering;
  runConfig: RunResult["config"];
  timings: Record<string, number>;
  signal: AbortSignal | undefined;
  termIds: (texts: readonly string[], signal: AbortSignal | undefined) => Promise<TermIds>;
}

/** Each cluster's size and top c-TF-IDF terms (none with `--top-terms 0`), in table order. */
async function labelClusters(
  e: Evaluation,
  texts: readonly string[],
  labels: Int32Array,
  clusters: readonly number[],
  sizes: readonly number[],
): Promise<ClusterLabel[]> {
  const k = clusters.length;
  const n = e.config.topTerms;
  const terms = n > 0 ? topTermsOf(await e.termIds(texts, e.signal), labels, k, n) : [];
  return clusters.map((c, j) => ({ cluster: c, size: sizes[j] as number, terms: terms[j] ?? [] }));
}

/** Reorders the clusters (`perm[old] = new`) and reports them against the labels. */
async function evaluateLabelled(e: Evaluation): Promise<PipelineOutput> {
  const { config, corpus, emb, clustering, runConfig, timings, signal } = e;
  const checkpoint = interrupter(signal, 0);
  const { k } = clustering;
  const texts = corpus.docs.map((d) => d.text);
  const raw = contingency(corpus.groups, corpus.docs, clustering.labels, k);
  const perm = config.order === "matched" ? matchedOrder(raw.counts) : raw.clusters;
  const labels = relabel(clustering.labels, perm);
  const centroids = permuteCentroids(clustering.centroids, perm);
  const table = contingency(corpus.groups, corpus.docs, labels, k);
  await checkpoint();
  const metrics: Metrics = {
    ...scoreAll(table.counts),
    inertia: clustering.inertia,
    ...(await silhouetteStep(config, emb, labels, signal)),
  };
  await checkpoint();
  const clusterLabels = await labelClusters(e, texts, labels, table.clusters, margins(table).cols);
  await checkpoint();
  const distances = distancesToCentres(emb, labels, centroids);
  return {
    kind: "labelled",
    corpus,
    embeddings: emb,
    labels,
    distances,
    centroids,
    result: {
      config: runConfig,
      posts: corpus.docs.length,
      empty: emptyPosts(corpus),
      table,
      metrics,
      labels: clusterLabels,
      timings,
    },
  };
}

/**
 * Without labels: clusters numbered by size, largest first (`--order matched`), or as k-means
 * numbered them (`raw`); the table is their sizes.
 */
async function evaluateUnlabelled(e: Evaluation): Promise<UnlabelledOutput> {
  const { config, corpus, emb, clustering, runConfig, timings, signal } = e;
  const checkpoint = interrupter(signal, 0);
  const { k } = clustering;
  const rawSizes = clusterSizes(clustering.labels, k).sizes;
  const perm = rawSizes.map((_, j) => j);
  if (config.order === "matched") {
    const bySize = [...perm].sort(
      (a, b) => (rawSizes[b] as number) - (rawSizes[a] as number) || a - b,
    );
    bySize.forEach((old, rank) => {
      perm[old] = rank;
    });
  }
  const labels = relabel(clustering.labels, perm);
  const centroids = permuteCentroids(clustering.centroids, perm);
  const table = clusterSizes(labels, k);
  const metrics: UnlabelledMetrics = {
    inertia: clustering.inertia,
    ...(await silhouetteStep(config, emb, labels, signal)),
  };
  await checkpoint();
  const texts = corpus.docs.map((d) => d.text);
  const clusterLabels = await labelClusters(e, texts, labels, table.clusters, table.sizes);
  await checkpoint();
  return {
    kind: "unlabelled",
    corpus,
    embeddings: emb,
    labels,
    distances: distancesToCentres(emb, labels, centroids),
    centroids,
    result: {
      config: runConfig,
      posts: corpus.docs.length,
      empty: emptyPosts(corpus),
      table,
      metrics,
      labels: clusterLabels,
      timings,
    },
  };
}

/**
 * The silhouette when asked for: exact, or estimated on a seeded sample of a large corpus; omitted
 * with the reason when fewer than 2 clusters (or as many as posts) are non-empty.
 */
async function silhouetteStep(
  config: PipelineConfig,
  emb: Embeddings,
  labels: Int32Array,
  signal: AbortSignal | undefined,
): Promise<Pick<Metrics, "silhouette" | "silhouetteSample" | "silhouetteOmitted">> {
  if (!config.silhouette) return {};
  const used = distinctLabels(labels);
  if (used < 2 || used >= emb.rows) {
    return { silhouetteOmitted: `needs 2 to ${emb.rows - 1} non-empty clusters, got ${used}` };
  }
  const s = await silhouetteAtScale(
    emb.data,
    emb.rows,
    emb.dims,
    labels,
    silhouetteRandom(config.seed),
    signal,
  );
  return s.sample === undefined
    ? { silhouette: s.value }
    : { silhouette: s.value, silhouetteSample: s.sample };
}

function permuteCentroids(centroids: Float64Array[], perm: readonly number[]): Float64Array[] {
  const out = new Array<Float64Array>(centroids.length);
  centroids.forEach((c, old) => {
    out[perm[old] as number] = c;
  });
  return out;
}

function distancesToCentres(
  emb: Embeddings,
  labels: Int32Array,
  centroids: Float64Array[],
): Float64Array {
  const out = new Float64Array(emb.rows);
  for (let i = 0; i < emb.rows; i++) {
    const c = centroids[labels[i] as number] as Float64Array;
    let s = 0;
    for (let t = 0; t < emb.dims; t++) {
      const d = (emb.data[i * emb.dims + t] as number) - (c[t] as number);
      s += d * d;
    }
    out[i] = Math.sqrt(s);
  }
  return out;
}
