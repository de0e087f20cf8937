/**
 * Model calls: a padded batch of word-piece ids in, mean-pooled and normalised vectors out, and
 * the loop that feeds a run's posts through them in length-sorted batches. Shared by the model
 * host process (`model-host.ts`) and the in-process embedder, so both compute the same bytes.
 */
import { type PreTrainedModel, Tensor } from "@huggingface/transformers";
import type { FinishedBatch } from "./embedder.js";
import { meanPoolNormalize, type PaddedBatch, padBatch, planBatches } from "./tokens.js";

/** Row `b` of `pooled` (`dims` values a row) is the vector of the batch's row `b`. */
export interface PooledBatch {
  pooled: Float32Array;
  dims: number;
}

/** The model input of a padded batch, without the per-row lengths. */
export type ModelInput = Omit<PaddedBatch, "lengths"> & { lengths: readonly number[] };

/** One finished batch (row indices into the run's posts). */
export type BatchDone = FinishedBatch & { rows: number[] };

/**
 * Runs the model on one batch. onnxruntime-node's `run` is one synchronous native call on the
 * calling thread: nothing else runs on that thread until it returns.
 */
export async function runPooled(model: PreTrainedModel, batch: ModelInput): Promise<PooledBatch> {
  const shape = [batch.rows, batch.width];
  const result = await model({
    input_ids: new Tensor("int64", batch.inputIds, shape),
    attention_mask: new Tensor("int64", batch.attentionMask, shape),
    token_type_ids: new Tensor("int64", batch.tokenTypeIds, shape),
  });
  const hidden = result.last_hidden_state as Tensor;
  const dims = hidden.dims[2] as number;
  const pooled = meanPoolNormalize(
    hidden.data as Float32Array,
    batch.rows,
    batch.width,
    dims,
    batch.lengths,
  );
  hidden.dispose?.();
  return { pooled, dims };
}

/**
 * Feeds tokenized posts to `run` in batches of similar length (longest first) and hands each
 * finished batch to `each`, awaited before the next batch starts.
 * @throws the signal's reason once it is aborted (checked between batches).
 */
export async function runBatches(
  seqs: readonly (readonly number[])[],
  padId: number,
  batchSize: number,
  run: (batch: ModelInput) => Promise<PooledBatch>,
  each: (done: BatchDone) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  for (const rows of planBatches(
    seqs.map((s) => s.length),
    batchSize,
  )) {
    signal?.throwIfAborted();
    const padded = padBatch(
      rows.map((i) => seqs[i] as number[]),
      padId,
    );
    const { pooled, dims } = await run(padded);
    await each({ rows, pooled, dims, pieces: padded.lengths.reduce((sum, n) => sum + n, 0) });
  }
}

/** Word pieces of tokenized posts: what the time left depends on. */
export const pieceCount = (seqs: readonly (readonly number[])[]): number =>
  seqs.reduce((sum, s) => sum + s.length, 0);
