import { describe, expect, it } from "vitest";
import { clusterColor } from "../../src/report/html/colour.js";
import { renderSizesSection } from "../../src/report/unlabelled-html.js";

describe("renderSizesSection", () => {
  it("lists each cluster's size, share and escaped terms, coloured as on the map", () => {
    const html = renderSizesSection({
      config: {
        selection: { categories: [], subset: "all", remove: [] },
        embedder: "tfidf",
        model: "m",
        dtype: "d",
        device: "cpu",
        maxLength: 0,
        k: 2,
        seed: 1,
        nInit: 1,
        order: "matched",
        input: "x.jsonl",
      },
      posts: 4,
      table: { clusters: [0, 1], sizes: [3, 1], shares: [0.75, 0.25] },
      metrics: { inertia: 2, silhouette: 0.5, silhouetteSample: 3 },
      labels: [
        { cluster: 0, size: 3, terms: ["<b>", "x"] },
        { cluster: 1, size: 1, terms: [] },
      ],
      timings: {},
    });
    expect(html).toContain(
      '<td>0</td><td style="text-align:right">3</td><td style="text-align:right">75.0%</td>',
    );
    expect(html).toContain("&lt;b&gt;, x");
    expect(html).not.toContain("<b>");
    expect(html).toContain(`background:${clusterColor(1)}`);
    expect(html).toContain("cosine silhouette 0.5000 (seeded sample of 3 posts)");
  });
});
