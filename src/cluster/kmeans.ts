/**
 * k-means on typed arrays: greedy k-means++ seeding (scikit-learn's variant, 2 + ln k local
 * trials), Lloyd iterations until the assignment stops changing, seeded restarts keeping the
 * lowest inertia, and labels recomputed from the final centres.
 *
 * Why not ml-kmeans at run time: measured on this 2-core machine for 18,846 x 384 at k = 20
 * (`--categories all`), its k-means++ seeding took 12.4 s per restart (it copies a row array
 * for every point-candidate distance) and its Lloyd step about 0.35 s per iteration (number[][]
 * and a distance callback per point and centre), so `--n-init 10` spent minutes in k-means.
 * ml-kmeans stays as the test oracle: from the same starting centres it must reach the same
 * partition as `lloyd` below (test/cluster/kmeans.test.ts).
 */
import type { Clustering, Embeddings } from "../types.js";

export interface KmeansOptions {
  k: number;
  /** Base seed; restart r uses a seed derived from it. */
  seed: number;
  /** Restarts; the one with the lowest inertia is kept (ties: the earliest). */
  nInit: number;
  /** Lloyd iterations per restart. */
  maxIterations: number;
}

/** Seed of restart r: a fixed integer hash of (seed, r), so restarts differ but replay exactly. */
export function restartSeed(seed: number, r: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(r + 1, 0xc2b2ae35)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** mulberry32: a small, fast, seedable PRNG; uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii; scikit-learn's `_kmeans_plusplus`): the first centre
 * uniformly at random, then each next one as the best of 2 + floor(ln k) candidates drawn with
 * probability proportional to the squared distance to the nearest chosen centre.
 * @returns flat k x dims centres (copies of rows).
 */
export function kmeansPlusPlus(emb: Embeddings, k: number, random: () => number): Float64Array {
  const { rows: n, dims, data } = emb;
  const centers = new Float64Array(k * dims);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.min(n - 1, Math.floor(random() * n));
  centers.set(data.subarray(first * dims, (first + 1) * dims), 0);
  const closest = new Float64Array(n);
  let pot = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = dist2(data, i, centers, 0, dims);
    pot += closest[i] as number;
  }
  const candDist = new Float64Array(n);
  const bestDist = new Float64Array(n);
  const one = new Float64Array(dims);
  for (let c = 1; c < k; c++) {
    let bestPot = Number.POSITIVE_INFINITY;
    let bestIdx = 0;
    for (let t = 0; t < trials; t++) {
      // Sample an index with probability closest[i] / pot (inverse CDF by linear scan).
      let target = random() * pot;
      let idx = n - 1;
      for (let i = 0; i < n; i++) {
        target -= closest[i] as number;
        if (target < 0) {
          idx = i;
          break;
        }
      }
      one.set(data.subarray(idx * dims, (idx + 1) * dims));
      let candPot = 0;
      for (let i = 0; i < n; i++) {
        const d = Math.min(closest[i] as number, dist2(data, i, one, 0, dims));
        candDist[i] = d;
        candPot += d;
      }
      if (candPot < bestPot) {
        bestPot = candPot;
        bestIdx = idx;
        bestDist.set(candDist);
      }
    }
    centers.set(data.subarray(bestIdx * dims, (bestIdx + 1) * dims), c * dims);
    closest.set(bestDist);
    pot = bestPot;
  }
  return centers;
}

