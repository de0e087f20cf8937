import { kmeans as mlKmeans } from "ml-kmeans";
import { describe, expect, it } from "vitest";
import { assign, nearestCentres, type Space, space } from "../../src/cluster/assign.js";
import { kernelModule } from "../../src/cluster/kernels.js";
import { cluster, lloyd, restart } from "../../src/cluster/kmeans.js";
import { products } from "../../src/cluster/ort.js";
import { kmeansPlusPlus } from "../../src/cluster/plusplus.js";
import { mulberry32 } from "../../src/linalg/random.js";
import type { Embeddings } from "../../src/types.js";

/** n points around `centres` (round-robin) with Gaussian noise of the given scale. */
function blobs(n: number, dims: number, centres: number, noise: number, seed: number): Embeddings {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const cs = Array.from({ length: centres }, () => Array.from({ length: dims }, () => gauss() * 5));
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const c = cs[i % centres] as number[];
    for (let t = 0; t < dims; t++) data[i * dims + t] = (c[t] as number) + gauss() * noise;
  }
  return { rows: n, dims, data };
}

/** Rows scaled to unit length, like sentence embeddings. */
function unit(e: Embeddings): Embeddings {
  const data = Float32Array.from(e.data);
  for (let i = 0; i < e.rows; i++) {
    const row = data.subarray(i * e.dims, (i + 1) * e.dims);
    const norm = Math.hypot(...row);
    for (let t = 0; t < e.dims; t++) row[t] = (row[t] as number) / norm;
  }
  return { ...e, data };
}

const rowsOf = (e: Embeddings) =>
  Array.from({ length: e.rows }, (_, i) =>
    Array.from(e.data.subarray(i * e.dims, (i + 1) * e.dims)),
  );

async function spaceOf(e: Embeddings): Promise<Space> {
  return space(e, await products(), await kernelModule(), async () => {});
}

/** Same partition up to renaming of the clusters. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if ((ab.get(x) ?? y) !== y || (ba.get(y) ?? x) !== x) return false;
    ab.set(x, y);
    ba.set(y, x);
  }
  return true;
}

/**
 * The plain float64 loop: for each row the squared distance to each centre summed term by term,
 * the first smallest wins. `tie` marks rows whose two smallest are within 1e-12 relative.
 */
