import { describe, expect, it } from "vitest";
import { pca2 } from "../../src/evaluate/project.js";
import type { Embeddings } from "../../src/types.js";
import { lcg } from "../helpers.js";

function matrix(rows: number[][]): Embeddings {
  return {
    rows: rows.length,
    dims: rows[0]?.length ?? 0,
    data: Float32Array.from(rows.flat()),
  };
}

// Expected values: /usr/bin/python3, numpy 1.24.2 (scikit-learn 1.2.1's PCA(2).fit_transform
// agrees up to sign to 4e-15):
//   Xc = X - X.mean(0); w, V = np.linalg.eigh(np.cov(Xc.T))
//   for c in 0, 1: v = V[:, -1-c]; v *= np.sign(v[np.argmax(abs(v))]); column c = Xc @ v
// (the sign convention of pca2: the largest-|value| loading is positive).
const X7x4 = [
  [2.5, 0.5, -1.0, 3.0],
  [0.5, -0.75, 2.0, 1.25],
  [2.25, 1.5, 0.0, -0.5],
  [1.75, 0.25, -2.5, 2.0],
  [3.0, 1.0, 1.5, 0.75],
  [-1.0, -1.25, 0.5, 1.5],
  [1.5, 2.0, -0.25, -1.75],
];
const EXPECTED_7x4 = [
  0.902737858542, -2.185350757188, 1.478028747417, 1.952241286295, -1.882208674235, 0.137866623203,
  0.662312303755, -2.529593266891, -1.030297562862, 0.482846754631, 2.557529743126, 1.387357520506,
  -2.688102415743, 0.754631839444,
];

// Fewer rows than dims (rank 4 of 8): the Krylov space becomes invariant before 8 steps.
const X5x8 = [
  [1, 0, 2, -1, 0.5, 3, -2, 1],
  [0, 1, -1, 2, 1.5, 0, 1, -1],
  [2, 2, 0, 0, -1, 1, 0.5, 0.25],
  [-1, 0.5, 1, 1, 2, -2, 0, 3],
  [0.75, -1.5, 0.5, 2.5, 0, 1, -1, 0],
];
const EXPECTED_5x8 = [
  3.300397040296, 1.860174667285, -1.760323012529, -2.28783894813, 1.256111511421, -1.576535424576,
  -3.230435567786, 2.471336152016, 0.434250028599, -0.467136446595,
];

function expectClose(actual: Float32Array, expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    expect(actual[i] as number).toBeCloseTo(e, digits);
  });
}

describe("pca2", () => {
  it("matches numpy's top two principal components (7 x 4)", async () => {
    expectClose(await pca2(matrix(X7x4)), EXPECTED_7x4);
  });

  it("matches numpy when there are fewer rows than dims (5 x 8)", async () => {
    expectClose(await pca2(matrix(X5x8)), EXPECTED_5x8);
  });

  it("is invariant to translation and centres the coordinates", async () => {
    const shifted = X7x4.map((r) => r.map((x, t) => x + 10 * (t + 1)));
    const p = await pca2(matrix(shifted));
    expectClose(p, EXPECTED_7x4, 4);
    for (const c of [0, 1]) {
      let s = 0;
      for (let i = 0; i < 7; i++) s += p[i * 2 + c] as number;
      expect(Math.abs(s)).toBeLessThan(1e-5);
    }
  });

  it("fixes each component's sign: negating the data gives the same output", async () => {
    const neg = X7x4.map((r) => r.map((x) => -x));
    // Same covariance, so the same components (the sign rule picks the same ones): every
    // centred row, hence every coordinate, flips.
    expectClose(
      await pca2(matrix(neg)),
      EXPECTED_7x4.map((x) => -x),
    );
    // Reordering columns does not change the components' variance order or the coordinates.
    const perm = X7x4.map((r) => [r[3], r[1], r[0], r[2]] as number[]);
    expectClose(await pca2(matrix(perm)), EXPECTED_7x4);
  });

  it("gives zeros for components that do not exist", async () => {
    expect(Array.from(await pca2({ rows: 0, dims: 3, data: new Float32Array(0) }))).toEqual([]);
    // One dim: PC1 is the centred value, no PC2.
    expect(Array.from(await pca2(matrix([[1], [3], [5]])))).toEqual([-2, 0, 0, 0, 2, 0]);
    // Two rows: one direction of variance only.
    const two = await pca2(
      matrix([
        [0, 0, 0],
        [3, 4, 0],
      ]),
    );
    expectClose(two, [-2.5, 0, 2.5, 0]);
    // Identical rows: no variance at all.
    expect(
      Array.from(
        await pca2(
          matrix([
            [1, 2],
            [1, 2],
            [1, 2],
          ]),
        ),
      ),
    ).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("rejects data of the wrong length", async () => {
    await expect(pca2({ rows: 2, dims: 3, data: new Float32Array(5) })).rejects.toThrow(RangeError);
  });

  it("stops with the signal's AbortError at its checkpoint", async () => {
    const rand = lcg(3);
    const data = new Float32Array(2000 * 64).map(() => rand() - 0.5);
    const emb = { rows: 2000, dims: 64, data };
    const controller = new AbortController();
    controller.abort();
    await expect(pca2(emb, controller.signal)).rejects.toMatchObject({ name: "AbortError" });
    // Without the signal the same call completes.
    expect((await pca2(emb)).length).toBe(4000);
  });

  it("is deterministic and its components are orthogonal with decreasing variance", async () => {
    const rand = lcg(7);
    const rows = 500;
    const dims = 40;
    const data = new Float32Array(rows * dims);
    for (let i = 0; i < data.length; i++) data[i] = (rand() - 0.5) / (1 + (i % dims));
    const emb = { rows, dims, data };
    const a = await pca2(emb);
    expect(Buffer.from((await pca2(emb)).buffer).equals(Buffer.from(a.buffer))).toBe(true);
    let v1 = 0;
    let v2 = 0;
    let cross = 0;
    for (let i = 0; i < rows; i++) {
      const x = a[i * 2] as number;
      const y = a[i * 2 + 1] as number;
      v1 += x * x;
      v2 += y * y;
      cross += x * y;
    }
    expect(v1).toBeGreaterThan(v2);
    expect(Math.abs(cross) / Math.sqrt(v1 * v2)).toBeLessThan(1e-5);
  });

  it("projects 18,846 x 384 (all 20 groups' size) to finite coordinates", async () => {
    const rand = lcg(42);
    const rows = 18846;
    const dims = 384;
    const data = new Float32Array(rows * dims);
    // A slowly decaying spectrum, as sentence embeddings have.
    for (let i = 0; i < data.length; i++) {
      data[i] = (rand() - 0.5) / Math.sqrt(1 + (i % dims)) + 0.01 * ((i % dims) % 7);
    }
    // Speed is a benchmark matter, not a test's (about 0.3 s on a 2-core machine).
    const p = await pca2({ rows, dims, data });
    expect(p.length).toBe(rows * 2);
    expect(p.every(Number.isFinite)).toBe(true);
  });
});
