import { describe, expect, it } from "vitest";
import { matchedOrder, relabel } from "../../src/evaluate/order.js";

describe("matchedOrder", () => {
  it("puts the reference notebook's clusters on the diagonal", () => {
    // rows: atheism, graphics, space, religion; k-means' raw cluster numbering
    const counts = [
      [47, 4, 357, 391],
      [101, 816, 56, 0],
      [812, 27, 144, 4],
      [41, 0, 238, 349],
    ];
    const perm = matchedOrder(counts);
    // scipy's linear_sum_assignment(maximize) pairs rows [0,1,2,3] with columns [2,1,0,3]
    expect(perm).toEqual([2, 1, 0, 3]);
    const reordered = counts.map((r) => {
      const out = new Array<number>(4);
      r.forEach((v, j) => {
        out[perm[j] as number] = v;
      });
      return out;
    });
    expect(reordered.map((r, i) => r[i])).toEqual([357, 816, 812, 349]);
  });

  it("appends unmatched clusters when k exceeds the groups", () => {
    const counts = [
      [0, 10, 0, 5, 1],
      [9, 0, 2, 0, 0],
    ];
    // matched: col 1 -> group 0, col 0 -> group 1; rest: col 3 (mostly group 0, size 5),
    // col 4 (group 0, size 1), col 2 (group 1)
    expect(matchedOrder(counts)).toEqual([1, 0, 4, 2, 3]);
  });

  it("is a permutation, and relabel applies it", () => {
    const perm = matchedOrder([
      [1, 2, 3],
      [3, 2, 1],
    ]);
    expect([...perm].sort()).toEqual([0, 1, 2]);
    expect(Array.from(relabel([0, 1, 2, 2], perm))).toEqual([perm[0], perm[1], perm[2], perm[2]]);
  });
});
