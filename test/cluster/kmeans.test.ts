import { kmeans as mlKmeans } from "ml-kmeans";
import { describe, expect, it } from "vitest";
import {
  assign,
  cluster,
  kmeansPlusPlus,
  lloyd,
  mulberry32,
  restartSeed,
} from "../../src/cluster/kmeans.js";
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

const rowsOf = (e: Embeddings) =>
  Array.from({ length: e.rows }, (_, i) =>
    Array.from(e.data.subarray(i * e.dims, (i + 1) * e.dims)),
  );

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

describe("cluster", () => {
  it("recovers well-separated blobs", () => {
    const e = blobs(300, 8, 3, 0.3, 1);
    const c = cluster(e, { k: 3, seed: 1, nInit: 3, maxIterations: 100 });
    const truth = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    expect(samePartition(c.labels, truth)).toBe(true);
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const e = blobs(400, 6, 8, 3, 2);
    const a = cluster(e, { k: 5, seed: 7, nInit: 2, maxIterations: 100 });
    const b = cluster(e, { k: 5, seed: 7, nInit: 2, maxIterations: 100 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.inertia).toBe(b.inertia);
    const others = [1, 2, 3, 4, 5].map(
      (s) => cluster(e, { k: 5, seed: s, nInit: 1, maxIterations: 100 }).inertia,
    );
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it("labels agree with the final centres, and inertia is their sum of squares", () => {
    const e = blobs(250, 5, 4, 2, 3);
    const c = cluster(e, { k: 4, seed: 3, nInit: 1, maxIterations: 2 }); // stopped early on purpose
    const again = assign(e, c.centroids);
    expect(Array.from(c.labels)).toEqual(Array.from(again.labels));
    let ss = 0;
    for (let i = 0; i < e.rows; i++) {
      const cen = c.centroids[c.labels[i] as number] as Float64Array;
      for (let t = 0; t < e.dims; t++)
        ss += ((e.data[i * e.dims + t] as number) - (cen[t] as number)) ** 2;
    }
    expect(c.inertia).toBeCloseTo(ss, 6);
  });

  it("keeps the restart with the lowest inertia", () => {
    const e = blobs(300, 4, 10, 2, 4);
    const best = cluster(e, { k: 6, seed: 11, nInit: 5, maxIterations: 100 });
    const singles = [0, 1, 2, 3, 4].map((r) => {
      const centers = kmeansPlusPlus(e, 6, mulberry32(restartSeed(11, r)));
      lloyd(e, 6, centers, 100);
      const cs = Array.from({ length: 6 }, (_, j) => centers.slice(j * 4, (j + 1) * 4));
      return assign(e, cs).inertia;
    });
    expect(best.inertia).toBe(Math.min(...singles));
    expect(best.bestInit).toBe(singles.indexOf(Math.min(...singles)));
  });

  it("handles k = 1 and k = number of points", () => {
    const e = blobs(12, 3, 2, 1, 5);
    const one = cluster(e, { k: 1, seed: 1, nInit: 1, maxIterations: 50 });
    expect(new Set(one.labels).size).toBe(1);
    const all = cluster(e, { k: 12, seed: 1, nInit: 1, maxIterations: 50 });
    expect(new Set(all.labels).size).toBe(12);
    expect(all.inertia).toBeCloseTo(0, 9);
    expect(() => cluster(e, { k: 13, seed: 1, nInit: 1, maxIterations: 50 })).toThrow(RangeError);
  });
});

describe("lloyd against ml-kmeans (the oracle)", () => {
  for (const [n, dims, k, noise, seed] of [
    [500, 16, 5, 4, 1],
    [800, 32, 12, 6, 2],
    [300, 384, 4, 8, 3],
  ] as const) {
    it(`reaches ml-kmeans' partition from the same centres (n=${n}, d=${dims}, k=${k})`, () => {
      const e = blobs(n, dims, k + 2, noise, seed);
      const start = kmeansPlusPlus(e, k, mulberry32(seed));
      const init = Array.from({ length: k }, (_, j) =>
        Array.from(start.subarray(j * dims, (j + 1) * dims)),
      );
      const ml = mlKmeans(rowsOf(e), k, {
        initialization: init,
        maxIterations: 1000,
        tolerance: 0,
      });
      const ours = lloyd(e, k, start.slice(), 1000);
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
  it("picks k distinct data points, spread over the blobs", () => {
    const e = blobs(200, 4, 4, 0.1, 6);
    const c = kmeansPlusPlus(e, 4, mulberry32(1));
    const idx = Array.from({ length: 4 }, (_, j) => {
      const row = rowsOf(e).findIndex((r) => r.every((v, t) => v === c[j * 4 + t]));
      expect(row).toBeGreaterThanOrEqual(0);
      return row % 4; // the blob it came from
    });
    expect(new Set(idx).size).toBe(4);
  });
});