/** Squared Euclidean distance between row i of `data` and centre j of `centers` (flat, k x dims). */
function dist2(
  data: Float32Array,
  i: number,
  centers: Float64Array,
  j: number,
  dims: number,
): number {
  const a = i * dims;
  const b = j * dims;
  // Four independent accumulators: V8 does not vectorise, but this breaks the add dependency
  // chain (measured 1.4x faster per Lloyd iteration on unclustered 384-d data).
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

/**
 * Nearest centre of every row (lowest index on ties) and the inertia.
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
  let inertia = 0;
  for (let i = 0; i < emb.rows; i++) {
    let best = Number.POSITIVE_INFINITY;
    let bestJ = 0;
    for (let j = 0; j < k; j++) {
      const d = dist2(emb.data, i, flat, j, emb.dims);
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
 * Lloyd's algorithm from the given centres until no label changes (or `maxIterations`).
 * Hamerly's bounds (upper bound to the own centre, lower bound to any other) let most rows skip
 * the k distance computations once centres move little; the result is the same as plain Lloyd's.
 * Empty clusters keep their previous centre, as ml-kmeans does.
 * @param centers flat k x dims, updated in place.
 * @returns labels, iterations run.
 */
export function lloyd(
  emb: Embeddings,
  k: number,
  centers: Float64Array,
  maxIterations: number,
): { labels: Int32Array; iterations: number } {
  const { rows: n, dims, data } = emb;
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const sums = new Float64Array(k * dims);
  const counts = new Int32Array(k);
  const moved = new Float64Array(k);
  const half = new Float64Array(k);

  // Full assignment to start the bounds.
  const fullAssign = (i: number) => {
    let b1 = Number.POSITIVE_INFINITY;
    let b2 = Number.POSITIVE_INFINITY;
    let bj = 0;
    for (let j = 0; j < k; j++) {
      const d = dist2(data, i, centers, j, dims);
      if (d < b1) {
        b2 = b1;
        b1 = d;
        bj = j;
      } else if (d < b2) b2 = d;
    }
    labels[i] = bj;
    upper[i] = Math.sqrt(b1);
    lower[i] = Math.sqrt(b2);
  };
  for (let i = 0; i < n; i++) fullAssign(i);

  let iterations = 0;
  for (;;) {
    iterations++;
    // Update step.
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = labels[i] as number;
      counts[j] = (counts[j] as number) + 1;
      const a = i * dims;
      const b = j * dims;
      for (let t = 0; t < dims; t++)
        sums[b + t] = (sums[b + t] as number) + (data[a + t] as number);
    }
    let maxMove = 0;
    let secondMove = 0;
    let maxJ = -1;
    for (let j = 0; j < k; j++) {
      const c = counts[j] as number;
      let m = 0;
      if (c > 0) {
        const b = j * dims;
        for (let t = 0; t < dims; t++) {
          const v = (sums[b + t] as number) / c;
          const diff = v - (centers[b + t] as number);
          m += diff * diff;
          centers[b + t] = v;
        }
      }
      m = Math.sqrt(m);
      moved[j] = m;
      if (m > maxMove) {
        secondMove = maxMove;
        maxMove = m;
        maxJ = j;
      } else if (m > secondMove) secondMove = m;
    }
    if (iterations >= maxIterations) break;
    // Bounds follow the centres' moves.
    for (let i = 0; i < n; i++) {
      const j = labels[i] as number;
      upper[i] = (upper[i] as number) + (moved[j] as number);
      lower[i] = (lower[i] as number) - (j === maxJ ? secondMove : maxMove);
    }
    // Half the distance from each centre to its nearest other centre.
    for (let j = 0; j < k; j++) {
      let best = Number.POSITIVE_INFINITY;
      for (let o = 0; o < k; o++) {
        if (o === j) continue;
        let s = 0;
        for (let t = 0; t < dims; t++) {
          const diff = (centers[j * dims + t] as number) - (centers[o * dims + t] as number);
          s += diff * diff;
        }
        if (s < best) best = s;
      }
      half[j] = Math.sqrt(best) / 2;
    }
    // Assignment step.
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const j = labels[i] as number;
      const bound = Math.max(half[j] as number, lower[i] as number);
      if ((upper[i] as number) < bound) continue;
      upper[i] = Math.sqrt(dist2(data, i, centers, j, dims));
      if ((upper[i] as number) < bound) continue;
      fullAssign(i);
      // Exact ties resolve to the lowest index, as a full scan does.
      if (labels[i] !== j) changed++;
    }
    if (changed === 0) break;
  }
  return { labels, iterations };
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
  let best: Clustering | undefined;
  for (let r = 0; r < opts.nInit; r++) {
    const centers = kmeansPlusPlus(emb, opts.k, mulberry32(restartSeed(opts.seed, r)));
    const { iterations } = lloyd(emb, opts.k, centers, opts.maxIterations);
    const centroids = Array.from({ length: opts.k }, (_, j) =>
      centers.slice(j * emb.dims, (j + 1) * emb.dims),
    );
    // Labels from the final centres, so that they agree with `centroids`.
    const { labels, inertia } = assign(emb, centroids);
    if (best === undefined || inertia < best.inertia) {
      best = { k: opts.k, labels, centroids, inertia, iterations, bestInit: r, nInit: opts.nInit };
    }
  }
  return best as Clustering;
}
