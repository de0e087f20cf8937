/**
 * The embedding stage's interface, and `BatchSink`, which gathers a model's finished batches.
 * Implementations: all-MiniLM-L6-v2 through transformers.js in the model host process
 * (`model-runner.ts`) or in this one (`transformers.ts`), the embedding cache (`cache.ts`),
 * TF-IDF + LSA (`tfidf.ts`), vectors from a file (`precomputed.ts`); tests use fakes.
 */
import type { Embeddings } from "../types.js";

/** Word pieces (tokens after truncation) embedded out of all of them: what the time depends on. */
export interface PieceProgress {
  done: number;
  total: number;
}

/**
 * Progress of an embedding run: posts done out of total, and the word pieces when the embedder
 * counts them (progress bars estimate the time left from these).
 */
export type EmbedProgress = (done: number, total: number, pieces?: PieceProgress) => void;

/**
 * Called as each batch is finished: row `b` of `data` (`dims` values a row) is the vector of
 * `texts[rows[b]]`. The embedding cache checkpoints these; awaited before the next batch.
 */
export type EmbedRows = (
  rows: readonly number[],
  data: Float32Array,
  dims: number,
) => Promise<void> | void;

/** What the embedder actually ran with, for reports. */
export interface EmbedderInfo {
  model: string;
  dtype: string;
  device: string;
  maxLength: number;
  dims: number;
}

export interface Embedder {
  readonly info: EmbedderInfo;
  /**
   * Embeds texts; row i of the result belongs to texts[i]. Rows are L2-normalised.
   * @param signal aborts between batches.
   * @param onRows receives each finished batch's vectors (optional for implementations that
   * compute all rows at once, like TF-IDF).
   */
  embed(
    texts: readonly string[],
    onProgress?: EmbedProgress,
    signal?: AbortSignal,
    onRows?: EmbedRows,
  ): Promise<Embeddings>;
  /** Word pieces per text, [CLS] and [SEP] included, after truncation. */
  tokenLengths?(texts: readonly string[]): number[];
  dispose(): Promise<void>;
}

/** One finished batch: the vectors of the posts `rows` (indices into the texts embedded). */
export interface FinishedBatch {
  rows: readonly number[];
  /** Row `b` (`dims` values a row) is the vector of `rows[b]`. */
  pooled: Float32Array;
  dims: number;
  /** The batch's word pieces, padding not counted. */
  pieces: number;
}

/**
 * Gathers the finished batches of one `embed` call into its `Embeddings`, telling `onRows` and
 * `onProgress` (posts and word pieces) as each arrives.
 */
export class BatchSink {
  private out: Float32Array | undefined;
  private done = 0;
  private readonly pieces = { done: 0, total: 0 };

  constructor(
    private readonly count: number,
    private dims: number,
    private readonly onProgress?: EmbedProgress,
    private readonly onRows?: EmbedRows,
  ) {}

  /** The word pieces to embed are known: progress starts at 0 of them. */
  planned(pieces: number): void {
    this.pieces.total = pieces;
    this.onProgress?.(0, this.count, { ...this.pieces });
  }

  async add(batch: FinishedBatch): Promise<void> {
    const { rows, pooled, dims } = batch;
    this.dims = dims;
    this.out ??= new Float32Array(this.count * dims);
    const out = this.out;
    rows.forEach((row, b) => {
      out.set(pooled.subarray(b * dims, (b + 1) * dims), row * dims);
    });
    await this.onRows?.(rows, pooled, dims);
    this.done += rows.length;
    this.pieces.done += batch.pieces;
    this.onProgress?.(this.done, this.count, { ...this.pieces });
  }

  result(): Embeddings {
    return { rows: this.count, dims: this.dims, data: this.out ?? new Float32Array(0) };
  }
}
