/**
 * Linear sum assignment (Hungarian method, shortest augmenting path form of Jonker-Volgenant
 * as described by Crouse, 2016), the algorithm behind `scipy.optimize.linear_sum_assignment`.
 */

/** An optimal assignment: row `rows[k]` is matched with column `cols[k]`. */
export interface Assignment {
  /** Row indices, strictly increasing. */
  rows: number[];
  /** Column matched with each entry of `rows`. */
  cols: number[];
}

/**
 * Solves the rectangular linear sum assignment problem, with the semantics of scipy's
 * `linear_sum_assignment(cost, maximize)`.
 *
 * @param cost `n` rows of `m` numbers each (every row the same length). `+Infinity` marks a
 *   forbidden pair when minimising; `NaN` (and `-Infinity` when minimising, `+Infinity` when
 *   maximising) is rejected.
 * @param maximize Maximise the total instead of minimising it (default `false`).
 * @returns `min(n, m)` pairs: every row of the smaller side is assigned, each row and column at
 *   most once, `rows` sorted ascending, so that the sum of `cost[rows[k]][cols[k]]` is optimal.
 *   An empty matrix (`n = 0` or `m = 0`) gives two empty arrays.
 * @throws RangeError when the rows differ in length, an entry is invalid, or no assignment of
 *   finite total exists.
 */
// One function of about 110 lines on purpose: it follows scipy's rectangular_lsap.cpp step by
// step (validation, transposition, augmenting paths, dual updates), so that it can be checked
// against it line by line; split, the shared state would travel through many parameters.
export function linearSumAssignment(cost: number[][], maximize = false): Assignment {
  const nRows = cost.length;
  const nCols = nRows === 0 ? 0 : (cost[0] as number[]).length;
  for (const row of cost) {
    if (row.length !== nCols) {
      throw new RangeError("linearSumAssignment: cost matrix rows differ in length");
    }
  }
  if (nRows === 0 || nCols === 0) return { rows: [], cols: [] };

  // The solver needs at least as many columns as rows, so a tall matrix is solved transposed.
  const transpose = nCols < nRows;
  const nr = transpose ? nCols : nRows;
  const nc = transpose ? nRows : nCols;
  const c = new Float64Array(nr * nc);
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < nRows; i++) {
    const row = cost[i] as number[];
    for (let j = 0; j < nCols; j++) {
      const x = sign * (row[j] as number);
      if (Number.isNaN(x) || x === Number.NEGATIVE_INFINITY) {
        throw new RangeError("linearSumAssignment: cost matrix contains invalid numeric entries");
      }
      if (transpose) c[j * nc + i] = x;
      else c[i * nc + j] = x;
    }
  }

  const u = new Float64Array(nr);
  const v = new Float64Array(nc);
  const shortest = new Float64Array(nc);
  const path = new Int32Array(nc).fill(-1);
  const col4row = new Int32Array(nr).fill(-1);
  const row4col = new Int32Array(nc).fill(-1);
  const inRows = new Uint8Array(nr);
  const inCols = new Uint8Array(nc);
  const remaining = new Int32Array(nc);

  for (let curRow = 0; curRow < nr; curRow++) {
    // Dijkstra-like search for the shortest augmenting path from curRow to a free column.
    let minVal = 0;
    let nRemaining = nc;
    // Reverse order makes a constant matrix yield the identity, as scipy does.
    for (let it = 0; it < nc; it++) remaining[it] = nc - it - 1;
    inRows.fill(0);
    inCols.fill(0);
    shortest.fill(Number.POSITIVE_INFINITY);

    let sink = -1;
    let i = curRow;
    while (sink === -1) {
      let index = -1;
      let lowest = Number.POSITIVE_INFINITY;
      inRows[i] = 1;
      const base = i * nc;
      const ui = u[i] as number;
      for (let it = 0; it < nRemaining; it++) {
        const j = remaining[it] as number;
        const r = minVal + (c[base + j] as number) - ui - (v[j] as number);
        if (r < (shortest[j] as number)) {
          path[j] = i;
          shortest[j] = r;
        }
        const sj = shortest[j] as number;
        // On ties prefer a free column: it ends the search early (matters for integer costs).
        if (sj < lowest || (sj === lowest && row4col[j] === -1)) {
          lowest = sj;
          index = it;
        }
      }
      minVal = lowest;
      if (minVal === Number.POSITIVE_INFINITY || index < 0) {
        throw new RangeError("linearSumAssignment: cost matrix is infeasible");
      }
      const j = remaining[index] as number;
      if (row4col[j] === -1) sink = j;
      else i = row4col[j] as number;
      inCols[j] = 1;
      nRemaining--;
      remaining[index] = remaining[nRemaining] as number;
    }

    // Update the dual variables.
    u[curRow] = (u[curRow] as number) + minVal;
    for (let r = 0; r < nr; r++) {
      if (inRows[r] && r !== curRow) {
        u[r] = (u[r] as number) + minVal - (shortest[col4row[r] as number] as number);
      }
    }
    for (let j = 0; j < nc; j++) {
      if (inCols[j]) v[j] = (v[j] as number) - (minVal - (shortest[j] as number));
    }

    // Augment the matching along the path.
    let j = sink;
    for (;;) {
      const r = path[j] as number;
      row4col[j] = r;
      const prev = col4row[r] as number;
      col4row[r] = j;
      j = prev;
      if (r === curRow) break;
    }
  }

  if (!transpose) {
    return { rows: Array.from({ length: nr }, (_, r) => r), cols: Array.from(col4row) };
  }
  // Transposed: col4row maps original columns to original rows; report by ascending row.
  const order = Array.from({ length: nr }, (_, k) => k).sort(
    (a, b) => (col4row[a] as number) - (col4row[b] as number),
  );
  return { rows: order.map((k) => col4row[k] as number), cols: order };
}
