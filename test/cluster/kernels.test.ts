/**
 * The WebAssembly kernels against plain JavaScript versions of the same rules: Hamerly's bound
 * update and candidate list, the per-row decision from the two smallest scores (SIMD lanes of
 * eight and four rows, the rest one by one, ties, NaN), the seeding's weights, and cluster sums,
 * moves and inertia (the same float64 numbers as JavaScript's loops).
 */
import { describe, expect, it } from "vitest";
import { inertiaOf } from "../../src/cluster/assign.js";
import { kernelModule, Workspace } from "../../src/cluster/kernels.js";
import { mulberry32 } from "../../src/linalg/random.js";

async function workspace(rows: number, k: number, capacity: number, dims = 1) {
  const rand = mulberry32(rows * 7 + dims);
  const data = Float32Array.from({ length: rows * dims }, () => rand() * 2 - 1);
  const ws = new Workspace(await kernelModule(), { rows, dims, data });
  ws.reserve(k, capacity);
  return ws;
}

describe("bounds kernel", () => {
  it("updates every row's bounds and lists the candidates as the JavaScript rule does", async () => {
    const n = 1003;
    const k = 7;
    const ws = await workspace(n, k, 1);
    const v = ws.v;
    const rand = mulberry32(5);
    for (let i = 0; i < n; i++) {
      v.labels[i] = Math.floor(rand() * k);
      v.upper[i] = rand();
      v.lower[i] = rand() * 1.2;
    }
    for (let j = 0; j < k; j++) {
      v.moved[j] = rand() * 0.05;
      v.half[j] = rand() * 0.5;
    }
    const upper = Float64Array.from(v.upper);
    const lower = Float64Array.from(v.lower);
    const [maxJ, maxMove, secondMove, hi, lo] = [3, 0.05, 0.04, 1 + 1e-9, 1 - 1e-9];
    const expected: number[] = [];
    for (let i = 0; i < n; i++) {
      const j = v.labels[i] as number;
      upper[i] = (upper[i] as number) + (v.moved[j] as number);
      lower[i] = (lower[i] as number) - (j === maxJ ? secondMove : maxMove);
      if ((upper[i] as number) * hi >= Math.max(lower[i] as number, v.half[j] as number) * lo)
        expected.push(i);
    }
    const count = ws.bounds(maxJ, maxMove, secondMove, hi, lo);
    expect(count).toBe(expected.length);
    expect(count).toBeGreaterThan(n / 10);
    expect(count).toBeLessThan(n);
    expect(Array.from(v.cand.subarray(0, count))).toEqual(expected);
    expect(Array.from(v.upper)).toEqual(Array.from(upper));
    expect(Array.from(v.lower)).toEqual(Array.from(lower));
  });
});

