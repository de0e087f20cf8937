/**
 * k-means over ml-kmeans: k-means++ seeding, seeded restarts keeping the lowest inertia, and a
 * final assignment recomputed from the final centres. The only module that imports ml-kmeans.
 */
import { kmeans as mlKmeans } from "ml-kmeans";
import type { Clustering, Embeddings } from "../types.js";

export interface KmeansOptions {
  k: number;
  /** Base seed; restart r uses a seed derived from it. */
  seed: number;
  /** Restarts; the one with the lowest inertia is kept (ties: the earliest). */
  nInit: number;
  maxIterations: number;
  /** ml-kmeans' convergence tolerance: max squared centre shift between iterations. */
  tolerance: number;
}

export const DEFAULT_KMEANS: Omit<KmeansOptions, "k" | "seed"> = {
  nInit: 1,
  maxIterations: 300,
  tolerance: 1e-6,
};

/** Seed of restart r: a fixed integer hash of (seed, r), so restarts differ but replay exactly. */
export function restartSeed(seed: number, r: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(r + 1, 0xc2b2ae35)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

function rowsOf(emb: Embeddings): number[][] {
  const rows: number[][] = new Array(emb.rows);
  for (let i = 0; i < emb.rows; i++)
    rows[i] = Array.from(emb.data.subarray(i * emb.dims, (i + 1) * emb.dims));
  return rows;
}

/**
 * Assigns each row to its nearest centre (lowest index on ties) and returns labels and inertia.
 * ml-kmeans returns labels computed before its last centre update; this makes them agree.
 */
export function assign(
  emb: Embeddings,
  centroids: readonly Float64Array[],
): { labels: Int32Array; inertia: number } {
  const { rows, dims, data } = emb;
  const labels = new Int32Array(rows);
  let inertia = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * dims;
    let best = Number.POSITIVE_INFINITY;
    let bestJ = 0;
    for (let j = 0; j < centroids.length; j++) {
      const c = centroids[j] as Float64Array;
      let d = 0;
      for (let t = 0; t < dims; t++) {
        const diff = (data[base + t] as number) - (c[t] as number);
        d += diff * diff;
      }
      if (d < best) {
        best = d;
        bestJ = j;
      }
    }
    labels[i] = bestJ;
    inertia += best;
  }
  return { labels, inertia };
}

/**
 * Runs k-means `nInit` times and keeps the restart with the lowest inertia.
 * Deterministic: same embeddings and options give the same result.
 * @throws RangeError when k is not an integer in 1..rows (the CLI validates this earlier).
 */
export function cluster(emb: Embeddings, opts: KmeansOptions): Clustering {
  if (!Number.isInteger(opts.k) || opts.k < 1 || opts.k > emb.rows) {
    throw new RangeError(`k must be an integer from 1 to ${emb.rows}, got ${opts.k}`);
  }
  const points = rowsOf(emb);
  let best: Clustering | undefined;
  for (let r = 0; r < opts.nInit; r++) {
    const res = mlKmeans(points, opts.k, {
      initialization: "kmeans++",
      seed: restartSeed(opts.seed, r),
      maxIterations: opts.maxIterations,
      tolerance: opts.tolerance,
    });
    const centroids = res.centroids.map((c) => Float64Array.from(c));
    const { labels, inertia } = assign(emb, centroids);
    if (best === undefined || inertia < best.inertia) {
      best = {
        k: opts.k,
        labels,
        centroids,
        inertia,
        iterations: res.iterations,
        bestInit: r,
        nInit: opts.nInit,
      };
    }
  }
  return best as Clustering;
}
