/**
 * Column order: each cluster under the newsgroup it matches best, so the table reads along the
 * diagonal. Pure.
 */
import { linearSumAssignment } from "./hungarian.js";

/**
 * A renumbering of clusters: `perm[old] = new`. Matched clusters (Hungarian assignment maximising
 * the posts on the diagonal) take the row order of their newsgroup; clusters left over when
 * k > groups follow, ordered by the newsgroup holding most of their posts, then by size; ties by
 * old id. Deterministic.
 * @param counts rows = groups, columns = clusters 0..k-1.
 */
export function matchedOrder(counts: readonly (readonly number[])[]): number[] {
  const k = counts[0]?.length ?? 0;
  const { rows, cols } = linearSumAssignment(
    counts.map((r) => [...r]),
    true,
  );
  const groupOf = new Map<number, number>();
  rows.forEach((r, i) => {
    groupOf.set(cols[i] as number, r);
  });
  const column = (j: number) => counts.map((r) => r[j] as number);
  const argmax = (xs: number[]) =>
    xs.reduce((best, v, i) => (v > (xs[best] as number) ? i : best), 0);
  const size = (j: number) => column(j).reduce((a, b) => a + b, 0);
  const ids = Array.from({ length: k }, (_, j) => j);
  const matched = ids
    .filter((j) => groupOf.has(j))
    .sort((a, b) => (groupOf.get(a) as number) - (groupOf.get(b) as number));
  const rest = ids
    .filter((j) => !groupOf.has(j))
    .sort((a, b) => argmax(column(a)) - argmax(column(b)) || size(b) - size(a) || a - b);
  const perm = new Array<number>(k);
  [...matched, ...rest].forEach((old, pos) => {
    perm[old] = pos;
  });
  return perm;
}

/** Applies `perm` (old -> new) to labels. */
export function relabel(labels: ArrayLike<number>, perm: readonly number[]): Int32Array {
  return Int32Array.from({ length: labels.length }, (_, i) => perm[labels[i] as number] as number);
}
