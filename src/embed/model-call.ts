/**
 * One model call: a padded batch of word-piece ids in, mean-pooled and normalised vectors out.
 * Shared by the in-process runner and the model host process (`model-host.ts`), so both compute
 * the same bytes.
 */
import { type PreTrainedModel, Tensor } from "@huggingface/transformers";
import { meanPoolNormalize, type PaddedBatch } from "./tokens.js";

/** Row `b` of `pooled` (`dims` values a row) is the vector of the batch's row `b`. */
export interface PooledBatch {
  pooled: Float32Array;
  dims: number;
}

/** The model input of a padded batch, without the per-row lengths. */
export type ModelInput = Omit<PaddedBatch, "lengths"> & { lengths: readonly number[] };

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