describe("assign kernel", () => {
  /** The rule of kernels.wat's $decide, row by row in float64. */
  function reference(y: Float32Array, m: number, k: number, rows: number[], ws: Workspace) {
    const { norms, labels } = ws.v;
    const out = rows.map((i, r) => {
      let s1 = Number.POSITIVE_INFINITY;
      let s2 = Number.POSITIVE_INFINITY;
      let j1 = 0;
      let nan = false;
      for (let j = 0; j < k; j++) {
        const s = y[j * m + r] as number;
        if (Number.isNaN(s)) nan = true;
        if (s < s1) {
          s2 = s1;
          s1 = s;
          j1 = j;
        } else if (s < s2) s2 = s;
      }
      const norm = norms[i] as number;
      const err = 1e-4 * norm + 1e-6;
      if (nan || !(s2 - s1 > 2 * err)) return { i, rescan: true };
      const xx = norm * norm;
      return {
        i,
        rescan: false,
        label: j1,
        old: labels[i] as number,
        upper: Math.sqrt(Math.max(0, xx + s1 + err)),
        lower: Math.sqrt(Math.max(0, xx + s2 - err)),
      };
    });
    return out;
  }

  for (const [m, k, fromCand] of [
    [4, 2, false],
    [13, 3, true],
    [101, 7, false],
    [102, 20, true],
    [1, 5, true],
  ] as const) {
    it(`decides ${m} rows against ${k} centres${fromCand ? " (listed rows)" : ""}`, async () => {
      const n = 400;
      const ws = await workspace(n, k, m);
      const v = ws.v;
      const rand = mulberry32(m * 31 + k);
      for (let i = 0; i < n; i++) {
        v.norms[i] = 0.5 + rand();
        v.labels[i] = Math.floor(rand() * k);
      }
      const from = 7;
      const rows: number[] = [];
      for (let r = 0; r < m; r++) {
        // Listed rows ascend with gaps, as lloyd's candidates do.
        rows.push(fromCand ? from + 3 * r + (r % 3) : from + r);
      }
      if (fromCand) v.cand.set(new Array(from).fill(0).concat(rows));
      const y = new Float32Array(m * k);
      for (let t = 0; t < y.length; t++) y[t] = Math.fround(-1 + rand());
      for (let r = 0; r < m; r++) {
        // Exact ties for the smallest (row 1 mod 5), near-ties (2 mod 5), NaN (3 mod 5).
        const j = Math.floor(rand() * k);
        const o = (j + 1) % k;
        if (r % 5 === 1) y[j * m + r] = y[o * m + r] = -2;
        else if (r % 5 === 2) {
          y[j * m + r] = -2;
          y[o * m + r] = Math.fround(-2 + 1e-4);
        } else if (r % 5 === 3 && k > 2) y[o * m + r] = Number.NaN;
        else y[j * m + r] = -1.5;
      }
      const expected = reference(y, m, k, rows, ws);
      v.y.set(y);
      const before = Int32Array.from(v.labels);
      const res = ws.assign(m, k, from, fromCand, 1e-4, 1e-6);
      const rescans = expected.filter((e) => e.rescan).map((e) => e.i);
      expect(Array.from(v.rescan.subarray(0, res.rescan))).toEqual(rescans);
      const changes: number[] = [];
      for (const e of expected) {
        if (e.rescan) {
          expect(v.labels[e.i]).toBe(before[e.i]);
          continue;
        }
        expect(v.labels[e.i], `row ${e.i}`).toBe(e.label);
        expect(v.upper[e.i]).toBe(e.upper);
        expect(v.lower[e.i]).toBe(e.lower);
        if (e.label !== e.old) changes.push(e.i, e.old as number);
      }
      expect(Array.from(v.changed.subarray(0, 2 * res.changed))).toEqual(changes);
      if (m > 3) expect(rescans.length).toBeGreaterThan(0);
    });
  }
});

describe("seeding kernels", () => {
  it("widen: max(0, ||x||² + score) per candidate and row, into each candidate's row", async () => {
    const n = 37;
    const m = 3;
    const ws = await workspace(n, 1, 1);
    const seed = ws.seeding(m, 1, m * n);
    const rand = mulberry32(8);
    for (let i = 0; i < n; i++) seed.sq[i] = rand();
    seed.dist.fill(-1);
    // Rows [5, 16) then [16, 37): an odd and an odd width (the pair loop's tail).
    for (const [from, w] of [
      [5, 11],
      [16, 21],
    ] as const) {
      const y = Float32Array.from({ length: m * w }, () => Math.fround(rand() * 2 - 1.2));
      seed.y.set(y);
      seed.widen(m, w, from);
      for (let t = 0; t < m; t++) {
        for (let r = 0; r < w; r++) {
          const i = from + r;
          const want = Math.max(0, (seed.sq[i] as number) + (y[t * w + r] as number));
          expect(seed.dist[t * n + i], `candidate ${t}, row ${i}`).toBe(want);
        }
      }
    }
    for (let t = 0; t < m; t++) {
      expect(Array.from(seed.dist.subarray(t * n, t * n + 5))).toEqual([-1, -1, -1, -1, -1]);
    }
  });

  it("potential: each row's minimum with the restart's closest, and its sum", async () => {
    const n = 1001;
    const ws = await workspace(n, 1, 1);
    const seed = ws.seeding(3, 2, 1);
    const rand = mulberry32(9);
    for (let t = 0; t < seed.dist.length; t++) seed.dist[t] = rand();
    for (let t = 0; t < seed.closest.length; t++) seed.closest[t] = rand();
    const row = Float64Array.from(seed.dist.subarray(2 * n, 3 * n));
    const closest = seed.closest.subarray(n, 2 * n);
    const want = row.map((d, i) => Math.min(d, closest[i] as number));
    const sum = seed.potential(1, 2);
    expect(Array.from(seed.dist.subarray(2 * n, 3 * n))).toEqual(Array.from(want));
    const plain = want.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - plain) / plain).toBeLessThan(1e-12);
  });
});

