/**
 * Dense row-major products and orthonormalisation, in slices of rows so that a caller's
 * interrupt checkpoint runs between them. Pure but for the checkpoint.
 */
import type { Checkpoint } from "../interrupt.js";

/** Rows per slice between two checkpoints; a multiple of 4, so the 4-row kernels keep their order. */
const SLICE_ROWS = 1024;

/**
 * Calls `body(from, to)` on consecutive slices of `0..rows-1` and `checkpoint()` before each.
 * Every slice but the last holds a multiple of 4 rows.
 */
export async function bySlices(
  rows: number,
  checkpoint: Checkpoint | undefined,
  body: (from: number, to: number) => void,
): Promise<void> {
  for (let from = 0; from < rows; from += SLICE_ROWS) {
    await checkpoint?.();
    body(from, Math.min(rows, from + SLICE_ROWS));
  }
}

/**
 * Rows `from..to-1` of out (n x k) = x (n x p) w (p x k), all row-major; out may be x itself
 * when k = p. With `upper`, w is taken as upper-triangular and its zeros below the diagonal are
 * skipped.
 */
export function denseMultiply(
  x: Float64Array,
  p: number,
  w: Float64Array,
  k: number,
  out: Float64Array,
  upper: boolean,
  from: number,
  to: number,
): void {
  const buf = new Float64Array(k);
  for (let i = from; i < to; i++) {
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
 * Adds rows `from..to-1` of x (row-major, l columns) to the upper triangle of g = xᵀx (l x l),
 * four rows per pass over g. Summing all rows in slices whose sizes (but the last) are multiples
 * of 4 adds in the same order as one call; `mirror` then fills the lower triangle.
 */
export function gramRows(x: Float64Array, l: number, g: Float64Array, from: number, to: number) {
  let r = from;
  for (; r + 4 <= to; r += 4) {
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
  for (; r < to; r++) {
    const o = r * l;
    for (let a = 0; a < l; a++) {
      const xa = x[o + a] as number;
      if (xa === 0) continue;
      const ga = a * l;
      for (let b = a; b < l; b++) g[ga + b] = (g[ga + b] as number) + xa * (x[o + b] as number);
    }
  }
}

/** Copies the upper triangle of the l x l matrix g onto its lower triangle. */
export function mirror(g: Float64Array, l: number): void {
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) g[a * l + b] = g[b * l + a] as number;
}

/** xᵀx (l x l, row-major) of a row-major m x l matrix. */
export async function gram(
  x: Float64Array,
  m: number,
  l: number,
  checkpoint?: Checkpoint,
): Promise<Float64Array> {
  const g = new Float64Array(l * l);
  await bySlices(m, checkpoint, (from, to) => gramRows(x, l, g, from, to));
  mirror(g, l);
  return g;
}

/**
 * Orthonormalises the columns of x (n x l, row-major) in place by Cholesky QR: G = xᵀx = RᵀR,
 * x <- x R⁻¹. Both passes stream x row by row, which on these tall matrices (up to ~25k x 110)
 * is several times faster than Householder or Gram-Schmidt, whose l passes over x each miss the
 * cache. Orthogonality is lost like eps * cond(x)², so a final basis should be computed twice
 * (CholeskyQR2). A column whose residual after the earlier ones is below 1e-6 of its norm
 * (numerically dependent: a rank-deficient matrix) is set to zero instead of amplified noise.
 * @returns the number of columns kept (not zeroed).
 */
export async function choleskyQr(
  x: Float64Array,
  n: number,
  l: number,
  checkpoint?: Checkpoint,
): Promise<number> {
  const r = await gram(x, n, l, checkpoint);
  const { kept, rank } = choleskyInPlace(r, l);
  const inv = upperInverse(r, kept, l);
  await bySlices(n, checkpoint, (from, to) => denseMultiply(x, l, inv, l, x, true, from, to));
  return rank;
}

/**
 * Upper Cholesky factor in place of the Gram matrix r (l x l), row by row; a dropped column's
 * row is zero, so the kept rows and columns hold the Cholesky factor of the kept columns' Gram
 * matrix.
 */
function choleskyInPlace(r: Float64Array, l: number): { kept: Uint8Array; rank: number } {
  const kept = new Uint8Array(l);
  let rank = 0;
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
  return { kept, rank };
}

/** R⁻¹ on the kept columns (zero rows and columns elsewhere), by back substitution. */
function upperInverse(r: Float64Array, kept: Uint8Array, l: number): Float64Array {
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
  return inv;
}

/** a · b over their common length. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += (a[t] as number) * (b[t] as number);
  return s;
}

/** Scales v to unit L2 norm in place; a zero vector stays zero. */
export function normalise(v: Float64Array): void {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let t = 0; t < v.length; t++) v[t] = (v[t] as number) / n;
}
