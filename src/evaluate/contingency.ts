/**
 * The newsgroup-by-cluster contingency table. Pure.
 */
import type { Contingency, Doc } from "../types.js";

/**
 * Counts posts of each group (rows, in `groups` order) in each cluster (columns 0..k-1).
 * @param labels cluster index of each doc, same order as `docs`.
 */
export function contingency(
  groups: readonly string[],
  docs: readonly Pick<Doc, "group">[],
  labels: ArrayLike<number>,
  k: number,
): Contingency {
  if (docs.length !== labels.length) {
    throw new RangeError(`got ${labels.length} labels for ${docs.length} posts`);
  }
  const row = new Map(groups.map((g, i) => [g, i]));
  const counts = groups.map(() => new Array<number>(k).fill(0));
  docs.forEach((d, i) => {
    const r = row.get(d.group);
    if (r === undefined) throw new RangeError(`post of unselected group ${d.group}`);
    const c = labels[i] as number;
    (counts[r] as number[])[c] = ((counts[r] as number[])[c] as number) + 1;
  });
  return { groups: [...groups], clusters: Array.from({ length: k }, (_, j) => j), counts };
}
