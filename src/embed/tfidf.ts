/**
 * A model-free `Embedder`: latent semantic analysis as in scikit-learn's "Clustering text
 * documents using k-means" example, `TfidfVectorizer(stop_words="english", max_df=0.5,
 * min_df=5)` then `TruncatedSVD(100)` then `Normalizer()`, on typed arrays.
 *
 * The SVD is scikit-learn's randomized one (`randomized_svd`: Halko, Martinsson & Tropp 2011,
 * n_oversamples=10, n_iter=5) with a seeded PRNG of its own and a Cholesky-QR normaliser in
 * place of its LU one (same subspaces in exact arithmetic), so the subspace it finds is
 * scikit-learn's up to the random start and rounding, not bit for bit.
 */
import { dataError } from "../errors.js";
import { analyze, compareCodePoints } from "../text/analyze.js";
import { ENGLISH_STOP_WORDS } from "../text/stopwords.js";
import type { Embeddings } from "../types.js";
import type { Embedder, EmbedderInfo, EmbedProgress } from "./embedder.js";

/** Compressed sparse rows: row i's entries are `indices[indptr[i]..indptr[i+1]]`, sorted. */
export interface CsrMatrix {
  rows: number;
  cols: number;
  /** `rows + 1` offsets into `indices` and `data`. */
  indptr: Int32Array;
  /** Column of each stored entry, ascending within a row. */
  indices: Int32Array;
  data: Float64Array;
}

/** Document-frequency pruning and term weighting, as `TfidfVectorizer`'s parameters. */
export interface TfidfOptions {
  /** Keep terms in at least this many posts (>= 1), or this share of posts (< 1). */
  minDf: number;
  /** Keep terms in at most this share of posts (<= 1), or this many posts (> 1). */
  maxDf: number;
  /** tf = 1 + ln(count) instead of count. */
  sublinearTf: boolean;
  /** Tokens to drop; default: scikit-learn's English list. Pass an empty set to keep all. */
  stopWords?: ReadonlySet<string>;
}

/** A TF-IDF matrix with its columns' terms. */
export interface TfidfResult {
  /** posts x terms; rows are L2-normalised (rows without a kept term are all zero). */
  matrix: CsrMatrix;
  /** Term of each column, sorted by code point as scikit-learn sorts its vocabulary. */
  vocabulary: string[];
  /** Smoothed idf of each column: ln((1 + posts) / (1 + df)) + 1. */
  idf: Float64Array;
}

/**
 * Counts terms post by post (`add`), then prunes and weights them (`finish`), so that a caller
 * can report progress and yield between posts.
 */
class TermCounter {
  private readonly ids = new Map<string, number>();
  private readonly terms: string[] = [];
  private readonly df: number[] = [];
  private readonly lastDoc: number[] = [];
  private readonly scratch: number[] = [];
  private readonly entryTerm: number[] = [];
  private readonly entryCount: number[] = [];
  private readonly rowEnd: number[] = [];

  constructor(private readonly stopWords: ReadonlySet<string>) {}

  add(text: string): void {
    const doc = this.rowEnd.length;
    const first = this.entryTerm.length;
    for (const token of analyze(text, this.stopWords)) {
      let id = this.ids.get(token);
      if (id === undefined) {
        id = this.terms.length;
        this.ids.set(token, id);
        this.terms.push(token);
        this.df.push(0);
        this.lastDoc.push(-1);
        this.scratch.push(0);
      }
      if (this.lastDoc[id] !== doc) {
        this.lastDoc[id] = doc;
        this.scratch[id] = 1;
        this.entryTerm.push(id);
      } else {
        this.scratch[id] = (this.scratch[id] as number) + 1;
      }
    }
    for (let e = first; e < this.entryTerm.length; e++) {
      const id = this.entryTerm[e] as number;
      this.entryCount.push(this.scratch[id] as number);
      this.df[id] = (this.df[id] as number) + 1;
    }
    this.rowEnd.push(this.entryTerm.length);
  }

