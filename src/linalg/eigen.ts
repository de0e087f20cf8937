/**
 * Symmetric eigen-decompositions, one solver per shape of problem. Pure.
 *
 * - `symmetricEigen`: a small dense symmetric matrix, by cyclic Jacobi rotations (the randomized
 *   SVD's l x l Gram matrix). Jacobi gives the small eigenvalues of a semidefinite matrix full
 *   relative accuracy, which the SVD's smallest singular values need.
 * - `tridiagonalEigen`: the Lanczos driver's tridiagonal matrix, by implicit QL (EISPACK's
 *   `tql2` as ported by JAMA), which works on the tridiagonal form directly.
 *
 * ml-matrix's `EigenvalueDecomposition` (JAMA's tred2 + tql2) was considered for both: it would
 * first reduce to tridiagonal form with Householder reflections, which changes the last bits of
 * the results and so every output of the program; the two solvers here are kept to keep the
 * outputs byte for byte.
 */

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
 * off-diagonal `beta` (`beta[j]` at (j, j+1)).
 * @returns eigenvalues ascending, and `vectors` (row-major `m x m`) whose column j is the unit
 *   eigenvector of `values[j]`.
 */
export function tridiagonalEigen(
  alpha: readonly number[],
  beta: readonly number[],
  m: number,
): { values: Float64Array; vectors: Float64Array } {
  const d = Float64Array.from(alpha.slice(0, m));
  const e = new Float64Array(m);
  for (let j = 1; j < m; j++) e[j] = beta[j - 1] as number; // tql2 reads e[1..m-1]
  const v = new Float64Array(m * m);
  for (let j = 0; j < m; j++) v[j * m + j] = 1;
  tql2(v, d, e, m);
  return { values: d, vectors: v };
}

/**
 * Implicit QL on the tridiagonal matrix, then sorting ascending (JAMA's `tql2`). Longer than a
 * screen on purpose: a line-for-line port, so that it can be checked against JAMA's.
 */
function tql2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const at = (i: number, j: number) => V[i * n + j] as number;
  const set = (i: number, j: number, x: number) => {
    V[i * n + j] = x;
  };
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m] as number) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      // At most a few dozen sweeps in practice; the cap guards against NaN input.
      for (let iter = 0; iter < 100; iter++) {
        let g = d[l] as number;
        let p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        const dl1 = d[l + 1] as number;
        let h = g - (d[l] as number);
        for (let i = l + 2; i < n; i++) d[i] = (d[i] as number) - h;
        f += h;
        p = d[m] as number;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1] as number;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] as number);
          h = c * p;
          r = Math.hypot(p, e[i] as number);
          e[i + 1] = s * r;
          s = (e[i] as number) / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));
          for (let k = 0; k < n; k++) {
            h = at(k, i + 1);
            set(k, i + 1, s * at(k, i) + c * h);
            set(k, i, c * at(k, i) - s * h);
          }
        }
        p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l] as number) > eps * tst1)) break;
      }
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }
  // Selection sort ascending, moving the vectors along.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i] as number;
    for (let j = i + 1; j < n; j++) {
      if ((d[j] as number) < p) {
        k = j;
        p = d[j] as number;
      }
    }
    if (k !== i) {
      d[k] = d[i] as number;
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const t = at(j, i);
        set(j, i, at(j, k));
        set(j, k, t);
      }
    }
  }
}
