/**
 * k-means on typed arrays: greedy k-means++ seeding (scikit-learn's variant, 2 + ln k local
 * trials; plusplus.ts), Lloyd iterations until the assignment stops changing, seeded restarts
 * keeping the lowest inertia, and labels recomputed from the final centres.
 *
 * The distance work of both seeding and assignment is an fp32 matrix product on onnxruntime
 * (ort.ts), and the per-row loops around it WebAssembly (kernels.ts); labels are then exactly
 * those of a float64 nearest-centre loop (assign.ts), and inertia is summed in float64. Between
 * chunks of work it awaits an interrupt checkpoint, so Ctrl-C stops it within a slice.
 *
 * Why not ml-kmeans at run time: its number[][] rows and per-pair distance callback made
 * `--n-init 10` on all 20 groups take minutes. ml-kmeans stays as the test oracle: from the same
 * starting centres it must reach the same partition as `lloyd` (test/cluster/kmeans.test.ts).
 */
import { interrupter } from "../interrupt.js";
import { mulberry32 } from "../linalg/random.js";
import type { Clustering, Embeddings } from "../types.js";
import { nearestCentres, type Space, space } from "./assign.js";
import { kernelModule } from "./kernels.js";
import { prepareSessions, products, rowsPerCall } from "./ort.js";
import { kmeansPlusPlus, kmeansPlusPlusMany } from "./plusplus.js";

/**
 * k-means runs on onnxruntime sessions and a WebAssembly module: start creating both now, for a
 * caller that waits on other work meanwhile. Errors surface at the first use.
 */
export function prepareKmeans(): void {
  prepareSessions();
  kernelModule().catch(() => {});
}

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

/** Half the distance from each centre to its nearest other one (0 when k² x dims is large). */
function halfGaps(centers: Float64Array, k: number, dims: number, out: Float64Array) {
  if (k * k * dims > 2 ** 24) return out.fill(0);
  out.fill(Number.POSITIVE_INFINITY);
  // Each pair once, four running sums (as dist2): a third of a 100-d Lloyd's JavaScript before.
  for (let j = 0; j < k; j++) {
    for (let o = j + 1; o < k; o++) {
      let a = j * dims;
      let b = o * dims;
      const end = a + dims;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (; a + 3 < end; a += 4, b += 4) {
        const d0 = (centers[a] as number) - (centers[b] as number);
        const d1 = (centers[a + 1] as number) - (centers[b + 1] as number);
        const d2 = (centers[a + 2] as number) - (centers[b + 2] as number);
        const d3 = (centers[a + 3] as number) - (centers[b + 3] as number);
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
      }
      for (; a < end; a++, b++) s0 += ((centers[a] as number) - (centers[b] as number)) ** 2;
      const d = s0 + s1 + (s2 + s3);
      if (d < (out[j] as number)) out[j] = d;
      if (d < (out[o] as number)) out[o] = d;
    }
  }
  for (let j = 0; j < k; j++) out[j] = Math.sqrt(out[j] as number) / 2;
  return out;
}

/**
 * Centres = sums / counts (empty clusters keep theirs); `moved[j]` = how far centre j moved.
 * @returns the largest move, the second largest, and the centre that made the largest.
 */
function updateCentres(
  sums: Float64Array,
  counts: Int32Array,
  centers: Float64Array,
  moved: Float64Array,
) {
  const k = counts.length;
  const dims = centers.length / k;
  let maxMove = 0;
  let secondMove = 0;
  let maxJ = -1;
  for (let j = 0; j < k; j++) {
    const c = counts[j] as number;
    let m2 = 0;
    if (c > 0) {
      for (let t = j * dims; t < (j + 1) * dims; t++) {
        const v = (sums[t] as number) / c;
        m2 += (v - (centers[t] as number)) ** 2;
        centers[t] = v;
      }
    }
    const m = Math.sqrt(m2);
    moved[j] = m;
    if (m > maxMove) {
      secondMove = maxMove;
      maxMove = m;
      maxJ = j;
    } else if (m > secondMove) secondMove = m;
  }
  return { maxMove, secondMove, maxJ };
}

/** Relative slack on Hamerly's test, far above float64 rounding of the bounds. */
const SLACK = 1e-9;

/**
 * Lloyd's algorithm from the given centres until no label changes (or `maxIterations`).
 * Hamerly's bounds pick the rows whose label could change (kernels.ts's `bounds`); only those go
 * through `nearestCentres` (the others provably keep theirs), so later iterations cost little.
 * Centre sums follow the rows that change cluster. Empty clusters keep their previous centre, as
 * ml-kmeans does.
 * @param centers flat k x dims, updated in place.
 * @returns labels (nearest to `centers` when `converged`; a copy), iterations run.
 */