  /** @throws CliError(data) when the thresholds contradict each other or leave no term. */
  finish(opts: TfidfOptions): TfidfResult {
    const n = this.rowEnd.length;
    const maxCount = opts.maxDf <= 1 ? opts.maxDf * n : opts.maxDf;
    const minCount = opts.minDf < 1 ? opts.minDf * n : opts.minDf;
    if (maxCount < minCount) {
      throw dataError(
        `tf-idf: max_df ${opts.maxDf} allows fewer posts (${maxCount}) than min_df ${opts.minDf} ` +
          `requires (${minCount}) among ${n} posts`,
      );
    }
    const kept: number[] = [];
    for (let id = 0; id < this.terms.length; id++) {
      const d = this.df[id] as number;
      if (d >= minCount && d <= maxCount) kept.push(id);
    }
    if (kept.length === 0) {
      throw dataError(
        `tf-idf: no term of ${n} posts is in at least ${minCount} and at most ${maxCount} posts ` +
          "(after dropping stop words); select more posts",
      );
    }
    kept.sort((a, b) => compareCodePoints(this.terms[a] as string, this.terms[b] as string));
    const column = new Int32Array(this.terms.length).fill(-1);
    const vocabulary = kept.map((id, j) => {
      column[id] = j;
      return this.terms[id] as string;
    });
    const idf = new Float64Array(kept.length);
    kept.forEach((id, j) => {
      // scikit-learn's smooth_idf: as if one extra post held every term once.
      idf[j] = Math.log((n + 1) / ((this.df[id] as number) + 1)) + 1;
    });

    let nnz = 0;
    for (const id of this.entryTerm) if ((column[id] as number) >= 0) nnz++;
    const indptr = new Int32Array(n + 1);
    const indices = new Int32Array(nnz);
    const data = new Float64Array(nnz);
    const countOf = new Float64Array(kept.length);
    let at = 0;
    let start = 0;
    for (let i = 0; i < n; i++) {
      const end = this.rowEnd[i] as number;
      const rowStart = at;
      for (let e = start; e < end; e++) {
        const j = column[this.entryTerm[e] as number] as number;
        if (j < 0) continue;
        indices[at++] = j;
        countOf[j] = this.entryCount[e] as number;
      }
      indices.subarray(rowStart, at).sort();
      let sq = 0;
      for (let p = rowStart; p < at; p++) {
        const j = indices[p] as number;
        const c = countOf[j] as number;
        const tf = opts.sublinearTf ? Math.log(c) + 1 : c;
        const v = tf * (idf[j] as number);
        data[p] = v;
        sq += v * v;
      }
      if (sq > 0) {
        const norm = Math.sqrt(sq);
        for (let p = rowStart; p < at; p++) data[p] = (data[p] as number) / norm;
      }
      indptr[i + 1] = at;
      start = end;
    }
    return { matrix: { rows: n, cols: kept.length, indptr, indices, data }, vocabulary, idf };
  }
}

/**
 * scikit-learn's `TfidfVectorizer(stop_words=..., min_df=..., max_df=..., sublinear_tf=...)`
 * `.fit_transform(texts)` with the other parameters at their defaults (l2 norm, smooth idf).
 * @throws CliError(data) when no term survives the document-frequency limits.
 */
export function tfidfMatrix(texts: readonly string[], opts: TfidfOptions): TfidfResult {
  const counter = new TermCounter(opts.stopWords ?? ENGLISH_STOP_WORDS);
  for (const t of texts) counter.add(t);
  return counter.finish(opts);
}

/** Options of `randomizedSvd`, as `sklearn.utils.extmath.randomized_svd`'s. */
export interface RandomizedSvdOptions {
  /** Extra random directions beyond `k` (default 10). */
  nOversamples?: number;
  /** Power iterations (default 5). */
  nIter?: number;
  /** Seed of the Gaussian start matrix. */
  seed: number;
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
 * @throws RangeError for a k out of range.
 */
export function randomizedSvd(a: CsrMatrix, k: number, opts: RandomizedSvdOptions): SvdResult {
  const { rows: n, cols: m } = a;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(n, m)) {
    throw new RangeError(
      `randomizedSvd: k must be an integer from 1 to ${Math.min(n, m)}, got ${k}`,
    );
  }
  const l = Math.min(k + (opts.nOversamples ?? 10), n, m);
  const nIter = opts.nIter ?? 5;
  const at = transpose(a);
  const omega = gaussianMatrix(m, l, opts.seed);
  const y = new Float64Array(n * l);
  for (let it = 0; it < nIter; it++) {
    multiply(a, omega, l, y);
    choleskyQr(y, n, l);
    multiply(at, y, l, omega);
    choleskyQr(omega, m, l);
  }
  multiply(a, omega, l, y);
  choleskyQr(y, n, l);
  choleskyQr(y, n, l);
  // Q = y. Bᵀ = Aᵀ Q (cols x l), so B Bᵀ = (Bᵀ)ᵀ Bᵀ = W diag(s²) Wᵀ and U = Q W.
  const bt = omega;
  multiply(at, y, l, bt);
  const { values, vectors } = symmetricEigen(gram(bt, m, l), l);