describe("cluster sums and inertia kernels", () => {
  for (const dims of [7, 8]) {
    it(`sums rows per cluster, follows moves and gives inertiaOf's number (d=${dims})`, async () => {
      const n = 301;
      const k = 5;
      const ws = await workspace(n, k, 8, dims);
      const v = ws.v;
      const rand = mulberry32(dims);
      for (let i = 0; i < n; i++) v.labels[i] = Math.floor(rand() * k);
      // JavaScript: the same additions, element by element in row order.
      const sums = new Float64Array(k * dims);
      const sizes = new Int32Array(k);
      for (let i = 0; i < n; i++) {
        const j = v.labels[i] as number;
        sizes[j] = (sizes[j] as number) + 1;
        for (let t = 0; t < dims; t++)
          sums[j * dims + t] = (sums[j * dims + t] as number) + (v.x[i * dims + t] as number);
      }
      ws.sumRows(k);
      expect(Array.from(v.sums.subarray(0, k * dims))).toEqual(Array.from(sums));
      expect(Array.from(v.sizes.subarray(0, k))).toEqual(Array.from(sizes));

      // Eight rows change cluster (one of them twice over: listed once, as the kernel lists).
      const moved = [3, 17, 40, 41, 99, 150, 299, 300];
      moved.forEach((i, t) => {
        const from = v.labels[i] as number;
        const to = (from + 1 + (t % (k - 1))) % k;
        v.labels[i] = to;
        v.changed[2 * t] = i;
        v.changed[2 * t + 1] = from;
        sizes[from] = (sizes[from] as number) - 1;
        sizes[to] = (sizes[to] as number) + 1;
        for (let e = 0; e < dims; e++) {
          const x = v.x[i * dims + e] as number;
          sums[from * dims + e] = (sums[from * dims + e] as number) - x;
          sums[to * dims + e] = (sums[to * dims + e] as number) + x;
        }
      });
      ws.moves(moved.length);
      expect(Array.from(v.sums.subarray(0, k * dims))).toEqual(Array.from(sums));
      expect(Array.from(v.sizes.subarray(0, k))).toEqual(Array.from(sizes));

      const centers = Float64Array.from({ length: k * dims }, () => rand() - 0.5);
      const emb = { rows: n, dims, data: Float32Array.from(v.x) };
      expect(ws.inertia(centers, k)).toBe(inertiaOf(emb, centers, Int32Array.from(v.labels)));
    });
  }

  it("adds a row's squares in dist2's order, which rounding can tell apart", async () => {
    // Squares 2^54, 4, 1, 1: (2^54 + 4) + (1 + 1) rounds to 2^54 + 8; summed left to right, 2^54 + 4.
    const data = Float32Array.from([2 ** 27, 2, 1, 1]);
    const ws = new Workspace(await kernelModule(), { rows: 1, dims: 4, data });
    ws.reserve(1, 1);
    const centers = new Float64Array(4);
    expect(ws.inertia(centers, 1)).toBe(2 ** 54 + 8);
    expect(inertiaOf({ rows: 1, dims: 4, data }, centers, new Int32Array(1))).toBe(2 ** 54 + 8);
  });
});
