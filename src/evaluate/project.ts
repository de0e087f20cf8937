/**
 * Projection of the embeddings onto their top two principal components, for the report's map.
 * Pure and deterministic: the same vectors give the same bytes.
 *
 * The covariance matrix C = Xcᵀ·Xc / (rows - 1) (Xc: the rows centred) is never formed: forming
 * it costs rows·dims²/2 multiply-adds (1.4e9 for 18,846 x 384, over a second in V8). Instead the
 * Lanczos driver of `linalg/` finds C's top eigenpairs from products C·v = Xcᵀ(Xc·v), each one
 * pass over the data (rows·dims·2 multiply-adds).
 */
import { interrupter } from "../interrupt.js";
import { topEigenvectors } from "../linalg/lanczos.js";
import type { Embeddings } from "../types.js";

/**
 * The 2-D coordinates of each row on the first two principal components (largest variance
 * first), as `(x - mean) . v`; the same as scikit-learn's `PCA(2).fit_transform` up to each
 * component's sign. The sign is fixed so that the component's loading with the largest absolute
 * value (the first such, on ties) is positive. A component that does not exist (fewer than
 * 2 dims, fewer than 3 rows, or no variance along it) gives zeros.
 * @returns `rows * 2` float32 values, row-major: `[pc1_0, pc2_0, pc1_1, pc2_1, ...]`.
 * @param signal aborts between Lanczos steps (Ctrl-C): the promise rejects with its AbortError.
 * @throws RangeError when `data` does not hold `rows * dims` values.
 */
export async function pca2(emb: Embeddings, signal?: AbortSignal): Promise<Float32Array> {
  const { rows, dims, data } = emb;
  if (data.length !== rows * dims) {
    throw new RangeError(`embeddings hold ${data.length} values, expected ${rows} x ${dims}`);
  }
  const out = new Float32Array(rows * 2);
  if (rows === 0 || dims === 0) return out;

  const mean = new Float64Array(dims);
  for (let i = 0; i < rows; i++) {
    const o = i * dims;
    for (let t = 0; t < dims; t++) mean[t] = (mean[t] as number) + (data[o + t] as number);
  }
  for (let t = 0; t < dims; t++) mean[t] = (mean[t] as number) / rows;

  const components = await topEigenvectors(
    dims,
    2,
    (v, y) => covarianceTimes(data, rows, dims, mean, v, y),
    interrupter(signal),
  );
  components.forEach((v, c) => {
    let best = 0;
    for (let t = 1; t < dims; t++) {
      if (Math.abs(v[t] as number) > Math.abs(v[best] as number)) best = t;
    }
    if ((v[best] as number) < 0) for (let t = 0; t < dims; t++) v[t] = -(v[t] as number);
    let shift = 0;
    for (let t = 0; t < dims; t++) shift += (mean[t] as number) * (v[t] as number);
    for (let i = 0; i < rows; i++) {
      const o = i * dims;
      out[i * 2 + c] = rowDot(data, o, v, dims) - shift;
    }
  });
  return out;
}

/**
 * y = C·v for the covariance C of the rows about `mean`, in one pass over the data:
 * s_i = (x_i - mean)·v, then y = Σ s_i (x_i - mean) / (rows - 1) = (Σ s_i x_i - mean Σ s_i) / ….
 * Rows go four at a time, so that each y[t] is loaded and stored once per four rows.
 */
function covarianceTimes(
  data: Float32Array,
  rows: number,
  dims: number,
  mean: Float64Array,
  v: Float64Array,
  y: Float64Array,
): void {
  let shift = 0;
  for (let t = 0; t < dims; t++) shift += (mean[t] as number) * (v[t] as number);
  y.fill(0);
  let total = 0;
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * dims;
    const o1 = o0 + dims;
    const o2 = o1 + dims;
    const o3 = o2 + dims;
    const s0 = rowDot(data, o0, v, dims) - shift;
    const s1 = rowDot(data, o1, v, dims) - shift;
    const s2 = rowDot(data, o2, v, dims) - shift;
    const s3 = rowDot(data, o3, v, dims) - shift;
    total += s0 + s1 + s2 + s3;
    for (let t = 0; t < dims; t++) {
      y[t] =
        (y[t] as number) +
        s0 * (data[o0 + t] as number) +
        s1 * (data[o1 + t] as number) +
        s2 * (data[o2 + t] as number) +
        s3 * (data[o3 + t] as number);
    }
  }
  for (; i < rows; i++) {
    const o = i * dims;
    const s = rowDot(data, o, v, dims) - shift;
    total += s;
    for (let t = 0; t < dims; t++) y[t] = (y[t] as number) + s * (data[o + t] as number);
  }
  const denom = Math.max(1, rows - 1);
  for (let t = 0; t < dims; t++) y[t] = ((y[t] as number) - (mean[t] as number) * total) / denom;
}

/**
 * `data[o .. o + dims) · v`. Four partial sums: a single running sum waits on the latency of
 * each addition, which made this loop the bottleneck.
 */
function rowDot(data: Float32Array, o: number, v: Float64Array, dims: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < dims; t += 4) {
    s0 += (data[o + t] as number) * (v[t] as number);
    s1 += (data[o + t + 1] as number) * (v[t + 1] as number);
    s2 += (data[o + t + 2] as number) * (v[t + 2] as number);
    s3 += (data[o + t + 3] as number) * (v[t + 3] as number);
  }
  for (; t < dims; t++) s0 += (data[o + t] as number) * (v[t] as number);
  return s0 + s1 + (s2 + s3);
}
