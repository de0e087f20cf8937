/**
 * The top eigenpairs of a symmetric positive semidefinite operator known only through its
 * products (`y = C v`), by the Lanczos algorithm with full reorthogonalisation. Each step costs
 * one product; a few dozen usually reach the tolerance. The small tridiagonal matrix it builds
 * is diagonalised by `tridiagonalEigen`.
 */
import type { Checkpoint } from "../interrupt.js";
import { dot, normalise } from "./dense.js";
import { tridiagonalEigen } from "./eigen.js";
import { mulberry32 } from "./random.js";

/**
 * Ritz pairs count as converged when their residual is below this share of the top eigenvalue.
 * A vector's error is about residual / (gap to the next eigenvalue): with a gap of 1% of the top
 * eigenvalue that is 1e-7, float32's resolution of the coordinates the PCA returns.
 */
const TOLERANCE = 1e-9;

/** Seed of the fixed start vector, so that runs are reproducible. */
const START_SEED = 0x9e3779b9;

/** `y <- C v` for the operator's `dims x dims` symmetric matrix C. */
export type SymmetricProduct = (v: Float64Array, y: Float64Array) => void;

/**
 * The unit eigenvectors of C's `count` largest eigenvalues, largest first; an eigenvalue that is
 * zero (to rounding) gives no vector, so fewer may come back.
 * @param checkpoint awaited before each product (Ctrl-C).
 */
export async function topEigenvectors(
  dims: number,
  count: number,
  times: SymmetricProduct,
  checkpoint?: Checkpoint,
): Promise<Float64Array[]> {
  const basis: Float64Array[] = []; // Lanczos vectors q_0..q_{m-1}
  const alpha: number[] = [];
  const beta: number[] = []; // beta[j] couples q_j and q_{j+1}
  let q = startVector(dims);
  normalise(q);
  const w = new Float64Array(dims);
  let ritz: { values: Float64Array; vectors: Float64Array } | undefined;
  let scale = 0; // largest |Ritz value| so far: the size of C for the tolerances
  for (let m = 1; m <= dims; m++) {
    await checkpoint?.();
    basis.push(q);
    times(q, w);
    alpha.push(dot(w, q));
    // Full reorthogonalisation, twice ("twice is enough"): keeps the basis orthonormal to
    // rounding, so no spurious copies of converged eigenvalues appear.
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(w, b);
        for (let t = 0; t < dims; t++) w[t] = (w[t] as number) - c * (b[t] as number);
      }
    }
    const bNext = Math.sqrt(dot(w, w));
    ritz = await tridiagonalEigen(alpha, beta, m);
    for (let j = 0; j < m; j++) scale = Math.max(scale, Math.abs(ritz.values[j] as number));
    // Residual of Ritz pair j: |beta_m * (last component of its eigenvector of T)|.
    let converged = true;
    for (let c = 0; c < Math.min(count, m); c++) {
      const col = m - 1 - c;
      const residual = Math.abs(bNext * (ritz.vectors[(m - 1) * m + col] as number));
      if (residual > TOLERANCE * scale) converged = false;
    }
    // An invariant subspace (bNext ~ 0) holds every eigenvalue the start vector reaches.
    if ((converged && m >= Math.min(count, dims)) || bNext <= 1e-14 * scale || m === dims) break;
    beta.push(bNext);
    q = new Float64Array(dims);
    for (let t = 0; t < dims; t++) q[t] = (w[t] as number) / bNext;
  }
  if (ritz === undefined) return [];
  return ritzVectors(basis, ritz, count, scale);
}

/** The eigenvectors of the `count` largest Ritz values above rounding, mapped back from T's basis. */
function ritzVectors(
  basis: readonly Float64Array[],
  ritz: { values: Float64Array; vectors: Float64Array },
  count: number,
  scale: number,
): Float64Array[] {
  const m = basis.length;
  const dims = basis[0]?.length ?? 0;
  const out: Float64Array[] = [];
  for (let c = 0; c < Math.min(count, m); c++) {
    const col = m - 1 - c;
    if (!((ritz.values[col] as number) > 1e-12 * scale)) break;
    const v = new Float64Array(dims);
    for (let j = 0; j < m; j++) {
      const y = ritz.vectors[j * m + col] as number;
      const b = basis[j] as Float64Array;
      for (let t = 0; t < dims; t++) v[t] = (v[t] as number) + y * (b[t] as number);
    }
    normalise(v);
    out.push(v);
  }
  return out;
}

/** Uniform values in [-0.5, 0.5) from the fixed seed. */
function startVector(dims: number): Float64Array {
  const rand = mulberry32(START_SEED);
  const v = new Float64Array(dims);
  for (let t = 0; t < dims; t++) v[t] = rand() - 0.5;
  return v;
}
