/**
 * The newsgroup-by-cluster contingency table. Pure.
 */
import type { Contingency, Doc } from "../types.js";
import { contingencyMatrix } from "./metrics.js";

/**
 * Counts posts of each group (rows, in `groups` order) in each cluster (columns 0..k-1).
 * @param labels cluster index of each doc, same order as `docs`.
 * @throws RangeError for a post of an unselected group, or labels not matching the posts.
 */
export function contingency(
  groups: readonly string[],
  docs: readonly Pick<Doc, "group">[],
  labels: ArrayLike<number>,
  k: number,
): Contingency {
  const row = new Map(groups.map((g, i) => [g, i]));
  const truth = docs.map((d) => {
    const r = row.get(d.group);
    if (r === undefined) throw new RangeError(`post of unselected group ${d.group}`);
    return r;
  });
  return {
    groups: [...groups],
    clusters: Array.from({ length: k }, (_, j) => j),
    counts: contingencyMatrix(truth, labels, groups.length, k),
  };
}

/** Row and column totals of a contingency table. */
export interface Margins {
  /** Posts of each group (row), in `groups` order. */
  rows: number[];
  /** Posts in each cluster (column), in `clusters` order. */
  cols: number[];
  /** All posts. */
  total: number;
}

/**
 * The table's row and column totals, computed once for every view that shows them (the boxed
 * table, the JSON document, the HTML report).
 */
export function margins(table: Pick<Contingency, "clusters" | "counts">): Margins {
  const cols = table.clusters.map(() => 0);
  const rows = table.counts.map((r) => {
    let s = 0;
    r.forEach((v, j) => {
      s += v;
      cols[j] = (cols[j] as number) + v;
    });
    return s;
  });
  return { rows, cols, total: rows.reduce((a, b) => a + b, 0) };
}