  const s = new Float64Array(k);
  for (let c = 0; c < k; c++) s[c] = Math.sqrt(Math.max(values[c] as number, 0));
  const w = new Float64Array(l * k);
  for (let r = 0; r < l; r++) w.set(vectors.subarray(r * l, r * l + k), r * k);
  const u = new Float64Array(n * k);
  denseMultiply(y, n, l, w, k, u, false);
  // svd_flip (u_based_decision=True): the largest-magnitude entry of each column is positive.
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
  return { k, u, s };
}

/** Aᵀ as a CSR matrix (A in compressed sparse columns), indices sorted within rows. */
function transpose(a: CsrMatrix): CsrMatrix {
  const nnz = a.indices.length;
  const indptr = new Int32Array(a.cols + 1);
  for (let p = 0; p < nnz; p++) {
    const j = (a.indices[p] as number) + 1;
    indptr[j] = (indptr[j] as number) + 1;
  }
  for (let j = 0; j < a.cols; j++)
    indptr[j + 1] = (indptr[j + 1] as number) + (indptr[j] as number);
  const next = indptr.slice(0, a.cols);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  for (let i = 0; i < a.rows; i++) {
    for (let p = a.indptr[i] as number; p < (a.indptr[i + 1] as number); p++) {
      const j = a.indices[p] as number;
      const q = next[j] as number;
      next[j] = q + 1;
      indices[q] = i;
      data[q] = a.data[p] as number;
    }
  }
  return { rows: a.cols, cols: a.rows, indptr, indices, data };
}

/**
 * out (rows x l) = A x, x row-major (cols x l). Four stored entries per pass over the output
 * row: the inner loops are memory-bound, and this quarters the output's loads and stores.
 */
function multiply(a: CsrMatrix, x: Float64Array, l: number, out: Float64Array): void {
  const { indptr, indices, data } = a;
  out.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const o = i * l;
    const end = indptr[i + 1] as number;
    let p = indptr[i] as number;
    for (; p + 4 <= end; p += 4) {
      const v0 = data[p] as number;
      const v1 = data[p + 1] as number;
      const v2 = data[p + 2] as number;
      const v3 = data[p + 3] as number;
      const x0 = (indices[p] as number) * l;
      const x1 = (indices[p + 1] as number) * l;
      const x2 = (indices[p + 2] as number) * l;
      const x3 = (indices[p + 3] as number) * l;
      for (let c = 0; c < l; c++) {
        out[o + c] =
          (out[o + c] as number) +
          v0 * (x[x0 + c] as number) +
          v1 * (x[x1 + c] as number) +
          v2 * (x[x2 + c] as number) +
          v3 * (x[x3 + c] as number);
      }
    }
    for (; p < end; p++) {
      const v = data[p] as number;
      const xo = (indices[p] as number) * l;
      for (let c = 0; c < l; c++) out[o + c] = (out[o + c] as number) + v * (x[xo + c] as number);
    }
  }
}

/**
 * out (n x k) = x (n x p) w (p x k), all row-major; out may be x itself when k = p. With
 * `upper`, w is taken as upper-triangular and its zeros below the diagonal are skipped.
 */
function denseMultiply(
  x: Float64Array,
  n: number,
  p: number,
  w: Float64Array,
  k: number,
  out: Float64Array,
  upper: boolean,
): void {
  const buf = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const xo = i * p;
    buf.fill(0);
    let t = 0;
    for (; t + 4 <= p; t += 4) {
      const a0 = x[xo + t] as number;
      const a1 = x[xo + t + 1] as number;
      const a2 = x[xo + t + 2] as number;
      const a3 = x[xo + t + 3] as number;
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const w0 = t * k;
      const w1 = w0 + k;
      const w2 = w1 + k;
      const w3 = w2 + k;
      for (let c = upper ? t : 0; c < k; c++) {
        buf[c] =
          (buf[c] as number) +
          a0 * (w[w0 + c] as number) +
          a1 * (w[w1 + c] as number) +
          a2 * (w[w2 + c] as number) +
          a3 * (w[w3 + c] as number);
      }
    }
    for (; t < p; t++) {
      const a0 = x[xo + t] as number;
      if (a0 === 0) continue;
      const w0 = t * k;
      for (let c = upper ? t : 0; c < k; c++)
        buf[c] = (buf[c] as number) + a0 * (w[w0 + c] as number);
    }
    out.set(buf, i * k);
  }
}

