/**
 * Truncated SVD of a sparse matrix by scikit-learn's randomized algorithm (`randomized_svd`:
 * Halko, Martinsson & Tropp 2011), with a Cholesky-QR normaliser in place of its LU one (same
 * subspaces in exact arithmetic), so the subspace found is scikit-learn's up to the random start
 * and rounding, not bit for bit.
 */
import { interrupter } from "../interrupt.js";
import { bySlices, choleskyQr, denseMultiply, gram } from "./dense.js";
import { symmetricEigen } from "./eigen.js";
import { gaussianMatrix } from "./random.js";
import { type CsrMatrix, sparseTimesDense, transpose } from "./sparse.js";

/** Options of `randomizedSvd`, as `sklearn.utils.extmath.randomized_svd`'s. */
export interface RandomizedSvdOptions {
  /** Extra random directions beyond `k` (default 10). */
  nOversamples?: number;
  /** Power iterations (default 5). */
  nIter?: number;
  /** Seed of the Gaussian start matrix. */
  seed: number;
  /** Aborts between slices of rows (Ctrl-C); the promise then rejects with its AbortError. */
  signal?: AbortSignal;
}

/** Left singular vectors and singular values of the top `k` triplets. */
export interface SvdResult {
  k: number;
  /** `rows x k` left singular vectors, row-major; each column's largest-magnitude entry is > 0. */
  u: Float64Array;
  /** `k` singular values, descending. */
  s: Float64Array;
}

/**
 * Approximate top-`k` SVD of a sparse matrix by a randomized range finder: Y = A Ω with Ω
 * Gaussian (cols x l, l = k + nOversamples, capped at the matrix's smaller side), `nIter`
 * rounds of Y <- A (Aᵀ Y) with a Cholesky-QR re-normalisation after each product, an
 * orthonormal basis Q of Y (Cholesky QR twice), then the exact SVD of the small l x cols
 * matrix B = Qᵀ A through the eigen-decomposition of B Bᵀ (l x l, cyclic Jacobi). Singular
 * values below about 1e-6 of the largest may come out as 0 (with zero columns of u).
 * @param k 1 <= k <= min(rows, cols).
 * @throws RangeError for a k out of range (synchronously); the signal's AbortError (rejection).
 */
export function randomizedSvd(
  a: CsrMatrix,
  k: number,
  opts: RandomizedSvdOptions,
): Promise<SvdResult> {
  const { rows: n, cols: m } = a;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(n, m)) {
    throw new RangeError(
      `randomizedSvd: k must be an integer from 1 to ${Math.min(n, m)}, got ${k}`,
    );
  }
  return svd(a, k, opts);
}

async function svd(a: CsrMatrix, k: number, opts: RandomizedSvdOptions): Promise<SvdResult> {
  const { rows: n, cols: m } = a;
  const checkpoint = interrupter(opts.signal);
  const l = Math.min(k + (opts.nOversamples ?? 10), n, m);
  const nIter = opts.nIter ?? 5;
  const at = transpose(a);
  const omega = await gaussianMatrix(m, l, opts.seed, checkpoint);
  const y = new Float64Array(n * l);
  const times = (mat: CsrMatrix, x: Float64Array, out: Float64Array) =>
    bySlices(mat.rows, checkpoint, (from, to) => sparseTimesDense(mat, x, l, out, from, to));
  for (let it = 0; it < nIter; it++) {
    await times(a, omega, y);
    await choleskyQr(y, n, l, checkpoint);
    await times(at, y, omega);
    await choleskyQr(omega, m, l, checkpoint);
  }
  await times(a, omega, y);
  await choleskyQr(y, n, l, checkpoint);
  await choleskyQr(y, n, l, checkpoint);
  // Q = y. Bᵀ = Aᵀ Q (cols x l), so B Bᵀ = (Bᵀ)ᵀ Bᵀ = W diag(s²) Wᵀ and U = Q W.
  const bt = omega;
  await times(at, y, bt);
  const { values, vectors } = symmetricEigen(await gram(bt, m, l, checkpoint), l);

  const s = new Float64Array(k);
  for (let c = 0; c < k; c++) s[c] = Math.sqrt(Math.max(values[c] as number, 0));
  const w = new Float64Array(l * k);
  for (let r = 0; r < l; r++) w.set(vectors.subarray(r * l, r * l + k), r * k);
  const u = new Float64Array(n * k);
  await bySlices(n, checkpoint, (from, to) => denseMultiply(y, l, w, k, u, false, from, to));
  flipSigns(u, n, k);
  return { k, u, s };
}

/** svd_flip (u_based_decision=True): the largest-magnitude entry of each column is positive. */
function flipSigns(u: Float64Array, n: number, k: number): void {
  for (let c = 0; c < k; c++) {
    let best = -1;
    let sign = 1;
    for (let i = 0; i < n; i++) {
      const v = u[i * k + c] as number;
      if (Math.abs(v) > best) {
        best = Math.abs(v);
        sign = v < 0 ? -1 : 1;
      }
    }
    if (sign < 0) for (let i = 0; i < n; i++) u[i * k + c] = -(u[i * k + c] as number);
  }
}
