import { describe, expect, it } from "vitest";
import { formatAssignments } from "../../src/report/assignments.js";

const docs = [
  { split: "train" as const, group: "sci.space", id: "1" },
  { split: "test" as const, group: "alt.atheism", id: "22" },
];

describe("formatAssignments", () => {
  it("csv with the documented header, one row per post in order", () => {
    expect(formatAssignments(docs, [3, 0], [0.1234567891, 1], "csv")).toBe(
      "split,group,id,cluster,distance\ntrain,sci.space,1,3,0.123457\ntest,alt.atheism,22,0,1\n",
    );
  });
  it("json lines with the same keys", () => {
    const lines = formatAssignments(docs, [3, 0], [0.5, 0.25], "jsonl").trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { split: "train", group: "sci.space", id: "1", cluster: 3, distance: 0.5 },
      { split: "test", group: "alt.atheism", id: "22", cluster: 0, distance: 0.25 },
    ]);
  });
});
