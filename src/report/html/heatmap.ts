/** The report's first section: the newsgroup-by-cluster table as a heatmap, and the metrics. */
import { margins } from "../../evaluate/contingency.js";
import type { RunResult } from "../../types.js";
import { clusterColor, heat, heatInk } from "./colour.js";
import { shapeIcon } from "./shapes.js";
import { escapeHtml, pct } from "./text.js";

/** The table section (`#table`) of a run on labelled posts. */
export function renderTableSection(result: RunResult): string {
  const { table, metrics, labels } = result;
  const { rows: rowTotals, cols: colTotals, total } = margins(table);
  const head = table.clusters
    .map((c, j) => {
      const terms = labels[j]?.terms.slice(0, 3).join(", ") ?? "";
      return (
        `<th class="ch" style="--c:${clusterColor(j)}" title="${escapeHtml(terms)}">` +
        `<span class="sw"></span>${c}</th>`
      );
    })
    .join("");
  const body = table.groups
    .map((g, i) => {
      const counts = table.counts[i] ?? [];
      const rt = rowTotals[i] ?? 0;
      const cells = table.clusters
        .map((c, j) => {
          const count = counts[j] ?? 0;
          const share = rt > 0 ? count / rt : 0;
          const ofCluster = (colTotals[j] ?? 0) > 0 ? count / (colTotals[j] as number) : 0;
          const tip = `${g} in cluster ${c}: ${count} posts, ${pct(share)} of the newsgroup, ${pct(ofCluster)} of the cluster`;
          return (
            `<td class="hm${count === 0 ? " zero" : ""}" data-group="${escapeHtml(g)}" data-cluster="${c}" ` +
            `data-count="${count}" data-hl="g${i} c${j}" style="background:${heat(share)};color:${heatInk(share)}" ` +
            `title="${escapeHtml(tip)}"><b>${count}</b><small>${pct(share)}</small></td>`
          );
        })
        .join("");
      return (
        `<tr><th class="rh" data-hl="g${i}"><span class="shape">${shapeIcon(i)}</span>${escapeHtml(g)}</th>` +
        `${cells}<td class="tot">${rt}</td></tr>`
      );
    })
    .join("\n");
  const foot =
    `<tr><th class="rh">total</th>${colTotals.map((t) => `<td class="tot">${t}</td>`).join("")}` +
    `<td class="tot">${total}</td></tr>`;

  const unit: [string, string, number, string][] = [
    ["ARI", "ari", metrics.ari, "adjusted Rand index: 0 = chance, 1 = the newsgroups exactly"],
    ["NMI", "nmi", metrics.nmi, "normalised mutual information (arithmetic mean)"],
    ["homogeneity", "homogeneity", metrics.homogeneity, "each cluster holds one newsgroup"],
    ["completeness", "completeness", metrics.completeness, "each newsgroup is in one cluster"],
    ["V-measure", "v_measure", metrics.v_measure, "harmonic mean of the two above"],
    ["purity", "purity", metrics.purity, "share of posts in their cluster's majority newsgroup"],
    [
      "accuracy",
      "accuracy",
      metrics.accuracy,
      "share of posts on the best one-to-one cluster-newsgroup match",
    ],
  ];
  if (metrics.silhouette !== undefined) {
    unit.push(["silhouette", "silhouette", metrics.silhouette, "mean cosine silhouette, -1..1"]);
  }
  const metricRows = unit
    .map(([name, key, v, help]) => {
      const w = Math.max(0, Math.min(1, v)) * 100;
      return (
        `<div class="metric" data-metric="${key}" title="${escapeHtml(help)}"><span class="mn">${name}</span>` +
        `<span class="mv">${v.toFixed(4)}</span><span class="bar"><i style="width:${w.toFixed(1)}%"></i></span></div>`
      );
    })
    .join("");
  return (
    `<section id="table" class="card"><h2>Newsgroups × clusters</h2>` +
    `<p class="note">Each cell: posts of the newsgroup (row) in the cluster (column) and their share of the row; ` +
    `the darker, the larger the share. Click a cell or a newsgroup to highlight its posts on the map.</p>` +
    `<div class="split"><div class="scroll"><table class="heat${table.clusters.length > 8 ? " dense" : ""}"><thead><tr><th class="corner">newsgroup \\ cluster</th>` +
    `${head}<th class="tot">total</th></tr></thead><tbody>\n${body}\n</tbody><tfoot>${foot}</tfoot></table></div>` +
    `<aside class="metrics"><h3>Agreement with the newsgroups</h3>${metricRows}` +
    `<div class="metric" data-metric="inertia" title="k-means objective: sum of squared distances to the centres">` +
    `<span class="mn">inertia</span><span class="mv">${metrics.inertia.toFixed(2)}</span></div></aside></div></section>\n`
  );
}