export async function lloyd(
  sp: Space,
  k: number,
  centers: Float64Array,
  maxIterations: number,
): Promise<{ labels: Int32Array; iterations: number; converged: boolean }> {
  const { rows: n, dims } = sp.emb;
  const { ws } = sp;
  ws.reserve(k, Math.max(1, Math.min(n, rowsPerCall(dims, k))));
  // The kernels' arrays: labels of every row (nearestCentres also sets their bounds,
  // ws.v.upper and lower), moves and half-gaps of the centres.
  const { labels, cand, moved, half } = ws.v;
  await nearestCentres(sp, centers, k, labels);
  // Cluster sums and sizes in the kernels' memory; `track` keeps them as rows move.
  ws.sumRows(k);
  const sums = ws.v.sums.subarray(0, k * dims);
  const sizes = ws.v.sizes.subarray(0, k);
  let iterations = 0;
  for (;;) {
    iterations++;
    const { maxMove, secondMove, maxJ } = updateCentres(sums, sizes, centers, moved);
    if (iterations >= maxIterations)
      return { labels: labels.slice(), iterations, converged: false };
    halfGaps(centers, k, dims, half);
    const count = ws.bounds(maxJ, maxMove, secondMove, 1 + SLACK, 1 - SLACK);
    await sp.checkpoint();
    if (count === 0) return { labels: labels.slice(), iterations, converged: true };
    // Gathering the rows costs about what the product saves when most rows are candidates.
    const only = count > n / 2 ? undefined : cand.subarray(0, count);
    const { changed } = await nearestCentres(sp, centers, k, labels, { track: true, only });
    if (changed === 0) return { labels: labels.slice(), iterations, converged: true };
  }
}

/**
 * Runs k-means `nInit` times and keeps the restart with the lowest inertia.
 * Deterministic: same embeddings and options give the same result on a machine.
 * @param signal aborts between chunks of work (Ctrl-C); the promise then rejects with its reason.
 * @param onRestart called with (restarts done, nInit): 0 before the first, then after each.
 * @throws RangeError when k is not an integer in 1..rows (the CLI validates this earlier).
 */
export async function cluster(
  emb: Embeddings,
  opts: KmeansOptions,
  signal?: AbortSignal,
  onRestart?: (done: number, total: number) => void,
): Promise<Clustering> {
  if (!Number.isInteger(opts.k) || opts.k < 1 || opts.k > emb.rows) {
    throw new RangeError(`k must be an integer from 1 to ${emb.rows}, got ${opts.k}`);
  }
  const checkpoint = interrupter(signal);
  const sp = space(emb, await products(), await kernelModule(), checkpoint);
  // Restarts are seeded in groups (kmeansPlusPlusMany); a group's candidate distances and
  // centres stay within a few tens of megabytes.
  const trials = 2 + Math.floor(Math.log(opts.k));
  const group = Math.max(
    1,
    Math.min(Math.floor(64 / trials), Math.floor(2 ** 22 / (opts.k * emb.dims))),
  );
  let best: Clustering | undefined;
  onRestart?.(0, opts.nInit);
  for (let g = 0; g < opts.nInit; g += group) {
    const rs = Array.from({ length: Math.min(group, opts.nInit - g) }, (_, i) => g + i);
    const seeds = await kmeansPlusPlusMany(
      sp,
      opts.k,
      rs.map((r) => mulberry32(restartSeed(opts.seed, r))),
    );
    for (const [i, r] of rs.entries()) {
      const one = await finish(sp, opts, r, seeds[i] as Float64Array);
      if (best === undefined || one.inertia < best.inertia) best = one;
      onRestart?.(r + 1, opts.nInit);
    }
  }
  return best as Clustering;
}

/** Restart r of `cluster` on its own: seeding, then `finish`. */
export async function restart(sp: Space, opts: KmeansOptions, r: number): Promise<Clustering> {
  const centers = await kmeansPlusPlus(sp, opts.k, mulberry32(restartSeed(opts.seed, r)));
  return finish(sp, opts, r, centers);
}

/** Lloyd from seeded centres, labels from the final centres, float64 inertia. */
async function finish(
  sp: Space,
  opts: KmeansOptions,
  r: number,
  centers: Float64Array,
): Promise<Clustering> {
  const { k } = opts;
  const { emb } = sp;
  const { labels, iterations, converged } = await lloyd(sp, k, centers, opts.maxIterations);
  // Labels from the final centres, so that they agree with `centroids`.
  if (!converged) await nearestCentres(sp, centers, k, labels);
  const centroids = Array.from({ length: k }, (_, j) =>
    centers.slice(j * emb.dims, (j + 1) * emb.dims),
  );
  // The kernel's inertia is inertiaOf's number (same sums in the same order), four times faster.
  sp.ws.v.labels.set(labels);
  const inertia = sp.ws.inertia(centers, k);
  return { k, labels, centroids, inertia, iterations, bestInit: r, nInit: opts.nInit };
}
