import { describe, expect, it } from "vitest";
import { renderSweepSection, sweepChart, withSection } from "../../src/report/sweep-html.js";
import type { SweepResult } from "../../src/types.js";

const sweep = (labelled: boolean): SweepResult => ({
  config: {
    selection: { categories: ["a", "b"], subset: "all", remove: [] },
    embedder: "tfidf",
    model: "m",
    dtype: "d",
    device: "cpu",
    maxLength: 0,
    seed: 1,
    nInit: 1,
    ks: [2, 3, 4],
  },
  posts: 50,
  labelled,
  rows: [
    { k: 2, inertia: 30, silhouette: 0.1, suggested: false },
    { k: 3, inertia: 20, silhouette: 0.3, suggested: true },
    { k: 4, inertia: 15, silhouette: 0.2, suggested: false },
  ].map((r) => (labelled ? { ...r, ari: 0.5, nmi: 0.6, v_measure: 0.6 } : r)),
  suggested: 3,
  timings: {},
});

describe("renderSweepSection", () => {
  it("draws the silhouette and inertia against k, and the label scores when labelled", () => {
    const plain = renderSweepSection(sweep(false));
    expect(plain.match(/<svg /g)).toHaveLength(2);
    expect(plain).toContain("Suggested: k = 3");
    expect(plain).not.toContain("ARI");
    const labelled = renderSweepSection(sweep(true));
    expect(labelled.match(/<svg /g)).toHaveLength(3);
    expect(labelled).toContain('data-name="ARI"');
    expect(labelled.match(/<tr class="suggested">/g)).toHaveLength(1);
  });

  it("puts the suggested k's line at its x, and the highest value at the top", () => {
    const svg = sweepChart(sweep(false), "silhouette", [
      { name: "silhouette", color: "#000", get: (r) => r.silhouette },
    ]);
    const line = /<line class="suggested" x1="([\d.]+)"/.exec(svg);
    const points = /points="([^"]+)"/.exec(svg)?.[1]?.split(" ") ?? [];
    expect(points).toHaveLength(3);
    const [x3, y3] = (points[1] as string).split(",").map(Number);
    expect(Number(line?.[1])).toBeCloseTo(x3 as number, 1);
    const ys = points.map((p) => Number(p.split(",")[1]));
    expect(Math.min(...ys)).toBe(y3);
  });

  it("states the silhouette sample when there is one", () => {
    expect(renderSweepSection({ ...sweep(false), silhouetteSample: 20 })).toContain(
      "seeded sample of 20 of 50 posts",
    );
  });
});

describe("withSection", () => {
  it("inserts at the top of <main>, else before </body>", () => {
    expect(withSection("<body>\n<main>\n<x/></main></body>", "<s/>")).toBe(
      "<body>\n<main>\n<s/><x/></main></body>",
    );
    expect(withSection("<body><x/></body>", "<s/>")).toBe("<body><x/><s/></body>");
  });
});
