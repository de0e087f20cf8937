/**
 * The numeric core: randomized SVD, Cholesky QR, the Jacobi eigen-solver (reference values from
 * numpy 1.24.2, pasted as literals), the PRNG and the sparse helpers.
 */
import { describe, expect, it } from "vitest";
import { choleskyQr } from "../../src/linalg/dense.js";
import { symmetricEigen } from "../../src/linalg/eigen.js";
import type { CsrMatrix } from "../../src/linalg/sparse.js";
import { randomizedSvd } from "../../src/linalg/svd.js";

function csr(rows: number[][]): CsrMatrix {
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (const r of rows) {
    r.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        data.push(v);
      }
    });
    indptr.push(indices.length);
  }
  return {
    rows: rows.length,
    cols: (rows[0] as number[]).length,
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(indices),
    data: Float64Array.from(data),
  };
}

function table(rows: number, cols: number, f: (i: number, j: number) => number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));
}

describe("randomizedSvd", () => {
  const columnNormOfAtU = (rows: number[][], u: Float64Array, k: number, c: number) => {
    // ||Aᵀ u_c|| = s_c for a left singular vector u_c.
    const m = (rows[0] as number[]).length;
    let sq = 0;
    for (let j = 0; j < m; j++) {
      let v = 0;
      rows.forEach((r, i) => {
        v += (r[j] as number) * (u[i * k + c] as number);
      });
      sq += v * v;
    }
    return Math.sqrt(sq);
  };

  it("finds the top singular values of a dense 40 x 25 matrix (numpy's exact SVD)", async () => {
    // A[i][j] = sum(0.5**r * cos(0.37*(i+1)*(r+1) + 0.11*(j+1)*(r+1)) for r in range(10))
    // np.linalg.svd(A, compute_uv=False)[:5]
    const rows = table(40, 25, (i, j) => {
      let v = 0;
      for (let r = 0; r < 10; r++)
        v += 0.5 ** r * Math.cos(0.37 * (i + 1) * (r + 1) + 0.11 * (j + 1) * (r + 1));
      return v;
    });
    const exact = [
      17.244683081533726, 15.603449599840593, 7.042103251954396, 4.455950423557113,
      2.1046432715404224,
    ];
    const { u, s, k } = await randomizedSvd(csr(rows), 5, { seed: 7 });
    expect(k).toBe(5);
    exact.forEach((v, c) => {
      expect(Math.abs((s[c] as number) - v) / v).toBeLessThan(1e-6);
      expect(Math.abs(columnNormOfAtU(rows, u, 5, c) - v) / v).toBeLessThan(1e-6);
    });
    // Orthonormal columns, each with its largest-magnitude entry positive (svd_flip).
    for (let a = 0; a < 5; a++) {
      let best = 0;
      for (let i = 0; i < 40; i++) {
        if (Math.abs(u[i * 5 + a] as number) > Math.abs(best)) best = u[i * 5 + a] as number;
      }
      expect(best).toBeGreaterThan(0);
      for (let b = 0; b < 5; b++) {
        let d = 0;
        for (let i = 0; i < 40; i++) d += (u[i * 5 + a] as number) * (u[i * 5 + b] as number);
        expect(d).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });

  it("handles a rank-deficient sparse matrix: exact values up to the rank, zeros after", async () => {
    // B[i][j] = (i%4 + j%3 + 1) if (i*7 + j*3) % 5 == 0 else 0, 30 x 12, rank 10
    // np.linalg.svd(B, compute_uv=False)
    const rows = table(30, 12, (i, j) => ((i * 7 + j * 3) % 5 === 0 ? (i % 4) + (j % 3) + 1 : 0));
    const exact = [
      15.75443631235707, 15.550899000892061, 14.554681010340017, 13.29322190452682,
      10.079506067397055, 1.1358923351305463, 1.0776180618603406, 0.8931609484773142,
      0.6352617077283437, 0.4117526734027107,
    ];
    const { u, s } = await randomizedSvd(csr(rows), 12, { seed: 1 });
    exact.forEach((v, c) => {
      expect(Math.abs((s[c] as number) - v) / v).toBeLessThan(1e-6);
    });
    expect(s[10] as number).toBeLessThan(1e-6);
    expect(s[11] as number).toBeLessThan(1e-6);
    expect(Array.from(u).every(Number.isFinite)).toBe(true);
  });

  it("is deterministic for a seed and rejects k out of range", async () => {
    const m = csr(
      table(8, 11, (i, j) => ((i * 7 + j * 3) % 5 === 0 ? 0 : ((i + 1) * (j + 2)) % 7)),
    );
    const a = await randomizedSvd(m, 3, { seed: 3 });
    const b = await randomizedSvd(m, 3, { seed: 3 });
    expect(Buffer.from(a.u.buffer)).toEqual(Buffer.from(b.u.buffer));
    expect(() => randomizedSvd(m, 0, { seed: 1 })).toThrow(RangeError);
    expect(() => randomizedSvd(m, 9, { seed: 1 })).toThrow(RangeError);
  });
});

describe("dense helpers", () => {
  it("choleskyQr gives orthonormal columns spanning the input and zeroes dependent ones", async () => {
    // Column 2 = column 0 + column 1: dependent.
    const rows = table(6, 3, (i, j) =>
      j === 2 ? i + 1 + ((i * i) % 5) : j === 0 ? i + 1 : (i * i) % 5,
    );
    const x = Float64Array.from(rows.flat());
    expect(await choleskyQr(x, 6, 3)).toBe(2);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let d = 0;
        for (let i = 0; i < 6; i++) d += (x[i * 3 + a] as number) * (x[i * 3 + b] as number);
        expect(d).toBeCloseTo(a === b && a < 2 ? 1 : 0, 12);
      }
    }
    // Column 0 of Q is column 0 of the input scaled to unit length.
    const norm = Math.sqrt(rows.reduce((s, r) => s + (r[0] as number) ** 2, 0));
    rows.forEach((r, i) => {
      expect(x[i * 3] as number).toBeCloseTo((r[0] as number) / norm, 14);
    });
  });

  it("symmetricEigen reconstructs the matrix with descending eigenvalues", async () => {
    const n = 6;
    const a = Float64Array.from(table(n, n, (i, j) => 1 / (i + j + 1)).flat()); // Hilbert
    const { values, vectors } = symmetricEigen(a, n);
    // np.linalg.eigvalsh(hilbert(6))[::-1][:2]
    expect(values[0] as number).toBeCloseTo(1.6188998589243393, 13);
    expect(values[1] as number).toBeCloseTo(0.24236087057520245, 13);
    for (let i = 1; i < n; i++)
      expect(values[i] as number).toBeLessThanOrEqual(values[i - 1] as number);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let c = 0; c < n; c++) {
          v +=
            (vectors[i * n + c] as number) * (values[c] as number) * (vectors[j * n + c] as number);
        }
        expect(v).toBeCloseTo(a[i * n + j] as number, 13);
      }
    }
  });
});