/**
 * Orthonormalises the columns of x (n x l, row-major) in place by Cholesky QR: G = xᵀx = RᵀR,
 * x <- x R⁻¹. Both passes stream x row by row, which on these tall matrices (up to ~25k x 110)
 * is several times faster than Householder or Gram-Schmidt, whose l passes over x each miss the
 * cache. Orthogonality is lost like eps * cond(x)², so the final basis is computed twice
 * (CholeskyQR2); the power iterations only need well-conditioned columns, as scikit-learn's LU
 * normaliser gives. A column whose residual after the earlier ones is below 1e-6 of its norm
 * (numerically dependent: a rank-deficient matrix) is set to zero instead of amplified noise.
 * @returns the number of columns kept (not zeroed).
 */
export function choleskyQr(x: Float64Array, n: number, l: number): number {
  const r = gram(x, n, l);
  const kept = new Uint8Array(l);
  let rank = 0;
  // Upper Cholesky factor in place of G, row by row; a dropped column's row is zero, so the
  // kept rows and columns hold the Cholesky factor of the kept columns' Gram matrix.
  for (let k = 0; k < l; k++) {
    const gkk = r[k * l + k] as number;
    let d = gkk;
    for (let i = 0; i < k; i++) d -= (r[i * l + k] as number) ** 2;
    if (!(gkk > 0) || d <= 1e-12 * gkk) {
      for (let j = k; j < l; j++) r[k * l + j] = 0;
      continue;
    }
    kept[k] = 1;
    rank++;
    const rkk = Math.sqrt(d);
    r[k * l + k] = rkk;
    for (let j = k + 1; j < l; j++) {
      let v = r[k * l + j] as number;
      for (let i = 0; i < k; i++) v -= (r[i * l + k] as number) * (r[i * l + j] as number);
      r[k * l + j] = v / rkk;
    }
  }
  // R⁻¹ on the kept columns (zero rows and columns elsewhere), by back substitution.
  const inv = new Float64Array(l * l);
  for (let j = 0; j < l; j++) {
    if (kept[j] === 0) continue;
    inv[j * l + j] = 1 / (r[j * l + j] as number);
    for (let i = j - 1; i >= 0; i--) {
      if (kept[i] === 0) continue;
      let v = 0;
      for (let t = i + 1; t <= j; t++) v += (r[i * l + t] as number) * (inv[t * l + j] as number);
      inv[i * l + j] = -v / (r[i * l + i] as number);
    }
  }
  denseMultiply(x, n, l, inv, l, x, true);
  return rank;
}

/** xᵀx (l x l, row-major) of a row-major m x l matrix, four rows per pass over the result. */
function gram(x: Float64Array, m: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const o0 = r * l;
    const o1 = o0 + l;
    const o2 = o1 + l;
    const o3 = o2 + l;
    for (let a = 0; a < l; a++) {
      const x0 = x[o0 + a] as number;
      const x1 = x[o1 + a] as number;
      const x2 = x[o2 + a] as number;
      const x3 = x[o3 + a] as number;
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const ga = a * l;
      for (let b = a; b < l; b++) {
        g[ga + b] =
          (g[ga + b] as number) +
          x0 * (x[o0 + b] as number) +
          x1 * (x[o1 + b] as number) +
          x2 * (x[o2 + b] as number) +
          x3 * (x[o3 + b] as number);
      }
    }
  }
  for (; r < m; r++) {
    const o = r * l;
    for (let a = 0; a < l; a++) {
      const xa = x[o + a] as number;
      if (xa === 0) continue;
      const ga = a * l;
      for (let b = a; b < l; b++) g[ga + b] = (g[ga + b] as number) + xa * (x[o + b] as number);
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) g[a * l + b] = g[b * l + a] as number;
  return g;
}

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

