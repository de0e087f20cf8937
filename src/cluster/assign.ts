/**
 * The assignment step of k-means: the nearest centre of every row, exactly as a float64 loop
 * would choose it (lowest index on exact ties), at the speed of an fp32 matrix product.
 *
 * onnxruntime computes ||c||² − 2·x·c for all rows and centres in fp32 (see ort.ts); WebAssembly
 * finds the two smallest per row (kernels.ts). A row whose two smallest are further apart than the
 * worst fp32 rounding error of that row keeps the fp32 winner, which is then provably the float64
 * winner too; the few rows closer than that are decided again by a float64 scan over all centres.
 * So labels never depend on fp32 rounding, and the oracle tests compare them with plain float64
 * loops. The same values, widened by their error, give Hamerly's bounds for `lloyd`.
 */
import type { Checkpoint } from "../interrupt.js";
import type { Embeddings } from "../types.js";
import { Workspace } from "./kernels.js";
import { type Products, rowsPerCall, toCentres } from "./ort.js";

/** The rows being clustered with what every step needs about them. */
export interface Space {
  emb: Embeddings;
  products: Products;
  /**
   * The kernels' memory: row norms (||x_i|| in float64, computed once), labels, bounds and scores
   * of this clustering. Take views from `ws.v` after any `reserve` or `seeding`: growing the
   * memory detaches the views taken before.
   */
  ws: Workspace;
  checkpoint: Checkpoint;
}

/** Space over `emb`: row norms computed once. */
export function space(
  emb: Embeddings,
  products: Products,
  kernels: WebAssembly.Module,
  checkpoint: Checkpoint,
): Space {
  const { rows, dims, data } = emb;
  const ws = new Workspace(kernels, emb);
  const { norms } = ws.v;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let t = i * dims; t < (i + 1) * dims; t++) s += (data[t] as number) ** 2;
    norms[i] = Math.sqrt(s);
  }
  return { emb, products, ws, checkpoint };
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

/** Options of `nearestCentres`. */
export interface NearestOptions {
  /**
   * Keep the space's cluster sums and sizes (`ws.v.sums`, `ws.v.sizes`) up to date: every row
   * that changes cluster leaves one and joins the other. `lloyd` sets them up first.
   */
  track?: boolean;
  /**
   * Only these rows (ascending); the others keep their labels. Default: all. Fastest as a view of
   * the space's `ws.v.cand`, as `lloyd` passes it.
   */
  only?: Int32Array;
}

/** The nearest two of k centres to row i by a float64 scan: index (lowest on ties), d², d². */
function exactNearestTwo(emb: Embeddings, i: number, centers: Float64Array, k: number) {
  let best = Number.POSITIVE_INFINITY;
  let second = Number.POSITIVE_INFINITY;
  let bestJ = 0;
  for (let j = 0; j < k; j++) {
    const d = dist2(emb.data, i, centers, j, emb.dims);
    if (d < best) {
      second = best;
      best = d;
      bestJ = j;
    } else if (d < second) second = d;
  }
  return { bestJ, best, second };
}

/**
 * Sets `labels` to the nearest of the k `centers` (flat float64, k x dims) for every row (or the
 * rows `only`): the same labels as `exactNearest` row by row, and their Hamerly bounds (as
 * distances: `ws.v.upper[i]` ≥ the distance to the own centre, `ws.v.lower[i]` ≤ the distance to
 * every other one). Fastest when `labels` is the space's own `ws.v.labels` (no copies in and out).
 * @returns how many labels changed and how many rows needed the float64 rescan.
 */
export async function nearestCentres(
  sp: Space,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  opts: NearestOptions = {},
): Promise<{ changed: number; rescanned: number }> {
  const { emb, ws } = sp;
  const { track, only } = opts;
  const m = only === undefined ? emb.rows : only.length;
  let changed = 0;
  let rescanned = 0;
  if (k === 1) {
    const { upper, lower } = ws.v;
    for (let r = 0; r < m; r++) {
      const i = only === undefined ? r : (only[r] as number);
      upper[i] = Math.sqrt(dist2(emb.data, i, centers, 0, emb.dims));
      lower[i] = Number.POSITIVE_INFINITY;
      if (labels[i] === 0) continue;
      labels[i] = 0;
      changed++;
    }
    // One cluster: its sum is every row's.
    if (track && changed > 0) {
      if (labels !== ws.v.labels) ws.v.labels.set(labels);
      ws.sumRows(1);
    }
    return { changed, rescanned };
  }
  const { dims } = emb;
  const step = Math.max(1, Math.min(m, rowsPerCall(dims, k)));
  ws.reserve(k, step);
  const v = ws.v;
  const own = labels === v.labels;
  if (!own) v.labels.set(labels);
  let rows: Int32Array | undefined;
  if (only !== undefined) {
    // The kernel reads the rows from `cand`: `only` is usually a view of it already.
    if (only.buffer !== v.cand.buffer || only.byteOffset !== v.cand.byteOffset) v.cand.set(only);
    rows = v.cand.subarray(0, m);
  }
  const c = toCentres(centers, k, dims);
  let cmax = 0;
  for (let j = 0; j < k; j++) cmax = Math.max(cmax, c.norms[j] as number);
  cmax = Math.sqrt(cmax) * (1 + 2 ** -20);
  // Worst-case fp32 error of one computed ||c||² − 2·x·c (rounding c and ||c||², a d-term dot
  // product, the Gemm's scale-and-add), doubled as slack; float64's own rounding is ~1e-9 of it.
  const u = 2 ** -24;
  const perNorm = 2 * u * (2 * dims + 8) * cmax;
  const constant = 2 * u * 8 * cmax * cmax;
  for (let from = 0; from < m; from += step) {
    const to = Math.min(m, from + step);
    await sp.products.scores(emb, from, to, c, rows, v.y.subarray(0, (to - from) * k));
    // Rows whose fp32 gap proves the winner: labels and bounds set by the kernel, and the
    // (row, old label) pairs of those that changed listed in `v.changed`.
    const done = ws.assign(to - from, k, from, rows !== undefined, perNorm, constant);
    let moved = done.changed;
    // The others (near-ties, NaN): a float64 scan; changes join the list.
    for (let t = 0; t < done.rescan; t++) {
      const i = v.rescan[t] as number;
      const e = exactNearestTwo(emb, i, centers, k);
      v.upper[i] = Math.sqrt(e.best);
      v.lower[i] = Math.sqrt(e.second);
      const old = v.labels[i] as number;
      if (old === e.bestJ) continue;
      v.labels[i] = e.bestJ;
      v.changed[2 * moved] = i;
      v.changed[2 * moved + 1] = old;
      moved++;
    }
    if (track) ws.moves(moved);
    changed += moved;
    rescanned += done.rescan;
    await sp.checkpoint();
  }
  if (!own) labels.set(v.labels);
  return { changed, rescanned };
}
