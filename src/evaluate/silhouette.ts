/**
 * The cosine silhouette, scikit-learn-exact, and at any size: exact (O(posts²)) up to `SILHOUETTE_EXACT_MAX` posts, above
 * that estimated on a seeded uniform sample of `SILHOUETTE_SAMPLE` posts, as scikit-learn's
 * `silhouette_score(sample_size=...)` does. Pure; the random source is passed in.
 */
import { interrupter } from "../interrupt.js";

/** Up to this many posts the silhouette is exact (about a minute on 2 cores at 20,000). */
export const SILHOUETTE_EXACT_MAX = 20_000;
/** Posts in the sample above `SILHOUETTE_EXACT_MAX` (about 10 s on 2 cores; the same posts for every k, so k are compared on equal terms). */
export const SILHOUETTE_SAMPLE = 5_000;

/** A silhouette and, when estimated, the number of posts it was computed on. */
export interface SilhouetteEstimate {
  value: number;
  /** Absent when exact. */
  sample?: number;
}

/**
 * `sampleSize` distinct row indices out of `rows`, ascending, drawn by a partial Fisher-Yates
 * shuffle. Deterministic for a deterministic `random`.
 */
export function sampleRows(rows: number, sampleSize: number, random: () => number): Int32Array {
  const idx = new Int32Array(rows);
  for (let i = 0; i < rows; i++) idx[i] = i;
  const m = Math.min(sampleSize, rows);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (rows - i));
    const t = idx[i] as number;
    idx[i] = idx[j] as number;
    idx[j] = t;
  }
  return idx.subarray(0, m).sort();
}

/**
 * Mean cosine silhouette of `labels` over the rows of `data` (`rows x dims`, row-major).
 * @param random only used above `exactMax` rows, to draw the sample.
 * @param signal aborts the computation at its next checkpoint (Ctrl-C).
 * @throws RangeError as `silhouetteCosine` does (fewer than 2 clusters, or as many as rows).
 */
export async function silhouetteAtScale(
  data: Float32Array,
  rows: number,
  dims: number,
  labels: ArrayLike<number>,
  random: () => number,
  signal?: AbortSignal,
  exactMax = SILHOUETTE_EXACT_MAX,
  sampleSize = SILHOUETTE_SAMPLE,
): Promise<SilhouetteEstimate> {
  if (rows <= exactMax) {
    return { value: await silhouetteCosineInterruptibly(data, rows, dims, labels, signal) };
  }
  const pick = sampleRows(rows, sampleSize, random);
  const sub = new Float32Array(pick.length * dims);
  const subLabels = new Int32Array(pick.length);
  pick.forEach((r, i) => {
    sub.set(data.subarray(r * dims, (r + 1) * dims), i * dims);
    subLabels[i] = labels[r] as number;
  });
  const value = await silhouetteCosineInterruptibly(sub, pick.length, dims, subLabels, signal);
  return { value, sample: pick.length };
}

/**
 * Mean silhouette coefficient under cosine distance, as
 * `sklearn.metrics.silhouette_score(X, labels, metric="cosine")` computed in float64.
 * The distance is `1 - cos(x, y)` clipped to [0, 2]; a zero row has distance 1 to every other
 * row. A sample alone in its cluster scores 0.
 *
 * @param data `rows * dims` values, row-major.
 * @param rows Number of samples `n`.
 * @param dims Values per sample.
 * @param labels `n` cluster labels (any integers).
 * @returns The mean over samples of `(b - a) / max(a, b)`, in [-1, 1].
 * @throws RangeError when the shapes disagree or the number of distinct labels is not in
 *   `[2, n - 1]` (scikit-learn raises ValueError there).
 */
