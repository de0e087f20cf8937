/**
 * The WebAssembly kernels against plain JavaScript versions of the same rules: Hamerly's bound
 * update and candidate list, and the per-row decision from the two smallest scores (SIMD lanes
 * of four rows, the last m mod 4 rows one by one, ties, NaN).
 */
import { describe, expect, it } from "vitest";
import { kernelModule, Workspace } from "../../src/cluster/kernels.js";
import { mulberry32 } from "../../src/linalg/random.js";

async function workspace(rows: number, k: number, capacity: number) {
  const ws = new Workspace(await kernelModule(), rows);
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
