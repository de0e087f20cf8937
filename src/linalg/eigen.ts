/**
 * Symmetric eigen-decompositions. Pure.
 *
 * - `symmetricEigen`: a small dense symmetric matrix, by cyclic Jacobi rotations (the randomized
 *   SVD's l x l Gram matrix). Jacobi gives the small eigenvalues of a semidefinite matrix full
 *   relative accuracy, which the SVD's smallest singular values need. ml-matrix's
 *   `EigenvalueDecomposition` differs from it in the last bits (relative 4e-15 on Gram
 *   matrices), which would change every TF-IDF output, so this one stays hand-written.
 * - `tridiagonalEigen`: the Lanczos driver's tridiagonal matrix, through ml-matrix.
 */

/** ml-matrix, loaded on first use: importing it costs start-up time that most runs do not need. */
let mlMatrix: ReturnType<typeof loadMlMatrix> | undefined;
const loadMlMatrix = () => import("ml-matrix");

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
 * @param a n x n, row-major, symmetric (only read).
 * @returns eigenvalues descending, and the eigenvectors as the columns of a row-major n x n
 *   matrix in the same order.
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q] as number;
        const app = m[p * n + p] as number;
        const aqq = m[q * n + q] as number;
        // Rotate only while the entry is above rounding level relative to its diagonal pair,
        // the threshold that gives small eigenvalues of a semidefinite matrix full accuracy.
        if (Math.abs(apq) <= 1e-300 || Math.abs(apq) <= 2.2e-16 * Math.sqrt(Math.abs(app * aqq))) {
          continue;
        }
        rotated = true;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const mrp = m[r * n + p] as number;
          const mrq = m[r * n + q] as number;
          m[r * n + p] = c * mrp - s * mrq;
          m[r * n + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < n; r++) {
          const mpr = m[p * n + r] as number;
          const mqr = m[q * n + r] as number;
          m[p * n + r] = c * mpr - s * mqr;
          m[q * n + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = v[r * n + p] as number;
          const vrq = v[r * n + q] as number;
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
    if (!rotated) break;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => (m[y * n + y] as number) - (m[x * n + x] as number) || x - y,
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src] as number;
    for (let r = 0; r < n; r++) vectors[r * n + dst] = v[r * n + src] as number;
  });
  return { values, vectors };
}

/**
 * Eigen-decomposition of the symmetric tridiagonal `m x m` matrix with diagonal `alpha` and
 * off-diagonal `beta` (`beta[j]` at (j, j+1)), by ml-matrix's `EigenvalueDecomposition` (JAMA's
 * tred2 + tql2). On a tridiagonal matrix its results equal those of the hand port of JAMA's tql2
 * this replaced bit for bit, up to each eigenvector's sign (checked on 100 random tridiagonal
 * matrices of 2 to 61 rows); callers use eigenvectors only up to sign.
 * @returns eigenvalues ascending, and `vectors` (row-major `m x m`) whose column j is the unit
 *   eigenvector of `values[j]`.
 */
export async function tridiagonalEigen(
  alpha: readonly number[],
  beta: readonly number[],
  m: number,
): Promise<{ values: Float64Array; vectors: Float64Array }> {
  mlMatrix ??= loadMlMatrix();
  const { EigenvalueDecomposition, Matrix } = await mlMatrix;
  const t = Matrix.zeros(m, m);
  for (let j = 0; j < m; j++) {
    t.set(j, j, alpha[j] as number);
    if (j + 1 < m) {
      t.set(j, j + 1, beta[j] as number);
      t.set(j + 1, j, beta[j] as number);
    }
  }
  const evd = new EigenvalueDecomposition(t, { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const vectors = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) vectors[i * m + j] = v.get(i, j);
  return { values: Float64Array.from(evd.realEigenvalues), vectors };
}
