/**
 * Pure helpers that give transformers.js sentence-transformers' input semantics:
 * truncation to `maxLength` word pieces that keeps the final [SEP], and length-sorted batches.
 */

/**
 * Builds a model input the way Hugging Face tokenizers do with `truncation=True, max_length`:
 * the text's word pieces are cut to `maxLength - 2`, then [CLS] and [SEP] are added, so a
 * truncated post still ends with [SEP]. (transformers.js cuts after adding them, dropping [SEP].)
 * @param pieces word-piece ids without special tokens.
 */
export function withSpecialTokens(
  pieces: readonly number[],
  maxLength: number,
  clsId: number,
  sepId: number,
): number[] {
  if (maxLength < 2) throw new RangeError(`maxLength must be >= 2, got ${maxLength}`);
  const body = pieces.length > maxLength - 2 ? pieces.slice(0, maxLength - 2) : pieces;
  return [clsId, ...body, sepId];
}

/**
 * Groups item indices into batches of similar length so that padding is minimal: indices sorted
 * by length (longest first, so the biggest allocation happens first and memory is known early),
 * then cut into batches of at most `batchSize` items and at most `maxTokens` padded tokens.
 * @returns batches of indices into `lengths`; every index appears exactly once.
 */
export function planBatches(
  lengths: readonly number[],
  batchSize: number,
  maxTokens = Number.POSITIVE_INFINITY,
): number[][] {
  const order = lengths
    .map((_, i) => i)
    .sort((a, b) => (lengths[b] as number) - (lengths[a] as number) || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let width = 0;
  for (const i of order) {
    const len = lengths[i] as number;
    const nextWidth = Math.max(width, len);
    if (
      current.length > 0 &&
      (current.length >= batchSize || nextWidth * (current.length + 1) > maxTokens)
    ) {
      batches.push(current);
      current = [];
      width = 0;
    }
    current.push(i);
    width = Math.max(width, len);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** A padded batch as int64 model inputs, row-major [rows, width]. */
export interface PaddedBatch {
  rows: number;
  width: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  /** Real (unpadded) length of each row. */
  lengths: number[];
}

/** Right-pads sequences with `padId` to the longest one. */
export function padBatch(seqs: readonly (readonly number[])[], padId: number): PaddedBatch {
  const rows = seqs.length;
  const width = seqs.reduce((m, s) => Math.max(m, s.length), 0);
  const inputIds = new BigInt64Array(rows * width).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(rows * width);
  const tokenTypeIds = new BigInt64Array(rows * width);
  const lengths: number[] = [];
  seqs.forEach((s, r) => {
    for (let t = 0; t < s.length; t++) {
      inputIds[r * width + t] = BigInt(s[t] as number);
      attentionMask[r * width + t] = 1n;
    }
    lengths.push(s.length);
  });
  return { rows, width, inputIds, attentionMask, tokenTypeIds, lengths };
}

/**
 * sentence-transformers' Pooling(mean) + Normalize: the mean of each row's token vectors over its
 * attention mask (the first `lengths[r]` positions, since padding is on the right), then L2
 * normalisation (a zero vector stays zero, as torch's `normalize` with eps does).
 * @param hidden last_hidden_state, row-major [rows, width, dims].
 * @returns row-major [rows, dims].
 */
export function meanPoolNormalize(
  hidden: Float32Array,
  rows: number,
  width: number,
  dims: number,
  lengths: readonly number[],
): Float32Array {
  const out = new Float32Array(rows * dims);
  const acc = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    const len = lengths[r] as number;
    for (let t = 0; t < len; t++) {
      const base = (r * width + t) * dims;
      for (let d = 0; d < dims; d++) acc[d] = (acc[d] as number) + (hidden[base + d] as number);
    }
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const v = (acc[d] as number) / Math.max(len, 1e-9);
      acc[d] = v;
      norm += v * v;
    }
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dims; d++) out[r * dims + d] = (acc[d] as number) * scale;
  }
  return out;
}
