/**
 * The assignment step of k-means: the nearest centre of every row, exactly as a float64 loop
 * would choose it (lowest index on exact ties), at the speed of an fp32 matrix product.
 *
 * onnxruntime computes ||c||² − 2·x·c for all rows and centres in fp32 and keeps the two smallest
 * per row (see ort.ts). A row whose two smallest are further apart than the worst fp32 rounding
 * error of that row keeps the fp32 winner, which is then provably the float64 winner too; the few
 * rows closer than that are decided again by a float64 scan over all centres. So labels never
 * depend on fp32 rounding, and the oracle tests compare them with plain float64 loops.
 */
import type { Checkpoint } from "../interrupt.js";
import type { Embeddings } from "../types.js";
import { type Products, rowsPerCall, toCentres } from "./ort.js";

/** The rows being clustered with what every step needs about them. */
export interface Space {
  emb: Embeddings;
  /** ||x_i|| in float64. */
  norms: Float64Array;
  products: Products;
  checkpoint: Checkpoint;
}

/** Space over `emb`: row norms computed once. */
export function space(emb: Embeddings, products: Products, checkpoint: Checkpoint): Space {
  const { rows, dims, data } = emb;
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let t = i * dims; t < (i + 1) * dims; t++) s += (data[t] as number) ** 2;
    norms[i] = Math.sqrt(s);
  }
  return { emb, norms, products, checkpoint };
}

/** Squared Euclidean distance between row i of `data` and centre j of `centers` (flat, k x dims). */
export function dist2(
  data: Float32Array,
  i: number,
  centers: Float64Array,
  j: number,
  dims: number,
): number {
  const a = i * dims;
  const b = j * dims;
  // Four independent accumulators break the add dependency chain (V8 does not vectorise).
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < dims; t += 4) {
    const d0 = (data[a + t] as number) - (centers[b + t] as number);
    const d1 = (data[a + t + 1] as number) - (centers[b + t + 1] as number);
    const d2 = (data[a + t + 2] as number) - (centers[b + t + 2] as number);
    const d3 = (data[a + t + 3] as number) - (centers[b + t + 3] as number);
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; t < dims; t++) {
    const d = (data[a + t] as number) - (centers[b + t] as number);
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}

/** Nearest of k centres to row i by a float64 scan (lowest index on exact ties). */
export function exactNearest(emb: Embeddings, i: number, centers: Float64Array, k: number): number {
  let best = Number.POSITIVE_INFINITY;
  let bestJ = 0;
  for (let j = 0; j < k; j++) {
    const d = dist2(emb.data, i, centers, j, emb.dims);
    if (d < best) {
      best = d;
      bestJ = j;
    }
  }
  return bestJ;
}

/** Sum over rows of the float64 squared distance to the centre of its label. */
export function inertiaOf(emb: Embeddings, centers: Float64Array, labels: Int32Array): number {
  let s = 0;
  for (let i = 0; i < emb.rows; i++)
    s += dist2(emb.data, i, centers, labels[i] as number, emb.dims);
  return s;
}

/**
 * Nearest centre of every row (lowest index on ties) and the inertia, by float64 loops only.
 * The plain reference; k-means itself uses `nearestCentres`.
 * @param centroids k rows of `dims` values.
 */
export function assign(
  emb: Embeddings,
  centroids: readonly Float64Array[],
): { labels: Int32Array; inertia: number } {
  const k = centroids.length;
  const flat = new Float64Array(k * emb.dims);
  centroids.forEach((c, j) => {
    flat.set(c, j * emb.dims);
  });
  const labels = new Int32Array(emb.rows);
  for (let i = 0; i < emb.rows; i++) labels[i] = exactNearest(emb, i, flat, k);
  return { labels, inertia: inertiaOf(emb, flat, labels) };
}

/** Called for each row whose label changes, before `labels[i]` is overwritten. */
export type OnMove = (i: number, from: number, to: number) => void;

/**
 * Sets `labels` to the nearest of the k `centers` (flat float64, k x dims) for every row: the
 * same labels as `exactNearest` row by row.
 * @returns how many labels changed and how many rows needed the float64 rescan.
 */
export async function nearestCentres(
  sp: Space,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  onMove?: OnMove,
): Promise<{ changed: number; rescanned: number }> {
  const { emb, norms } = sp;
  const { rows: n, dims } = emb;
  let changed = 0;
  let rescanned = 0;
  const set = (i: number, j: number) => {
    const old = labels[i] as number;
    if (old === j) return;
    onMove?.(i, old, j);
    labels[i] = j;
    changed++;
  };
  if (k === 1) {
    for (let i = 0; i < n; i++) set(i, 0);
    return { changed, rescanned };
  }
  const c = toCentres(centers, k, dims);
  let cmax = 0;
  for (let j = 0; j < k; j++) cmax = Math.max(cmax, c.norms[j] as number);
  cmax = Math.sqrt(cmax) * (1 + 2 ** -20);
  // Worst-case fp32 error of one computed ||c||² − 2·x·c (rounding c and ||c||², a d-term dot
  // product, the Gemm's scale-and-add), doubled for the difference of two, doubled again as slack;
  // float64's own rounding is ~1e-9 of this.
  const u = 2 ** -24;
  const perNorm = 4 * u * (2 * dims + 8) * cmax;
  const constant = 4 * u * 8 * cmax * cmax;
  const step = rowsPerCall(dims, k);
  for (let from = 0; from < n; from += step) {
    const to = Math.min(n, from + step);
    const { values, indices } = await sp.products.nearestTwo(emb, from, to, c);
    for (let i = from; i < to; i++) {
      const r = 2 * (i - from);
      const gap = (values[r + 1] as number) - (values[r] as number);
      // `!(gap > bound)` also sends NaN gaps to the float64 scan.
      if (!(gap > perNorm * (norms[i] as number) + constant)) {
        rescanned++;
        set(i, exactNearest(emb, i, centers, k));
      } else set(i, indices[r] as number);
    }
    await sp.checkpoint();
  }
  return { changed, rescanned };
}
