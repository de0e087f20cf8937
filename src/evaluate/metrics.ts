/**
 * External and internal clustering quality measures, matching scikit-learn 1.2.1
 * (`sklearn.metrics.cluster`) value for value, special cases included.
 *
 * Count matrices have one row per true class and one column per cluster. Empty rows and columns
 * are dropped first: scikit-learn builds its contingency table from the labels present, so it
 * never sees an empty class or cluster.
 */

import type { Scores } from "../types.js";
import { linearSumAssignment } from "./hungarian.js";

export type { Scores };

const EPS = 2.220446049250313e-16;

/**
 * Counts how often each (true class, cluster) pair occurs.
 *
 * @param truth `n` true class indices, integers in `[0, nTrue)`.
 * @param pred `n` cluster indices, integers in `[0, nPred)`.
 * @returns `nTrue` rows of `nPred` counts: `counts[i][j]` = samples of class `i` in cluster `j`.
 * @throws RangeError when the lengths differ or an index is out of range.
 */
export function contingencyMatrix(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  nTrue: number,
  nPred: number,
): number[][] {
  if (truth.length !== pred.length) {
    throw new RangeError(
      `contingencyMatrix: ${truth.length} true labels but ${pred.length} predicted labels`,
    );
  }
  if (!Number.isInteger(nTrue) || nTrue < 0 || !Number.isInteger(nPred) || nPred < 0) {
    throw new RangeError("contingencyMatrix: nTrue and nPred must be non-negative integers");
  }
  const counts = Array.from({ length: nTrue }, () => new Array<number>(nPred).fill(0));
  for (let s = 0; s < truth.length; s++) {
    const i = truth[s] as number;
    const j = pred[s] as number;
    if (!Number.isInteger(i) || i < 0 || i >= nTrue) {
      throw new RangeError(`contingencyMatrix: true label ${i} at ${s} is not in [0, ${nTrue})`);
    }
    if (!Number.isInteger(j) || j < 0 || j >= nPred) {
      throw new RangeError(`contingencyMatrix: cluster ${j} at ${s} is not in [0, ${nPred})`);
    }
    const row = counts[i] as number[];
    row[j] = (row[j] as number) + 1;
  }
  return counts;
}

/** A count matrix without empty rows and columns, with its margins. */
interface Table {
  /** Non-empty rows restricted to non-empty columns. */
  cells: number[][];
  rowSums: number[];
  colSums: number[];
  total: number;
}

function compact(counts: number[][]): Table {
  const nCols = counts.length === 0 ? 0 : (counts[0] as number[]).length;
  const allColSums = new Array<number>(nCols).fill(0);
  for (const row of counts) {
    if (row.length !== nCols) throw new RangeError("count matrix rows differ in length");
    for (let j = 0; j < nCols; j++) {
      const x = row[j] as number;
      if (!Number.isInteger(x) || x < 0) {
        throw new RangeError(`count matrix entry ${x} is not a non-negative integer`);
      }
      allColSums[j] = (allColSums[j] as number) + x;
    }
  }
  const keepCols: number[] = [];
  for (let j = 0; j < nCols; j++) if ((allColSums[j] as number) > 0) keepCols.push(j);
  const cells: number[][] = [];
  const rowSums: number[] = [];
  let total = 0;
  for (const row of counts) {
    let sum = 0;
    for (const j of keepCols) sum += row[j] as number;
    if (sum === 0) continue;
    cells.push(keepCols.map((j) => row[j] as number));
    rowSums.push(sum);
    total += sum;
  }
  return { cells, rowSums, colSums: keepCols.map((j) => allColSums[j] as number), total };
}

/** `sklearn.metrics.cluster.entropy` from the (positive) label counts. */
function entropyOf(sizes: number[], total: number): number {
  if (sizes.length === 0) return 1.0;
  if (sizes.length === 1) return 0.0;
  const logTotal = Math.log(total);
  let h = 0;
  for (const p of sizes) h += (p / total) * (Math.log(p) - logTotal);
  return -h;
}

/** `sklearn.metrics.mutual_info_score` from a compacted table, in the same order of operations. */
function mutualInfoOf(t: Table): number {
  if (t.rowSums.length === 1 || t.colSums.length === 1 || t.total === 0) return 0.0;
  const logTotal = Math.log(t.total);
  let mi = 0;
  for (let i = 0; i < t.cells.length; i++) {
    const row = t.cells[i] as number[];
    const pi = t.rowSums[i] as number;
    for (let j = 0; j < row.length; j++) {
      const nij = row[j] as number;
      if (nij === 0) continue;
      const cnm = nij / t.total;
      const logOuter = -Math.log(pi * (t.colSums[j] as number)) + logTotal + logTotal;
      const term = cnm * (Math.log(nij) - logTotal) + cnm * logOuter;
      // sklearn zeroes round-off sized terms before summing.
      if (Math.abs(term) >= EPS) mi += term;
    }
  }
  return Math.max(mi, 0.0);
}

/**
 * Adjusted Rand index, as `sklearn.metrics.adjusted_rand_score`.
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns ARI in [-0.5, 1]; exactly 1.0 when no pair of samples is split differently by the
 *   two labellings (identical partitions, both single-cluster, both all-singletons, no samples).
 */
