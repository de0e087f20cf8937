/**
 * Cluster sizes of posts without labels. Pure.
 */
import type { SizeTable } from "../types.js";

/**
 * Posts per cluster id 0..k-1 and their share of all posts.
 * @throws RangeError for a label outside 0..k-1.
 */
export function clusterSizes(labels: ArrayLike<number>, k: number): SizeTable {
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] as number;
    if (!(l >= 0 && l < k)) throw new RangeError(`cluster label ${l} is not in 0..${k - 1}`);
    sizes[l] = (sizes[l] as number) + 1;
  }
  const n = labels.length;
  return {
    clusters: sizes.map((_, j) => j),
    sizes,
    shares: sizes.map((s) => (n === 0 ? 0 : s / n)),
  };
}
