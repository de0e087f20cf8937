/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii; scikit-learn's `_kmeans_plusplus`): the first
 * centre uniformly at random, then each next one as the best of 2 + floor(ln k) candidates drawn
 * with probability proportional to the squared distance to the nearest chosen centre.
 *
 * The candidates' distances to all rows are one matrix product per step (ort.ts), taken as
 * ||x||² + (||c||² − 2·x·c) with the row norms in float64; fp32 rounding there only nudges the
 * sampling weights and never the labels, which assign.ts decides in float64.
 */
import type { Space } from "./assign.js";
import { rowsPerCall, toCentres } from "./ort.js";

/** The seeding arrays of `Workspace.seeding`. */
type Seeding = ReturnType<Space["ws"]["seeding"]>;

/**
 * Squared distances of every row to each of `cand` (row indices), written to `seed.dist`
 * (cand.length x rows, candidate-major); a row's distance to itself is exactly 0.
 */
async function candidateDistances(sp: Space, cand: readonly number[], seed: Seeding) {
  const { rows: n, dims, data } = sp.emb;
  const m = cand.length;
  const flat = new Float64Array(m * dims);
  cand.forEach((idx, t) => {
    flat.set(data.subarray(idx * dims, (idx + 1) * dims), t * dims);
  });
  const c = toCentres(flat, m, dims);
  const step = rowsPerCall(dims, m);
  for (let from = 0; from < n; from += step) {
    const to = Math.min(n, from + step);
    await sp.products.scores(sp.emb, from, to, c, undefined, seed.y.subarray(0, m * (to - from)));
    seed.widen(m, to - from, from);
    await sp.checkpoint();
  }
  cand.forEach((idx, t) => {
    seed.dist[t * n + idx] = 0;
  });
}

/** Index drawn with probability weights[i] / total (inverse CDF by linear scan). */
function sample(weights: Float64Array, total: number, random: () => number): number {
  let target = random() * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i] as number;
    if (target < 0) return i;
  }
  return weights.length - 1;
}

/**
 * Greedy k-means++ centres.
 * @returns flat k x dims centres (float64 copies of rows).
 */
export async function kmeansPlusPlus(sp: Space, k: number, random: () => number) {
  return (await kmeansPlusPlusMany(sp, k, [random]))[0] as Float64Array;
}

/**
 * Greedy k-means++ for several restarts in lockstep: each restart draws from its own `randoms[r]`
 * exactly as `kmeansPlusPlus` would, but one product per step measures every restart's
 * candidates, so the rows are read once per step instead of once per restart (at 384
 * dimensions the product is bound by reading the rows).
 * @returns one flat k x dims array of centres per restart.
 */
export async function kmeansPlusPlusMany(
  sp: Space,
  k: number,
  randoms: readonly (() => number)[],
): Promise<Float64Array[]> {
  const { rows: n, dims, data } = sp.emb;
  const trials = 2 + Math.floor(Math.log(k));
  const m = Math.max(randoms.length, randoms.length * trials);
  // A call's scores: step x m, at most max(m, rowsPerCall(dims, 1)) for any m (see ort.ts).
  const seed = sp.ws.seeding(m, randoms.length, Math.min(n * m, Math.max(m, rowsPerCall(dims, 1))));
  const { norms } = sp.ws.v;
  for (let i = 0; i < n; i++) seed.sq[i] = (norms[i] as number) ** 2;
  const { dist } = seed;
  const runs = randoms.map((random, r) => ({
    random,
    centers: new Float64Array(k * dims),
    closest: seed.closest.subarray(r * n, (r + 1) * n),
    pot: 0,
  }));
  const firsts = runs.map((run) => {
    const first = Math.min(n - 1, Math.floor(run.random() * n));
    run.centers.set(data.subarray(first * dims, (first + 1) * dims), 0);
    return first;
  });
  await candidateDistances(sp, firsts, seed);
  runs.forEach((run, r) => {
    run.closest.set(dist.subarray(r * n, (r + 1) * n));
    for (let i = 0; i < n; i++) run.pot += run.closest[i] as number;
  });
  for (let c = 1; c < k; c++) {
    const cand = runs.flatMap((run) =>
      Array.from({ length: trials }, () => sample(run.closest, run.pot, run.random)),
    );
    await candidateDistances(sp, cand, seed);
    runs.forEach((run, r) => {
      let bestPot = Number.POSITIVE_INFINITY;
      let bestT = 0;
      for (let t = 0; t < trials; t++) {
        const candPot = seed.potential(r, r * trials + t);
        if (candPot < bestPot) {
          bestPot = candPot;
          bestT = t;
        }
      }
      const best = cand[r * trials + bestT] as number;
      run.centers.set(data.subarray(best * dims, (best + 1) * dims), c * dims);
      const o = (r * trials + bestT) * n;
      run.closest.set(dist.subarray(o, o + n));
      run.pot = bestPot;
    });
    await sp.checkpoint();
  }
  return runs.map((run) => run.centers);
}
