/**
 * The cosine silhouette at any size: exact (O(posts²)) up to `SILHOUETTE_EXACT_MAX` posts, above
 * that estimated on a seeded uniform sample of `SILHOUETTE_SAMPLE` posts, as scikit-learn's
 * `silhouette_score(sample_size=...)` does. Pure; the random source is passed in.
 */
import { silhouetteCosineInterruptibly } from "./metrics.js";

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
