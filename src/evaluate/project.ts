/**
 * Projection of the embeddings onto their top two principal components, for the report's map.
 * Pure and deterministic: the same vectors give the same bytes.
 *
 * The covariance matrix C = Xcᵀ·Xc / (rows - 1) (Xc: the rows centred) is never formed: forming
 * it costs rows·dims²/2 multiply-adds (1.4e9 for 18,846 x 384, over a second in V8). Instead the
 * Lanczos algorithm with full reorthogonalisation finds C's top eigenpairs from products
 * C·v = Xcᵀ(Xc·v), each one pass over the data (rows·dims·2 multiply-adds); a few dozen
 * products usually reach the tolerance. The small tridiagonal matrix it builds is diagonalised by
 * the implicit QL algorithm (EISPACK's `tql2`, as ported by JAMA).
 */
import type { Embeddings } from "../types.js";

/**
 * Ritz pairs count as converged when their residual is below this share of the top eigenvalue.
 * A vector's error is about residual / (gap to the next eigenvalue): with a gap of 1% of the top
 * eigenvalue that is 1e-7, float32's resolution of the coordinates returned.
 */
const TOLERANCE = 1e-9;

/**
 * The 2-D coordinates of each row on the first two principal components (largest variance
 * first), as `(x - mean) . v`; the same as scikit-learn's `PCA(2).fit_transform` up to each
 * component's sign. The sign is fixed so that the component's loading with the largest absolute
 * value (the first such, on ties) is positive. A component that does not exist (fewer than
 * 2 dims, fewer than 3 rows, or no variance along it) gives zeros.
 * @returns `rows * 2` float32 values, row-major: `[pc1_0, pc2_0, pc1_1, pc2_1, ...]`.
 * @throws RangeError when `data` does not hold `rows * dims` values.
 */
export function pca2(emb: Embeddings): Float32Array {
  const { rows, dims, data } = emb;
  if (data.length !== rows * dims) {
    throw new RangeError(`embeddings hold ${data.length} values, expected ${rows} x ${dims}`);
  }
  const out = new Float32Array(rows * 2);
  if (rows === 0 || dims === 0) return out;

  const mean = new Float64Array(dims);
  for (let i = 0; i < rows; i++) {
    const o = i * dims;
    for (let t = 0; t < dims; t++) mean[t] = (mean[t] as number) + (data[o + t] as number);
  }
  for (let t = 0; t < dims; t++) mean[t] = (mean[t] as number) / rows;

  const components = topEigenvectors(data, rows, dims, mean, 2);
  components.forEach((v, c) => {
    let best = 0;
    for (let t = 1; t < dims; t++) {
      if (Math.abs(v[t] as number) > Math.abs(v[best] as number)) best = t;
    }
    if ((v[best] as number) < 0) for (let t = 0; t < dims; t++) v[t] = -(v[t] as number);
    let shift = 0;
    for (let t = 0; t < dims; t++) shift += (mean[t] as number) * (v[t] as number);
    for (let i = 0; i < rows; i++) {
      const o = i * dims;
      out[i * 2 + c] = rowDot(data, o, v, dims) - shift;
    }
  });
  return out;
}

/**
 * y = C·v for the covariance C of the rows about `mean`, in one pass over the data:
 * s_i = (x_i - mean)·v, then y = Σ s_i (x_i - mean) / (rows - 1) = (Σ s_i x_i - mean Σ s_i) / ….
 * Rows go four at a time, so that each y[t] is loaded and stored once per four rows.
 */
