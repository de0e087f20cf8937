/**
 * A model-free `Embedder`: latent semantic analysis as in scikit-learn's "Clustering text
 * documents using k-means" example, `TfidfVectorizer(stop_words="english", max_df=0.5,
 * min_df=5)` then `TruncatedSVD(100)` then `Normalizer()`. The vectorizer is `text/tfidf.ts`,
 * the randomized SVD `linalg/svd.ts`; this module wires them and normalises the rows.
 */
import { dataError } from "../errors.js";
import { interrupter } from "../interrupt.js";
import { randomizedSvd } from "../linalg/svd.js";
import { ENGLISH_STOP_WORDS } from "../text/stopwords.js";
import { tfidfFromCounts } from "../text/tfidf.js";
import { TermCounter } from "../text/vocabulary.js";
import type { Embeddings } from "../types.js";
import type { Embedder, EmbedderInfo, EmbedProgress } from "./embedder.js";

/** Options of `TfidfLsaEmbedder`; defaults are those of scikit-learn's clustering example. */
export interface TfidfLsaOptions {
  /** SVD components = embedding dimensions (default 100), fewer on tiny corpora. */
  components?: number;
  /** See `TfidfOptions.minDf` (default 5). */
  minDf?: number;
  /** See `TfidfOptions.maxDf` (default 0.5). */
  maxDf?: number;
  /** Default false. */
  sublinearTf?: boolean;
  /** Seed of the randomized SVD (default 42). */
  seed?: number;
}

/** Posts analysed between two progress reports. */
const CHUNK = 500;

/**
 * TF-IDF (English stop words dropped) -> randomized truncated SVD -> L2 row normalisation.
 * Fits on the texts it embeds, so a post's vector depends on the whole set. Deterministic:
 * the same texts and options give the same bytes.
 */
export class TfidfLsaEmbedder implements Embedder {
  private current: EmbedderInfo;
  private readonly components: number;
  private readonly minDf: number;
  private readonly maxDf: number;
  private readonly sublinearTf: boolean;
  private readonly seed: number;

  /** @throws RangeError for options out of range. */
  constructor(opts: TfidfLsaOptions = {}) {
    this.components = opts.components ?? 100;
    this.minDf = opts.minDf ?? 5;
    this.maxDf = opts.maxDf ?? 0.5;
    this.sublinearTf = opts.sublinearTf ?? false;
    this.seed = opts.seed ?? 42;
    if (!Number.isInteger(this.components) || this.components < 1) {
      throw new RangeError(`components must be a positive integer, got ${this.components}`);
    }
    if (!(this.minDf > 0) || !(this.maxDf > 0)) {
      throw new RangeError(`minDf and maxDf must be positive, got ${this.minDf}, ${this.maxDf}`);
    }
    if (!Number.isInteger(this.seed))
      throw new RangeError(`seed must be an integer, got ${this.seed}`);
    this.current = {
      model: "tfidf-lsa",
      dtype: "n/a",
      device: "cpu",
      maxLength: 0,
      dims: this.components,
    };
  }

  /** `dims` is `components` until an embedding of a tiny corpus lowers it. */
  get info(): EmbedderInfo {
    return this.current;
  }

  /**
   * Embeds texts: rows of `min(components, posts - 1, terms - 1)` float32 values with unit L2
   * norm, except all-zero rows for posts that contain no kept term. Progress counts posts
   * tokenised and reaches the total only when the SVD is done.
   * @throws CliError(data) when fewer than 2 posts or 2 terms remain after pruning.
   */
  async embed(
    texts: readonly string[],
    onProgress?: EmbedProgress,
    signal?: AbortSignal,
  ): Promise<Embeddings> {
    const total = texts.length;
    onProgress?.(0, total);
    if (total === 0) return { rows: 0, dims: this.current.dims, data: new Float32Array(0) };
    const checkpoint = interrupter(signal);
    const counter = new TermCounter(ENGLISH_STOP_WORDS);
    for (let i = 0; i < total; i++) {
      counter.add(texts[i] as string);
      if ((i + 1) % CHUNK === 0 && i + 1 < total) onProgress?.(i + 1, total);
      await checkpoint();
    }
    const { matrix } = tfidfFromCounts(counter, {
      minDf: this.minDf,
      maxDf: this.maxDf,
      sublinearTf: this.sublinearTf,
    });
    const dims = Math.min(this.components, matrix.rows - 1, matrix.cols - 1);
    if (dims < 1) {
      throw dataError(
        `tf-idf: ${matrix.rows} posts and ${matrix.cols} terms after pruning; LSA needs at least 2 of each`,
      );
    }
    const { u, s } = await randomizedSvd(matrix, dims, {
      seed: this.seed,
      nIter: 5,
      nOversamples: 10,
      signal,
    });
    const data = new Float32Array(total * dims);
    const row = new Float64Array(dims);
    for (let i = 0; i < total; i++) {
      let sq = 0;
      for (let c = 0; c < dims; c++) {
        const v = (u[i * dims + c] as number) * (s[c] as number);
        row[c] = v;
        sq += v * v;
      }
      // Normalizer() leaves all-zero rows as they are (here +0, never a flipped -0).
      if (sq === 0) continue;
      const scale = 1 / Math.sqrt(sq);
      for (let c = 0; c < dims; c++) data[i * dims + c] = (row[c] as number) * scale;
    }
    this.current = { ...this.current, dims };
    onProgress?.(total, total);
    return { rows: total, dims, data };
  }

  async dispose(): Promise<void> {}
}
