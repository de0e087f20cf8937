import { describe, expect, it } from "vitest";
import { contingency, margins } from "../../src/evaluate/contingency.js";

describe("contingency", () => {
  it("counts posts of each selected group in each cluster", () => {
    const docs = [{ group: "b" }, { group: "a" }, { group: "b" }, { group: "a" }, { group: "b" }];
    const t = contingency(["a", "b"], docs, [1, 0, 1, 2, 0], 3);
    expect(t.groups).toEqual(["a", "b"]);
    expect(t.clusters).toEqual([0, 1, 2]);
    expect(t.counts).toEqual([
      [1, 0, 1],
      [1, 2, 0],
    ]);
    expect(() => contingency(["a"], docs, [0, 0, 0, 0, 0], 1)).toThrow(/unselected group b/);
  });
});

describe("margins", () => {
  it("gives row totals, column totals and the grand total", () => {
    const m = margins({
      clusters: [0, 1, 2],
      counts: [
        [1, 0, 4],
        [2, 3, 0],
      ],
    });
    expect(m).toEqual({ rows: [5, 5], cols: [3, 3, 4], total: 10 });
  });

  it("keeps empty clusters and groups as zeros", () => {
    expect(margins({ clusters: [0, 1], counts: [[0, 0]] })).toEqual({
      rows: [0],
      cols: [0, 0],
      total: 0,
    });
    expect(margins({ clusters: [0], counts: [] })).toEqual({ rows: [], cols: [0], total: 0 });
  });
});