describe("mulberry32 and its draws", () => {
  it("gives the reference generator's stream", async () => {
    // The C reference (`t = *a += 0x6D2B79F5; t = (t ^ t >> 15) * (t | 1);
    // t ^= t + (t ^ t >> 7) * (t | 61); return t ^ t >> 14;`) ported to Python integers
    // masked to 32 bits: its first outputs for seeds 1 and 42.
    const { mulberry32 } = await import("../../src/linalg/random.js");
    const one = mulberry32(1);
    const first = [one(), one(), one()].map((x) => x * 4294967296);
    expect(first).toEqual([2693262067, 11749833, 2265367787]);
    const fortyTwo = mulberry32(42);
    expect([fortyTwo(), fortyTwo(), fortyTwo()].map((x) => x * 4294967296)).toEqual([
      2581720956, 1925393290, 3661312704,
    ]);
    const a = mulberry32(42);
    const b = mulberry32(42 + 2 ** 32); // the seed is taken modulo 2^32
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it("draws a Gaussian matrix and a permutation deterministically", async () => {
    const { gaussianMatrix, permutation } = await import("../../src/linalg/random.js");
    const g = await gaussianMatrix(200, 51, 3); // odd count: the last pair is cut
    expect(g).toEqual(await gaussianMatrix(200, 51, 3));
    const mean = g.reduce((s, x) => s + x, 0) / g.length;
    const variance = g.reduce((s, x) => s + (x - mean) ** 2, 0) / g.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const p = permutation(50, 1);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(permutation(50, 1)).toEqual(p);
  });
});

describe("sparse products", () => {
  it("transpose and sparseTimesDense agree with the dense arithmetic, slice by slice", async () => {
    const { sparseTimesDense, transpose } = await import("../../src/linalg/sparse.js");
    const rows = table(7, 5, (i, j) => ((i + 2 * j) % 3 === 0 ? 0 : i - j + 0.5));
    const a = csr(rows);
    const t = transpose(a);
    expect(t.rows).toBe(5);
    const tRows = table(5, 7, (i, j) => (rows[j] as number[])[i] as number);
    expect(t).toEqual(csr(tRows));
    const x = Float64Array.from(table(5, 3, (i, j) => i * 3 + j - 4).flat());
    const out = new Float64Array(7 * 3).fill(99);
    sparseTimesDense(a, x, 3, out, 0, 4);
    sparseTimesDense(a, x, 3, out, 4, 7);
    rows.forEach((r, i) => {
      for (let c = 0; c < 3; c++) {
        const want = r.reduce((s, v, j) => s + v * (x[j * 3 + c] as number), 0);
        expect(out[i * 3 + c]).toBeCloseTo(want, 12);
      }
    });
  });
});

describe("interruption", () => {
  it("randomizedSvd rejects with the signal's AbortError at its checkpoint", async () => {
    const m = csr(table(30, 20, (i, j) => Math.sin(i * 0.7 + j * 1.3)));
    const controller = new AbortController();
    controller.abort();
    await expect(randomizedSvd(m, 3, { seed: 1, signal: controller.signal })).rejects.toMatchObject(
      { name: "AbortError" },
    );
    await expect(randomizedSvd(m, 3, { seed: 1 })).resolves.toMatchObject({ k: 3 });
  });
});

describe("topEigenvectors (Lanczos)", () => {
  it("finds the top eigenvectors of a diagonal operator, largest first", async () => {
    const { topEigenvectors } = await import("../../src/linalg/lanczos.js");
    const diag = [1, 5, 3, 0.5, 4];
    const vs = await topEigenvectors(5, 2, (v, y) => {
      for (let t = 0; t < 5; t++) y[t] = (diag[t] as number) * (v[t] as number);
    });
    expect(vs).toHaveLength(2);
    expect(Math.abs((vs[0] as Float64Array)[1] as number)).toBeCloseTo(1, 10);
    expect(Math.abs((vs[1] as Float64Array)[4] as number)).toBeCloseTo(1, 10);
  });
});

describe("tridiagonalEigen", () => {
  it("gives ascending eigenvalues and unit eigenvectors of a tridiagonal matrix", async () => {
    const { tridiagonalEigen } = await import("../../src/linalg/eigen.js");
    // tridiag(1, 2, 1) of size 3: eigenvalues 2 - sqrt(2), 2, 2 + sqrt(2).
    const { values, vectors } = await tridiagonalEigen([2, 2, 2], [1, 1], 3);
    expect(values[0]).toBeCloseTo(2 - Math.SQRT2, 14);
    expect(values[1]).toBeCloseTo(2, 14);
    expect(values[2]).toBeCloseTo(2 + Math.SQRT2, 14);
    // Column 2 is ±(1/2, sqrt(2)/2, 1/2).
    const sign = Math.sign(vectors[2] as number);
    expect(sign * (vectors[2] as number)).toBeCloseTo(0.5, 14);
    expect(sign * (vectors[5] as number)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(sign * (vectors[8] as number)).toBeCloseTo(0.5, 14);
  });
});