export function silhouetteCosine(
  data: Float32Array,
  rows: number,
  dims: number,
  labels: ArrayLike<number>,
): number {
  const steps = silhouetteSteps(data, rows, dims, labels);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `silhouetteCosine` with a checkpoint after each tile row (O(posts^2) work: seconds on the whole
 * corpus), so that Ctrl-C stops it.
 * @throws as `silhouetteCosine`, and the signal's AbortError once it is aborted.
 */
export async function silhouetteCosineInterruptibly(
  data: Float32Array,
  rows: number,
  dims: number,
  labels: ArrayLike<number>,
  signal?: AbortSignal,
): Promise<number> {
  const checkpoint = interrupter(signal);
  const steps = silhouetteSteps(data, rows, dims, labels);
  for (;;) {
    await checkpoint();
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Number of distinct values in `labels`. */
export function distinctLabels(labels: ArrayLike<number>): number {
  return new Set(Array.from(labels)).size;
}

/** The silhouette's work, yielding between tiles; returns the score. */
function* silhouetteSteps(
  data: Float32Array,
  rows: number,
  dims: number,
  labels: ArrayLike<number>,
): Generator<void, number, void> {
  const { label, k } = labelIds(data, rows, dims, labels);
  const sizes = new Float64Array(k);
  for (const id of label) sizes[id] = (sizes[id] as number) + 1;
  const unit = unitRows(data, rows, dims);
  const sums = new Float64Array(rows * k);
  yield* pairDistances(unit, rows, dims, label, k, sums);
  return meanSilhouette(sums, label, sizes, k);
}

/**
 * Checks the shapes and maps the labels to 0..k-1 in order of appearance.
 * @throws RangeError as `silhouetteCosine` documents.
 */
function labelIds(
  data: Float32Array,
  rows: number,
  dims: number,
  labels: ArrayLike<number>,
): { label: Int32Array; k: number } {
  if (!Number.isInteger(rows) || !Number.isInteger(dims) || rows < 0 || dims < 0) {
    throw new RangeError("silhouetteCosine: rows and dims must be non-negative integers");
  }
  if (data.length !== rows * dims) {
    throw new RangeError(`silhouetteCosine: data has ${data.length} values, not ${rows * dims}`);
  }
  if (labels.length !== rows) {
    throw new RangeError(`silhouetteCosine: ${labels.length} labels for ${rows} rows`);
  }
  const ids = new Map<number, number>();
  const label = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const l = labels[i] as number;
    let id = ids.get(l);
    if (id === undefined) {
      id = ids.size;
      ids.set(l, id);
    }
    label[i] = id;
  }
  const k = ids.size;
  if (k < 2 || k > rows - 1) {
    throw new RangeError(
      `silhouetteCosine: number of labels is ${k}; valid values are 2 to n_samples - 1`,
    );
  }
  return { label, k };
}

/** Unit rows in float64, as sklearn's normalize(); a zero row stays zero. */
function unitRows(data: Float32Array, rows: number, dims: number): Float64Array {
  const unit = new Float64Array(rows * dims);
  for (let i = 0; i < rows; i++) {
    const off = i * dims;
    let sq = 0;
    for (let d = 0; d < dims; d++) {
      const x = data[off + d] as number;
      sq += x * x;
    }
    const norm = sq === 0 ? 1 : Math.sqrt(sq);
    for (let d = 0; d < dims; d++) unit[off + d] = (data[off + d] as number) / norm;
  }
  return unit;
}

/**
 * Fills `sums[i * k + c]`, the total distance from sample i to the samples of cluster c. Each
 * pair is visited once, in tiles of TILE x TILE rows so that both tiles stay in cache; yields
 * after each tile.
 */
function* pairDistances(
  unit: Float64Array,
  rows: number,
  dims: number,
  label: Int32Array,
  k: number,
  sums: Float64Array,
): Generator<void, void, void> {
  const TILE = 64;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(i0 + TILE, rows);
    for (let j0 = i0; j0 < rows; j0 += TILE) {
      const j1 = Math.min(j0 + TILE, rows);
      for (let i = i0; i < i1; i++) {
        const oi = i * dims;
        const li = label[i] as number;
        for (let j = Math.max(j0, i + 1); j < j1; j++) {
          const oj = j * dims;
          // Four partial sums break the add dependency chain (about 1.3x faster in V8).
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          let d = 0;
          for (; d + 3 < dims; d += 4) {
            s0 += (unit[oi + d] as number) * (unit[oj + d] as number);
            s1 += (unit[oi + d + 1] as number) * (unit[oj + d + 1] as number);
            s2 += (unit[oi + d + 2] as number) * (unit[oj + d + 2] as number);
            s3 += (unit[oi + d + 3] as number) * (unit[oj + d + 3] as number);
          }
          for (; d < dims; d++) s0 += (unit[oi + d] as number) * (unit[oj + d] as number);
          const dot = s0 + s1 + (s2 + s3);
          let dist = 1 - dot;
          if (dist < 0) dist = 0;
          else if (dist > 2) dist = 2;
          const lj = label[j] as number;
          sums[i * k + lj] = (sums[i * k + lj] as number) + dist;
          sums[j * k + li] = (sums[j * k + li] as number) + dist;
        }
      }
      yield;
    }
  }
}

/** The mean over samples of `(b - a) / max(a, b)` from the per-cluster distance sums. */
function meanSilhouette(
  sums: Float64Array,
  label: Int32Array,
  sizes: Float64Array,
  k: number,
): number {
  const rows = label.length;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const li = label[i] as number;
    const own = sizes[li] as number;
    if (own <= 1) continue;
    const a = (sums[i * k + li] as number) / (own - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c === li) continue;
      b = Math.min(b, (sums[i * k + c] as number) / (sizes[c] as number));
    }
    const denom = Math.max(a, b);
    // sklearn turns the 0/0 of a = b = 0 into 0.
    if (denom > 0) total += (b - a) / denom;
  }
  return total / rows;
}
