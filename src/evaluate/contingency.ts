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
