/**
 * Wires the stages: corpus -> embed -> cluster -> contingency. Everything impure (loading the
 * corpus, the embedder, the clock, progress) is passed in, so tests can drive it with fakes.
 */
import { cluster } from "./cluster/kmeans.js";
import type { Embedder, EmbedProgress } from "./embed/embedder.js";
import { usageError } from "./errors.js";
import { contingency } from "./evaluate/contingency.js";
import type { Corpus, CorpusSelection, Embeddings, RunResult } from "./types.js";

export interface PipelineConfig {
  selection: CorpusSelection;
  /** Number of clusters; undefined means one per selected newsgroup. */
  k: number | undefined;
  seed: number;
  nInit: number;
  maxIterations: number;
}

export interface PipelineDeps {
  loadCorpus: () => Promise<Corpus>;
  createEmbedder: () => Promise<Embedder>;
  /** Monotonic clock in milliseconds. */
  now: () => number;
  onStage?: (stage: "corpus" | "model" | "embed" | "cluster", detail: string) => void;
  onEmbedProgress?: EmbedProgress;
  signal?: AbortSignal;
}

/** What `run` returns: the report plus the intermediate data later stages may export. */
export interface PipelineOutput {
  result: RunResult;
  corpus: Corpus;
  embeddings: Embeddings;
  labels: Int32Array;
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
  deps.onStage?.("model", "loading the model");
  const embedder = await time("model", deps.createEmbedder);
  try {
    deps.onStage?.("embed", `embedding ${corpus.docs.length} posts`);
    const emb = await time("embed", () =>
      embedder.embed(
        corpus.docs.map((d) => d.text),
        deps.onEmbedProgress,
        deps.signal,
      ),
    );
    deps.onStage?.("cluster", `k-means, k=${k}`);
    const clustering = await time("cluster", () =>
      cluster(emb, {
        k,
        seed: config.seed,
        nInit: config.nInit,
        maxIterations: config.maxIterations,
      }),
    );
    const table = contingency(corpus.groups, corpus.docs, clustering.labels, k);
    return {
      corpus,
      embeddings: emb,
      labels: clustering.labels,
      result: {
        config: {
          selection: config.selection,
          model: embedder.info.model,
          dtype: embedder.info.dtype,
          device: embedder.info.device,
          maxLength: embedder.info.maxLength,
          k,
          seed: config.seed,
          nInit: config.nInit,
        },
        posts: corpus.docs.length,
        table,
        inertia: clustering.inertia,
        timings,
      },
    };
  } finally {
    await embedder.dispose();
  }
}