export function adjustedRandIndex(counts: number[][]): number {
  const t = compact(counts);
  // Pair counts can exceed 2^53 for large corpora; sklearn uses exact Python integers.
  const n = BigInt(t.total);
  let sumSquares = 0n;
  let sumRow = 0n;
  let sumCol = 0n;
  for (let i = 0; i < t.cells.length; i++) {
    const row = t.cells[i] as number[];
    const ni = BigInt(t.rowSums[i] as number);
    for (let j = 0; j < row.length; j++) {
      const nij = BigInt(row[j] as number);
      if (nij === 0n) continue;
      sumSquares += nij * nij;
      sumCol += nij * BigInt(t.colSums[j] as number);
      sumRow += nij * ni;
    }
  }
  const tp = sumSquares - n;
  const fp = sumCol - sumSquares;
  const fn = sumRow - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1.0;
  const numerator = 2.0 * Number(tp * tn - fn * fp);
  return numerator / Number((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

/**
 * Mutual information in nats, as `sklearn.metrics.mutual_info_score`.
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns MI >= 0; 0 when either labelling has a single class, or there are no samples.
 */
export function mutualInfo(counts: number[][]): number {
  return mutualInfoOf(compact(counts));
}

/**
 * Normalized mutual information with arithmetic-mean normalisation, as
 * `sklearn.metrics.normalized_mutual_info_score` (its default `average_method`).
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns NMI in [0, 1]; 1.0 when both labellings have a single class (or there are no
 *   samples), 0.0 when the mutual information is 0.
 */
export function normalizedMutualInfo(counts: number[][]): number {
  const t = compact(counts);
  const nClasses = t.rowSums.length;
  const nClusters = t.colSums.length;
  if (nClasses === nClusters && nClasses <= 1) return 1.0;
  const mi = mutualInfoOf(t);
  if (mi === 0) return 0.0;
  const hTrue = entropyOf(t.rowSums, t.total);
  const hPred = entropyOf(t.colSums, t.total);
  return mi / ((hTrue + hPred) / 2);
}

/** sklearn's `homogeneity_completeness_v_measure` with beta = 1. */
function homogeneityCompleteness(t: Table): [number, number, number] {
  if (t.total === 0) return [1.0, 1.0, 1.0];
  const hC = entropyOf(t.rowSums, t.total);
  const hK = entropyOf(t.colSums, t.total);
  const mi = mutualInfoOf(t);
  const h = hC !== 0 ? mi / hC : 1.0;
  const c = hK !== 0 ? mi / hK : 1.0;
  const v = h + c === 0.0 ? 0.0 : ((1 + 1) * h * c) / (1 * h + c);
  return [h, c, v];
}

/**
 * Homogeneity, as `sklearn.metrics.homogeneity_score`: each cluster holds one class.
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns A value in [0, 1]; 1.0 when there is a single true class or no samples.
 */
export function homogeneity(counts: number[][]): number {
  return homogeneityCompleteness(compact(counts))[0];
}

/**
 * Completeness, as `sklearn.metrics.completeness_score`: each class lies in one cluster.
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns A value in [0, 1]; 1.0 when there is a single cluster or no samples.
 */
export function completeness(counts: number[][]): number {
  return homogeneityCompleteness(compact(counts))[1];
}

/**
 * V-measure with beta = 1, as `sklearn.metrics.v_measure_score`: the harmonic mean of
 * homogeneity and completeness.
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns A value in [0, 1]; 0.0 when homogeneity and completeness are both 0.
 */
export function vMeasure(counts: number[][]): number {
  return homogeneityCompleteness(compact(counts))[2];
}

/**
 * Purity: the share of samples that belong to the majority class of their cluster
 * (`sum_j max_i counts[i][j] / n`). Not in scikit-learn; computed the usual way from its
 * contingency matrix.
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns A value in (0, 1]; 1.0 for no samples.
 */
export function purity(counts: number[][]): number {
  const t = compact(counts);
  if (t.total === 0) return 1.0;
  let matched = 0;
  for (let j = 0; j < t.colSums.length; j++) {
    let best = 0;
    for (const row of t.cells) best = Math.max(best, row[j] as number);
    matched += best;
  }
  return matched / t.total;
}

/**
 * Best-match accuracy: the share of samples on the diagonal after matching clusters to classes
 * one-to-one so as to maximise the matched counts (Hungarian method). With more clusters than
 * classes (or the reverse) the extra ones stay unmatched and count as errors.
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns A value in [0, 1]; 1.0 for no samples.
 */
export function bestMatchAccuracy(counts: number[][]): number {
  const t = compact(counts);
  if (t.total === 0) return 1.0;
  const { rows, cols } = linearSumAssignment(t.cells, true);
  let matched = 0;
  for (let k = 0; k < rows.length; k++) {
    matched += (t.cells[rows[k] as number] as number[])[cols[k] as number] as number;
  }
  return matched / t.total;
}

/**
 * Every external score at once.
 *
 * @param counts Count matrix, rows = true classes, columns = clusters.
 * @returns ARI, NMI (arithmetic), homogeneity, completeness, V-measure, purity and best-match
 *   accuracy, each as the function of the same name computes it.
 */
export function scoreAll(counts: number[][]): Scores {
  const t = compact(counts);
  const [h, c, v] = homogeneityCompleteness(t);
  return {
    ari: adjustedRandIndex(counts),
    nmi: normalizedMutualInfo(counts),
    homogeneity: h,
    completeness: c,
    v_measure: v,
    purity: purity(counts),
    accuracy: bestMatchAccuracy(counts),
  };
}