function covarianceTimes(
  data: Float32Array,
  rows: number,
  dims: number,
  mean: Float64Array,
  v: Float64Array,
  y: Float64Array,
): void {
  let shift = 0;
  for (let t = 0; t < dims; t++) shift += (mean[t] as number) * (v[t] as number);
  y.fill(0);
  let total = 0;
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * dims;
    const o1 = o0 + dims;
    const o2 = o1 + dims;
    const o3 = o2 + dims;
    const s0 = rowDot(data, o0, v, dims) - shift;
    const s1 = rowDot(data, o1, v, dims) - shift;
    const s2 = rowDot(data, o2, v, dims) - shift;
    const s3 = rowDot(data, o3, v, dims) - shift;
    total += s0 + s1 + s2 + s3;
    for (let t = 0; t < dims; t++) {
      y[t] =
        (y[t] as number) +
        s0 * (data[o0 + t] as number) +
        s1 * (data[o1 + t] as number) +
        s2 * (data[o2 + t] as number) +
        s3 * (data[o3 + t] as number);
    }
  }
  for (; i < rows; i++) {
    const o = i * dims;
    const s = rowDot(data, o, v, dims) - shift;
    total += s;
    for (let t = 0; t < dims; t++) y[t] = (y[t] as number) + s * (data[o + t] as number);
  }
  const denom = Math.max(1, rows - 1);
  for (let t = 0; t < dims; t++) y[t] = ((y[t] as number) - (mean[t] as number) * total) / denom;
}

/**
 * `data[o .. o + dims) · v`. Four partial sums: a single running sum waits on the latency of
 * each addition, which made this loop the bottleneck.
 */
function rowDot(data: Float32Array, o: number, v: Float64Array, dims: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < dims; t += 4) {
    s0 += (data[o + t] as number) * (v[t] as number);
    s1 += (data[o + t + 1] as number) * (v[t + 1] as number);
    s2 += (data[o + t + 2] as number) * (v[t + 2] as number);
    s3 += (data[o + t + 3] as number) * (v[t + 3] as number);
  }
  for (; t < dims; t++) s0 += (data[o + t] as number) * (v[t] as number);
  return s0 + s1 + (s2 + s3);
}

/** A fixed pseudo-random start vector (mulberry32), so that runs are reproducible. */
function startVector(dims: number): Float64Array {
  let a = 0x9e3779b9;
  const v = new Float64Array(dims);
  for (let t = 0; t < dims; t++) {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    v[t] = ((x ^ (x >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return v;
}

/**
 * The unit eigenvectors of the covariance's `count` largest eigenvalues, largest first; an
 * eigenvalue that is zero (to rounding) gives no vector, so fewer may come back.
 */
function topEigenvectors(
  data: Float32Array,
  rows: number,
  dims: number,
  mean: Float64Array,
  count: number,
): Float64Array[] {
  const basis: Float64Array[] = []; // Lanczos vectors q_0..q_{m-1}
  const alpha: number[] = [];
  const beta: number[] = []; // beta[j] couples q_j and q_{j+1}
  let q = startVector(dims);
  normalise(q);
  const w = new Float64Array(dims);
  let ritz: { values: Float64Array; vectors: Float64Array } | undefined;
  let scale = 0; // largest |Ritz value| so far: the size of C for the tolerances
  for (let m = 1; m <= dims; m++) {
    basis.push(q);
    covarianceTimes(data, rows, dims, mean, q, w);
    const a = dot(w, q);
    alpha.push(a);
    // Full reorthogonalisation, twice ("twice is enough"): keeps the basis orthonormal to
    // rounding, so no spurious copies of converged eigenvalues appear.
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(w, b);
        for (let t = 0; t < dims; t++) w[t] = (w[t] as number) - c * (b[t] as number);
      }
    }
    const bNext = Math.sqrt(dot(w, w));
    ritz = tridiagonalEigen(alpha, beta, m);
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
  const m = basis.length;
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

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += (a[t] as number) * (b[t] as number);
  return s;
}

function normalise(v: Float64Array): void {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let t = 0; t < v.length; t++) v[t] = (v[t] as number) / n;
}

/**
 * Eigen-decomposition of the symmetric tridiagonal `m x m` matrix with diagonal `alpha` and
 * off-diagonal `beta` (`beta[j]` at (j, j+1)).
 * @returns eigenvalues ascending, and `vectors` (row-major `m x m`) whose column j is the unit
 *   eigenvector of `values[j]`.
 */
function tridiagonalEigen(
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

/** Implicit QL on the tridiagonal matrix, then sorting ascending (JAMA's `tql2`). */
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