function plainNearest(e: Embeddings, centres: readonly ArrayLike<number>[]) {
  const labels = new Int32Array(e.rows);
  const tie = new Uint8Array(e.rows);
  let inertia = 0;
  for (let i = 0; i < e.rows; i++) {
    const d = centres.map((c) => {
      let s = 0;
      for (let t = 0; t < e.dims; t++)
        s += ((e.data[i * e.dims + t] as number) - (c[t] as number)) ** 2;
      return s;
    });
    const best = Math.min(...d);
    labels[i] = d.indexOf(best);
    const second = Math.min(...d.filter((_, j) => j !== labels[i]));
    tie[i] = second - best <= 1e-12 * Math.max(1, best) ? 1 : 0;
    inertia += best;
  }
  return { labels, tie, inertia };
}

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe("cluster", () => {
  it("recovers well-separated blobs", async () => {
    const e = blobs(300, 8, 3, 0.3, 1);
    const c = await cluster(e, { k: 3, seed: 1, nInit: 3, maxIterations: 100 });
    const truth = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    expect(samePartition(c.labels, truth)).toBe(true);
  });

  it("gives the same bytes for a seed, and the seed matters", async () => {
    const e = unit(blobs(2000, 48, 12, 6, 2));
    const opts = { k: 9, seed: 7, nInit: 3, maxIterations: 300 };
    const a = await cluster(e, opts);
    const b = await cluster(e, opts);
    expect(bytes(a.labels).equals(bytes(b.labels))).toBe(true);
    a.centroids.forEach((c, j) => {
      expect(bytes(c).equals(bytes(b.centroids[j] as Float64Array))).toBe(true);
    });
    expect(Object.is(a.inertia, b.inertia)).toBe(true);
    expect([a.iterations, a.bestInit]).toEqual([b.iterations, b.bestInit]);
    const others = await Promise.all(
      [1, 2, 3, 4, 5].map(async (s) => (await cluster(e, { ...opts, seed: s, nInit: 1 })).inertia),
    );
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it("labels are the final centres' nearest, and inertia is their float64 sum of squares", async () => {
    for (const maxIterations of [2, 300]) {
      // 2 iterations: stopped early on purpose, so the labels must be recomputed.
      const e = unit(blobs(1500, 64, 8, 8, 3));
      const c = await cluster(e, { k: 6, seed: 3, nInit: 2, maxIterations });
      const plain = plainNearest(e, c.centroids);
      for (let i = 0; i < e.rows; i++) {
        if (plain.tie[i] === 0) expect(c.labels[i]).toBe(plain.labels[i]);
      }
      let ss = 0;
      for (let i = 0; i < e.rows; i++) {
        const cen = c.centroids[c.labels[i] as number] as Float64Array;
        for (let t = 0; t < e.dims; t++)
          ss += ((e.data[i * e.dims + t] as number) - (cen[t] as number)) ** 2;
      }
      expect(Math.abs(c.inertia - ss) / ss).toBeLessThan(1e-9);
    }
  });

  it("keeps the restart with the lowest inertia", async () => {
    const e = blobs(300, 4, 10, 2, 4);
    const opts = { k: 6, seed: 11, nInit: 5, maxIterations: 100 };
    const best = await cluster(e, opts);
    const sp = await spaceOf(e);
    const singles: number[] = [];
    for (let r = 0; r < 5; r++) singles.push((await restart(sp, opts, r)).inertia);
    expect(best.inertia).toBe(Math.min(...singles));
    expect(best.bestInit).toBe(singles.indexOf(Math.min(...singles)));
  });

  it("handles k = 1 and k = number of points", async () => {
    const e = blobs(12, 3, 2, 1, 5);
    const one = await cluster(e, { k: 1, seed: 1, nInit: 1, maxIterations: 50 });
    expect(new Set(one.labels).size).toBe(1);
    const all = await cluster(e, { k: 12, seed: 1, nInit: 1, maxIterations: 50 });
    expect(new Set(all.labels).size).toBe(12);
    expect(all.inertia).toBeCloseTo(0, 9);
    await expect(cluster(e, { k: 13, seed: 1, nInit: 1, maxIterations: 50 })).rejects.toThrow(
      RangeError,
    );
  });

  it("stops with the signal's reason, between chunks of work", async () => {
    const e = unit(blobs(3000, 64, 50, 8, 6));
    const opts = { k: 1500, seed: 1, nInit: 1000, maxIterations: 300 };
    const aborted = AbortSignal.abort();
    await expect(cluster(e, opts, aborted)).rejects.toThrow(/abort/i);
    const controller = new AbortController();
    const t0 = performance.now();
    setTimeout(() => controller.abort(), 200);
    await expect(cluster(e, opts, controller.signal)).rejects.toThrow(/abort/i);
    // Generous for a loaded 2-core machine; the budget is 50 ms slices.
    expect(performance.now() - t0).toBeLessThan(200 + 1500);
  });
});

describe("nearestCentres (fp32 products, float64 decisions)", () => {
  it("equals the plain float64 loop except on float ties, rescanning only near-ties", async () => {
    const e = unit(blobs(4000, 384, 30, 10, 7));
    const sp = await spaceOf(e);
    const k = 25;
    const centres = await kmeansPlusPlus(sp, k, mulberry32(3));
    const labels = new Int32Array(e.rows).fill(-1);
    const { changed, rescanned } = await nearestCentres(sp, centres, k, labels);
    const plain = plainNearest(
      e,
      Array.from({ length: k }, (_, j) => centres.subarray(j * 384, (j + 1) * 384)),
    );
    expect(changed).toBe(e.rows);
    expect(rescanned).toBeLessThan(e.rows / 2);
    for (let i = 0; i < e.rows; i++) {
      if (plain.tie[i] === 0) expect(labels[i]).toBe(plain.labels[i]);
    }
  });

  it("decides rows next to the midplane of two centres as float64 does", async () => {
    // Rows at (a + b) / 2 + δ·(b − a) with |δ| from 1e-9 to 1e-4: their two distances differ by
    // less than fp32 can resolve, so only the float64 rescan gets them right.
    const dims = 200;
    const rand = mulberry32(9);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const centres = Float64Array.from({ length: 3 * dims }, () => gauss());
    const n = 2000;
    const data = new Float32Array(n * dims);
    for (let i = 0; i < n; i++) {
      const delta = (i % 2 === 0 ? 1 : -1) * 10 ** (-9 + (5 * (i % 97)) / 96);
      for (let t = 0; t < dims; t++) {
        const a = centres[t] as number;
        const b = centres[dims + t] as number;
        data[i * dims + t] = (a + b) / 2 + delta * (b - a);
      }
    }
    const e = { rows: n, dims, data };
    const labels = new Int32Array(n);
    const { rescanned } = await nearestCentres(await spaceOf(e), centres, 3, labels);
    const plain = plainNearest(
      e,
      [0, 1, 2].map((j) => centres.subarray(j * dims, (j + 1) * dims)),
    );
    expect(rescanned).toBeGreaterThan(n / 4);
    let compared = 0;
    for (let i = 0; i < n; i++) {
      if (plain.tie[i] === 1) continue;
      compared++;
      expect(labels[i]).toBe(plain.labels[i]);
    }
    expect(compared).toBeGreaterThan(n / 2);
  });

  it("breaks exact ties towards the lowest index, as the plain loop does", async () => {
    const e = blobs(500, 20, 5, 3, 8);
    const sp = await spaceOf(e);
    const base = await kmeansPlusPlus(sp, 3, mulberry32(1));
    // Centre 3 duplicates centre 1 and centre 4 duplicates centre 0: every tie must go low.
    const centres = new Float64Array(5 * 20);
    centres.set(base);
    centres.set(base.subarray(20, 40), 60);
    centres.set(base.subarray(0, 20), 80);
    const labels = new Int32Array(e.rows);
    const { rescanned } = await nearestCentres(sp, centres, 5, labels);
    expect(rescanned).toBeGreaterThan(0);
    const plain = assign(
      e,
      Array.from({ length: 5 }, (_, j) => centres.slice(j * 20, (j + 1) * 20)),
    );
    expect(Array.from(labels)).toEqual(Array.from(plain.labels));
    expect(new Set(labels)).toEqual(new Set([0, 1, 2]));
  });
});

describe("lloyd against ml-kmeans (the oracle)", () => {
  for (const [n, dims, k, noise, seed] of [
    [500, 16, 5, 4, 1],
    [800, 32, 12, 6, 2],
    [300, 384, 4, 8, 3],
    [3000, 100, 20, 12, 4],
  ] as const) {
    it(`reaches ml-kmeans' partition from the same centres (n=${n}, d=${dims}, k=${k})`, async () => {
      const e = blobs(n, dims, k + 2, noise, seed);
      const sp = await spaceOf(e);
      const start = await kmeansPlusPlus(sp, k, mulberry32(seed));
      const init = Array.from({ length: k }, (_, j) =>
        Array.from(start.subarray(j * dims, (j + 1) * dims)),
      );
      const ml = mlKmeans(rowsOf(e), k, {
        initialization: init,
        maxIterations: 1000,
        tolerance: 0,
      });
      const ours = await lloyd(sp, k, start.slice(), 1000);
      expect(ours.converged).toBe(true);
      // ml-kmeans' labels predate its last centre update; compare with labels from its centres.
      const mlLabels = assign(
        e,
        ml.centroids.map((c) => Float64Array.from(c)),
      ).labels;
      expect(Array.from(ours.labels)).toEqual(Array.from(mlLabels));
    });
  }
});

describe("kmeansPlusPlus", () => {
  it("picks k distinct data points, spread over the blobs", async () => {
    const e = blobs(200, 4, 4, 0.1, 6);
    const c = await kmeansPlusPlus(await spaceOf(e), 4, mulberry32(1));
    const idx = Array.from({ length: 4 }, (_, j) => {
      const row = rowsOf(e).findIndex((r) => r.every((v, t) => v === c[j * 4 + t]));
      expect(row).toBeGreaterThanOrEqual(0);
      return row % 4; // the blob it came from
    });
    expect(new Set(idx).size).toBe(4);
  });

  it("seeds the same after the space's memory has grown (views taken afresh)", async () => {
    const e = unit(blobs(3000, 32, 10, 4, 12));
    const fresh = await kmeansPlusPlus(await spaceOf(e), 10, mulberry32(2));
    const sp = await spaceOf(e);
    // What Lloyd and a larger seeding group reserve: both grow the memory.
    sp.ws.reserve(10, 3000);
    sp.ws.seeding(64, 16, 64 * 3000);
    const again = await kmeansPlusPlus(sp, 10, mulberry32(2));
    expect(bytes(again).equals(bytes(fresh))).toBe(true);
  });
});
