/** Compressed sparse row matrices and their products with dense row-major blocks. Pure. */

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

/** Aᵀ as a CSR matrix (A in compressed sparse columns), indices sorted within rows. */
export function transpose(a: CsrMatrix): CsrMatrix {
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
 * Rows `from..to-1` of out (rows x l) = A x, x row-major (cols x l); the other rows of out are
 * left as they are, so a caller can compute the product in slices. Four stored entries per pass
 * over the output row: the inner loops are memory-bound, and this quarters the output's loads
 * and stores.
 */
export function sparseTimesDense(
  a: CsrMatrix,
  x: Float64Array,
  l: number,
  out: Float64Array,
  from = 0,
  to = a.rows,
): void {
  const { indptr, indices, data } = a;
  out.fill(0, from * l, to * l);
  for (let i = from; i < to; i++) {
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