/** rows x cols standard normal values (Box-Muller on a seeded mulberry32 stream), row-major. */
function gaussianMatrix(rows: number, cols: number, seed: number): Float64Array {
  const out = new Float64Array(rows * cols);
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let e = 0; e < out.length; e += 2) {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    out[e] = radius * Math.cos(angle);
    if (e + 1 < out.length) out[e + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** Options of `TfidfLsaEmbedder`; defaults are those of scikit-learn's clustering example. */
export interface TfidfLsaOptions {
  /** SVD components = embedding dimensions (default 100), fewer on tiny corpora. */
  components?: number;
  /** See `TfidfOptions.minDf` (default 5). */
  minDf?: number;
  /** See `TfidfOptions.maxDf` (default 0.5). */
  maxDf?: number;
  /** Default false. */
  sublinearTf?: boolean;
  /** Seed of the randomized SVD (default 42). */
  seed?: number;
}

/** Posts analysed between two yields to the event loop (progress, abort). */
const CHUNK = 500;

/**
 * TF-IDF (English stop words dropped) -> randomized truncated SVD -> L2 row normalisation.
 * Fits on the texts it embeds, so a post's vector depends on the whole set. Deterministic:
 * the same texts and options give the same bytes.
 */
export class TfidfLsaEmbedder implements Embedder {
  private current: EmbedderInfo;
  private readonly components: number;
  private readonly minDf: number;
  private readonly maxDf: number;
  private readonly sublinearTf: boolean;
  private readonly seed: number;

  /** @throws RangeError for options out of range. */
  constructor(opts: TfidfLsaOptions = {}) {
    this.components = opts.components ?? 100;
    this.minDf = opts.minDf ?? 5;
    this.maxDf = opts.maxDf ?? 0.5;
    this.sublinearTf = opts.sublinearTf ?? false;
    this.seed = opts.seed ?? 42;
    if (!Number.isInteger(this.components) || this.components < 1) {
      throw new RangeError(`components must be a positive integer, got ${this.components}`);
    }
    if (!(this.minDf > 0) || !(this.maxDf > 0)) {
      throw new RangeError(`minDf and maxDf must be positive, got ${this.minDf}, ${this.maxDf}`);
    }
    if (!Number.isInteger(this.seed))
      throw new RangeError(`seed must be an integer, got ${this.seed}`);
    this.current = {
      model: "tfidf-lsa",
      dtype: "n/a",
      device: "cpu",
      maxLength: 0,
      dims: this.components,
    };
  }

  /** `dims` is `components` until an embedding of a tiny corpus lowers it. */
  get info(): EmbedderInfo {
    return this.current;
  }

  /**
   * Embeds texts: rows of `min(components, posts - 1, terms - 1)` float32 values with unit L2
   * norm, except all-zero rows for posts that contain no kept term. Progress counts posts
   * tokenised and reaches the total only when the SVD is done.
   * @throws CliError(data) when fewer than 2 posts or 2 terms remain after pruning.
   */
  async embed(
    texts: readonly string[],
    onProgress?: EmbedProgress,
    signal?: AbortSignal,
  ): Promise<Embeddings> {
    const total = texts.length;
    onProgress?.(0, total);
    if (total === 0) return { rows: 0, dims: this.current.dims, data: new Float32Array(0) };
    const counter = new TermCounter(ENGLISH_STOP_WORDS);
    for (let i = 0; i < total; i++) {
      counter.add(texts[i] as string);
      if ((i + 1) % CHUNK === 0 && i + 1 < total) {
        onProgress?.(i + 1, total);
        await new Promise<void>((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
      }
    }
    const { matrix } = counter.finish({
      minDf: this.minDf,
      maxDf: this.maxDf,
      sublinearTf: this.sublinearTf,
    });
    const dims = Math.min(this.components, matrix.rows - 1, matrix.cols - 1);
    if (dims < 1) {
      throw dataError(
        `tf-idf: ${matrix.rows} posts and ${matrix.cols} terms after pruning; LSA needs at least 2 of each`,
      );
    }
    signal?.throwIfAborted();
    const { u, s } = randomizedSvd(matrix, dims, { seed: this.seed, nIter: 5, nOversamples: 10 });
    const data = new Float32Array(total * dims);
    const row = new Float64Array(dims);
    for (let i = 0; i < total; i++) {
      let sq = 0;
      for (let c = 0; c < dims; c++) {
        const v = (u[i * dims + c] as number) * (s[c] as number);
        row[c] = v;
        sq += v * v;
      }
      // Normalizer() leaves all-zero rows as they are (here +0, never a flipped -0).
      if (sq === 0) continue;
      const scale = 1 / Math.sqrt(sq);
      for (let c = 0; c < dims; c++) data[i * dims + c] = (row[c] as number) * scale;
    }
    this.current = { ...this.current, dims };
    onProgress?.(total, total);
    return { rows: total, dims, data };
  }

  async dispose(): Promise<void> {}
}
