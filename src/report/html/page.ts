/**
 * Renders a run as one self-contained HTML page: the newsgroup-by-cluster table as a heatmap
 * with the metrics (for posts without labels: each cluster's size, share and top terms with the
 * metrics that need no labels, and the map coloured by cluster only), a map of every post on the first two principal components (an SVG drawn
 * here, so the page needs no script to show it), each cluster's top terms and most central
 * posts, and the run's configuration and timings.
 *
 * Pure: returns a string. The page makes no requests: no attribute holds a URL (links only to
 * its own sections), CSS and a small script are inline, and a Content-Security-Policy forbids
 * loading anything. All text from the corpus is HTML-escaped (URLs in posts stay plain text).
 */
import { readFileSync } from "node:fs";
import { margins } from "../../evaluate/contingency.js";
import { renderSizesSection } from "../unlabelled-html.js";
import { renderClustersSection } from "./clusters.js";
import { clusterColor } from "./colour.js";
import { type Ctx, type HtmlReportInput, type HtmlReportPost, isLabelled } from "./context.js";
import { renderTableSection } from "./heatmap.js";
import { renderMapSection } from "./map.js";
import { renderRunSection } from "./run.js";
import { escapeHtml, thousands } from "./text.js";

export { clusterColor } from "./colour.js";
export type { HtmlReportInput, HtmlReportPost } from "./context.js";
export { isLabelled } from "./context.js";
export { escapeHtml } from "./text.js";

/** A file beside this module (the page's stylesheet and script, linted as CSS and JavaScript). */
const asset = (name: string) => readFileSync(new URL(name, import.meta.url), "utf8");

/**
 * Click to highlight: a button or cell with `data-hl="g2 c1"` dims every map mark that lacks
 * one of those classes; clicking it again (or "show all") shows all.
 */
const SCRIPT = asset("report.js").replace(/\n$/, "");

/** The stylesheet; its placeholder comment line becomes one rule per cluster colour. */
const STYLE = asset("report.css");

function css(k: number): string {
  const clusterFills = Array.from({ length: k }, (_, j) => `.c${j}{fill:${clusterColor(j)}}`).join(
    "",
  );
  return `\n${STYLE.replace("/* cluster fills */", clusterFills)}`;
}

/**
 * Renders the report.
 * @throws RangeError when the per-post arrays' lengths disagree or a label is not a table
 *   column.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { result, posts, labels, distances, points, version } = input;
  const n = posts.length;
  if (labels.length !== n || distances.length !== n || points.length !== 2 * n) {
    throw new RangeError(
      `report input lengths disagree: ${n} posts, ${labels.length} labels, ` +
        `${distances.length} distances, ${points.length / 2} points`,
    );
  }
  const table = result.table;
  const labelled = isLabelled(result);
  const groups = labelled ? result.table.groups : [];
  const column = new Map(table.clusters.map((c, j) => [c, j]));
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const col = new Int32Array(n);
  const row = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = column.get(labels[i] as number);
    if (j === undefined) throw new RangeError(`post ${i} has label ${labels[i]}, not a cluster`);
    col[i] = j;
    row[i] = groupIndex.get((posts[i] as HtmlReportPost).group) ?? -1;
  }
  const sizes = labelled ? margins(result.table).cols : result.table.sizes;
  const ctx: Ctx = { input, groups, sizes, col, row };
  const k = table.clusters.length;
  const title = `${labelled ? "Newsgroup clusters" : "Clusters"}: ${result.posts} posts, k = ${k}`;
  return [
    "<!DOCTYPE html>\n",
    '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
    // Nothing may be fetched: the page is self-contained by design.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">\n`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
    `<title>${escapeHtml(title)}</title>\n`,
    `<style>${css(k)}</style>\n</head>\n<body>\n`,
    renderHeader(ctx),
    "<main>\n",
    isLabelled(result) ? renderTableSection(result) : renderSizesSection(result),
    renderMapSection(ctx),
    renderClustersSection(ctx),
    renderRunSection(ctx),
    "</main>\n",
    `<footer>Made by newsgroup-cluster ${escapeHtml(version)}. Self-contained: this page loads nothing from the network.</footer>\n`,
    `<script>${SCRIPT}</script>\n`,
    "</body>\n</html>\n",
  ].join("");
}

function renderHeader({ input, groups }: Ctx): string {
  const r = input.result;
  const c = r.config;
  const labelled = isLabelled(r);
  const facts = [
    `${thousands(r.posts)} posts`,
    labelled ? `${groups.length} newsgroups` : "no labels",
    `k = ${c.k}`,
    c.model,
    `seed ${c.seed}`,
  ];
  const nav = [
    labelled ? ["#table", "Table"] : ["#sizes", "Sizes"],
    ["#map", "Map"],
    ["#clusters", "Clusters"],
    ["#run", "Run"],
  ]
    .map(([href, label]) => `<a href="${href}">${label}</a>`)
    .join("");
  return (
    `<header class="top"><div><h1>${labelled ? "Newsgroup clusters" : "Clusters"}</h1>` +
    `<p class="facts">${facts.map((f) => `<span>${escapeHtml(f)}</span>`).join("")}</p></div>` +
    `<nav>${nav}</nav></header>\n`
  );
}
