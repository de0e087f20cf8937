/**
 * Wires the stages: corpus -> embed -> cluster -> evaluate. Everything impure (loading the
 * corpus, the embedder, the clock, progress) is passed in, so tests can drive it with fakes.
 */
import { cluster } from "./cluster/kmeans.js";
import type { Embedder, EmbedProgress } from "./embed/embedder.js";
import { usageError } from "./errors.js";
import { contingency } from "./evaluate/contingency.js";
import { distinctLabels, scoreAll, silhouetteCosineInterruptibly } from "./evaluate/metrics.js";
import { matchedOrder, relabel } from "./evaluate/order.js";
import { topTerms } from "./evaluate/terms.js";
import { interrupter } from "./interrupt.js";
import type {
  ColumnOrder,
  Corpus,
  CorpusSelection,
  EmbedderKind,
  Embeddings,
  Metrics,
  RunResult,
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
}

export interface PipelineDeps {
  loadCorpus: () => Promise<Corpus>;
  createEmbedder: () => Promise<Embedder>;
  /** Monotonic clock in milliseconds. */
  now: () => number;
  onStage?: (stage: "corpus" | "model" | "embed" | "cluster" | "evaluate", detail: string) => void;
  onEmbedProgress?: EmbedProgress;
  signal?: AbortSignal;
}

/** What `run` returns: the report plus the per-post data that exports need. */
export interface PipelineOutput {
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

/**
 * Runs the whole pipeline once.
 * @throws CliError(usage) when k exceeds the number of posts; stage errors pass through.
 */
export async function run(config: PipelineConfig, deps: PipelineDeps): Promise<PipelineOutput> {
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
  const k = config.k ?? corpus.groups.length;
  if (k > corpus.docs.length) {
    throw usageError(
      `--k ${k} is larger than the number of posts (${corpus.docs.length}); use 1..${corpus.docs.length}`,
    );
  }
  deps.signal?.throwIfAborted();
  deps.onStage?.("model", "loading the model");
  const embedder = await time("model", deps.createEmbedder);
  try {
    const texts = corpus.docs.map((d) => d.text);
    deps.onStage?.("embed", `embedding ${corpus.docs.length} posts`);
    const emb = await time("embed", () => embedder.embed(texts, deps.onEmbedProgress, deps.signal));
    deps.signal?.throwIfAborted();
    deps.onStage?.("cluster", `k-means, k=${k}`);
    const clustering = await time("cluster", () =>
      cluster(
        emb,
        {
          k,
          seed: config.seed,
          nInit: config.nInit,
          maxIterations: config.maxIterations,
        },
        deps.signal,
      ),
    );

    deps.onStage?.("evaluate", "scoring and labelling the clusters");
    const checkpoint = interrupter(deps.signal, 0);
    const t0 = deps.now();
    const raw = contingency(corpus.groups, corpus.docs, clustering.labels, k);
    const perm = config.order === "matched" ? matchedOrder(raw.counts) : raw.clusters;
    const labels = relabel(clustering.labels, perm);
    const centroids = new Array<Float64Array>(k);
    clustering.centroids.forEach((c, old) => {
      centroids[perm[old] as number] = c;
    });
    const table = contingency(corpus.groups, corpus.docs, labels, k);
    const metrics: Metrics = { ...scoreAll(table.counts), inertia: clustering.inertia };
    await checkpoint();
    if (config.silhouette) {
      const used = distinctLabels(labels);
      if (used >= 2 && used < emb.rows) {
        metrics.silhouette = await silhouetteCosineInterruptibly(
          emb.data,
          emb.rows,
          emb.dims,
          labels,
          deps.signal,
        );
      } else {
        metrics.silhouetteOmitted = `needs 2 to ${emb.rows - 1} non-empty clusters, got ${used}`;
      }
    }
    await checkpoint();
    const terms = config.topTerms > 0 ? topTerms(texts, labels, k, config.topTerms) : [];
    const sizes = table.clusters.map((_, j) =>
      table.counts.reduce((s, r) => s + (r[j] as number), 0),
    );
    await checkpoint();
    const distances = distancesToCentres(emb, labels, centroids);
    timings.evaluate = (deps.now() - t0) / 1000;

    return {
      corpus,
      embeddings: emb,
      labels,
      distances,
      centroids,
      result: {
        config: {
          selection: config.selection,
          embedder: config.embedder,
          model: embedder.info.model,
          dtype: embedder.info.dtype,
          device: embedder.info.device,
          maxLength: embedder.info.maxLength,
          k,
          seed: config.seed,
          nInit: config.nInit,
          order: config.order,
        },
        posts: corpus.docs.length,
        table,
        metrics,
        labels: table.clusters.map((c, j) => ({
          cluster: c,
          size: sizes[j] as number,
          terms: terms[j] ?? [],
        })),
        timings,
      },
    };
  } finally {
    await embedder.dispose();
  }
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
