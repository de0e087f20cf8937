/**
 * The HTML report's part for posts without labels: one row per cluster (its colour, size, share
 * and top terms) and the metrics that need no labels. Pure: returns an HTML fragment; the page
 * (html/page.ts) draws it where a labelled run has its heatmap.
 */
import type { UnlabelledRunResult } from "../types.js";
import { clusterColor } from "./html/colour.js";
import { escapeHtml } from "./html/text.js";

/** The sizes section: a bar per cluster, coloured as the map colours it. */
export function renderSizesSection(r: UnlabelledRunResult): string {
  const max = Math.max(1, ...r.table.sizes);
  const rows = r.table.clusters.map((c, j) => {
    const size = r.table.sizes[j] as number;
    const share = ((r.table.shares[j] as number) * 100).toFixed(1);
    const terms = (r.labels[j]?.terms ?? []).map(escapeHtml).join(", ");
    const bar = `<span class="bar" style="display:inline-block;height:10px;width:${((120 * size) / max).toFixed(1)}px;background:${clusterColor(j)}"></span>`;
    return `<tr><td>${c}</td><td style="text-align:right">${size}</td><td style="text-align:right">${share}%</td><td>${bar}</td><td>${terms}</td></tr>`;
  });
  const m = r.metrics;
  const metrics = [`inertia ${m.inertia.toFixed(2)}`];
  if (m.silhouette !== undefined) {
    const est =
      m.silhouetteSample === undefined ? "" : ` (seeded sample of ${m.silhouetteSample} posts)`;
    metrics.push(`cosine silhouette ${m.silhouette.toFixed(4)}${est}`);
  }
  return (
    `<section id="sizes" class="card"><h2>Clusters</h2>` +
    `<p>${r.posts} posts without labels in ${r.table.clusters.length} clusters; ${metrics.join(", ")}.</p>` +
    `<table class="sizes"><thead><tr><th>cluster</th><th>size</th><th>share</th><th></th><th>top terms</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table></section>\n`
  );
}
