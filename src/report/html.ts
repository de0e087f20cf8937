/**
 * Renders a run as one self-contained HTML page: the newsgroup-by-cluster table as a heatmap
 * with the metrics, a map of every post on the first two principal components (an SVG drawn
 * here, so the page needs no script to show it), each cluster's top terms and most central
 * posts, and the run's configuration and timings.
 *
 * Pure: returns a string. The page makes no requests: no attribute holds a URL (links only to
 * its own sections), CSS and a small script are inline, and a Content-Security-Policy forbids
 * loading anything. All text from the corpus is HTML-escaped (URLs in posts stay plain text).
 */
import { permutation } from "../linalg/random.js";
import type { RunResult } from "../types.js";

/** A post as the report needs it (a `Doc` fits). */
export interface HtmlReportPost {
  group: string;
  id: string;
  split: string;
  text: string;
}

export interface HtmlReportInput {
  result: RunResult;
  /** The tool's version, shown in the footer. */
  version: string;
  /** The posts in corpus order; row i of `labels`, `distances` and `points` is `posts[i]`. */
  posts: readonly HtmlReportPost[];
  /** Cluster id of each post, as in `result.table.clusters`. */
  labels: ArrayLike<number>;
  /** Distance of each post to its cluster's centre (any unit; smaller is more central). */
  distances: ArrayLike<number>;
  /** `posts.length * 2` values, row-major: each post's 2-D position (e.g. from `pca2`). */
  points: Float32Array;
}

/** Representative posts shown per cluster. */
const REPRESENTATIVES = 3;
/** Words (of 2+ letters) a post needs to be preferred as a representative. */
const MIN_WORDS = 8;
/** Characters of a representative post shown. */
const EXCERPT_CHARS = 300;
/** Characters of a post's first line in the map's tooltips. */
const TOOLTIP_CHARS = 100;
/** Width of the map in SVG units (its height follows the points' aspect ratio). */
const MAP_WIDTH = 760;

/** Tableau 10; clusters beyond it get hues spaced by the golden angle. */
const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/** Marker shapes of the newsgroups, in order; they repeat after the last. */
const SHAPES = [
  "circle",
  "square",
  "triangle",
  "diamond",
  "triangle-down",
  "plus",
  "triangle-right",
  "triangle-left",
] as const;
type Shape = (typeof SHAPES)[number];

/**
 * Escapes text for HTML element content and quoted attribute values. C0/C1 control characters
 * (other than tab and newline), which latin-1 posts contain and HTML forbids, become spaces.
 */
export function escapeHtml(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, " ")
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;")
      .replaceAll("'", "&#39;")
  );
}

/** Colour of the cluster in table column `j`. */
export function clusterColor(j: number): string {
  return PALETTE[j] ?? `hsl(${Math.round((j * 137.508) % 360)} 55% 52%)`;
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
  const column = new Map(table.clusters.map((c, j) => [c, j]));
  const groupIndex = new Map(table.groups.map((g, i) => [g, i]));
  const col = new Int32Array(n);
  const row = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = column.get(labels[i] as number);
    if (j === undefined) throw new RangeError(`post ${i} has label ${labels[i]}, not a cluster`);
    col[i] = j;
    row[i] = groupIndex.get((posts[i] as HtmlReportPost).group) ?? -1;
  }
  const ctx: Ctx = { input, col, row };
  const k = table.clusters.length;
  const title = `Newsgroup clusters: ${result.posts} posts, k = ${k}`;
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
    renderTableSection(ctx),
    renderMapSection(ctx),
    renderClustersSection(ctx),
    renderRunSection(ctx),
    "</main>\n",
    `<footer>Made by newsgroup-cluster ${escapeHtml(version)}. Self-contained: this page loads nothing from the network.</footer>\n`,
    `<script>${SCRIPT}</script>\n`,
    "</body>\n</html>\n",
  ].join("");
}

interface Ctx {
  input: HtmlReportInput;
  /** Table column of each post. */
  col: Int32Array;
  /** Table row (newsgroup) of each post; -1 for a group not in the table. */
  row: Int32Array;
}

function renderHeader({ input }: Ctx): string {
  const r = input.result;
  const c = r.config;
  const facts = [
    `${thousands(r.posts)} posts`,
    `${r.table.groups.length} newsgroups`,
    `k = ${c.k}`,
    c.model,
    `seed ${c.seed}`,
  ];
  const nav = [
    ["#table", "Table"],
    ["#map", "Map"],
    ["#clusters", "Clusters"],
    ["#run", "Run"],
  ]
    .map(([href, label]) => `<a href="${href}">${label}</a>`)
    .join("");
  return (
    `<header class="top"><div><h1>Newsgroup clusters</h1>` +
    `<p class="facts">${facts.map((f) => `<span>${escapeHtml(f)}</span>`).join("")}</p></div>` +
    `<nav>${nav}</nav></header>\n`
  );
}

// --- contingency heatmap and metrics -------------------------------------------------------

function renderTableSection({ input }: Ctx): string {
  const { table, metrics, labels } = input.result;
  const rowTotals = table.counts.map((r) => sum(r));
  const colTotals = table.clusters.map((_, j) => sum(table.counts.map((r) => r[j] ?? 0)));
  const total = sum(rowTotals);
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

/** Stops of the heatmap's sequential blue ramp (ColorBrewer "Blues"), share 0 to 1. */
const HEAT: [number, number, number][] = [
  [246, 249, 252],
  [198, 219, 239],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
];

function heatRgb(share: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, share)) * (HEAT.length - 1);
  const i = Math.min(HEAT.length - 2, Math.floor(x));
  const f = x - i;
  const a = HEAT[i] as [number, number, number];
  const b = HEAT[i + 1] as [number, number, number];
  return [0, 1, 2].map((t) =>
    Math.round((a[t] as number) + ((b[t] as number) - (a[t] as number)) * f),
  ) as [number, number, number];
}

/** Background of a heatmap cell of this row share. */
function heat(share: number): string {
  return `#${heatRgb(share)
    .map((v) => v.toString(16).padStart(2, "0"))
    .join("")}`;
}

/** Text colour on `heat(share)`: white or ink, whichever contrasts more (WCAG luminance). */
function heatInk(share: number): string {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = heatRgb(share);
  const bg = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const ink = 0.017; // luminance of #1c2430
  return 1.05 / (bg + 0.05) > (bg + 0.05) / (ink + 0.05) ? "#fff" : "#1c2430";
}

// --- the map ----------------------------------------------------------------------------------

function renderMapSection(ctx: Ctx): string {
  const { input, col, row } = ctx;
  const { posts, points, result } = input;
  const n = posts.length;
  const table = result.table;

  // Frame the central 99.6% of the points on each axis, so that a few outliers do not squash
  // the rest; the outliers are drawn on the frame's edge.
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = points[2 * i] as number;
    ys[i] = points[2 * i + 1] as number;
  }
  const [x0, x1] = extent(xs);
  const [y0, y1] = extent(ys);
  const pad = 14;
  const width = MAP_WIDTH;
  const aspect = (y1 - y0) / (x1 - x0);
  const height = Math.round(Math.min(620, Math.max(380, (width - 2 * pad) * aspect + 2 * pad)));
  const scale = Math.min((width - 2 * pad) / (x1 - x0), (height - 2 * pad) / (y1 - y0));
  const ox = (width - scale * (x1 - x0)) / 2;
  const oy = (height - scale * (y1 - y0)) / 2;
  const sx = (x: number) => ox + (Math.min(x1, Math.max(x0, x)) - x0) * scale;
  // SVG's y grows downwards; PC2 grows upwards.
  const sy = (y: number) => height - oy - (Math.min(y1, Math.max(y0, y)) - y0) * scale;
  let clamped = 0;

  const r = n > 8000 ? 2.2 : n > 2000 ? 2.8 : 3.6;
  const rel = SHAPES.map((s) => shapePath(s, r));
  const marks: string[] = [];
  for (const i of drawOrder(n)) {
    const p = posts[i] as HtmlReportPost;
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (x < x0 || x > x1 || y < y0 || y > y1) clamped++;
    const g = row[i] as number;
    const j = col[i] as number;
    const cls = `pt c${j}${g >= 0 ? ` g${g}` : ""}`;
    const tip = escapeHtml(
      `${p.group} · cluster ${table.clusters[j]} · ${p.split} ${p.id}\n${firstLine(p.text)}`,
    );
    const shape = SHAPES[Math.max(0, g) % SHAPES.length] as Shape;
    const cx = num(sx(x));
    const cy = num(sy(y));
    marks.push(
      shape === "circle"
        ? `<circle class="${cls}" cx="${cx}" cy="${cy}" r="${r}"><title>${tip}</title></circle>`
        : `<path class="${cls}" d="M${cx} ${cy}${rel[SHAPES.indexOf(shape)]}"><title>${tip}</title></path>`,
    );
  }

  const axes: string[] = [];
  if (x0 < 0 && x1 > 0) {
    axes.push(`<line class="axis" x1="${num(sx(0))}" y1="0" x2="${num(sx(0))}" y2="${height}"/>`);
  }
  if (y0 < 0 && y1 > 0) {
    axes.push(`<line class="axis" x1="0" y1="${num(sy(0))}" x2="${width}" y2="${num(sy(0))}"/>`);
  }
  axes.push(
    `<text class="axl" x="${width - 8}" y="${height - 8}" text-anchor="end">PC 1 →</text>`,
    `<text class="axl" x="8" y="16">↑ PC 2</text>`,
  );

  const svg =
    `<svg id="mapsvg" class="map" viewBox="0 0 ${width} ${height}" role="img" ` +
    `aria-label="Map of ${n} posts on the first two principal components">` +
    `<rect class="bg" width="${width}" height="${height}" rx="6"/>${axes.join("")}` +
    `<g class="pts">${marks.join("\n")}</g></svg>`;

  const clusterLegend = table.clusters
    .map((c, j) => {
      const label = result.labels[j];
      const terms = label?.terms.slice(0, 3).join(", ") ?? "";
      return (
        `<button type="button" class="lg" data-hl="c${j}"><span class="dot" style="background:${clusterColor(j)}"></span>` +
        `<span class="lgt">cluster ${c} <small>${label?.size ?? 0}</small>` +
        `${terms ? `<em>${escapeHtml(terms)}</em>` : ""}</span></button>`
      );
    })
    .join("");
  const groupSizes = table.counts.map((r) => sum(r));
  const groupLegend = table.groups
    .map(
      (g, i) =>
        `<button type="button" class="lg" data-hl="g${i}"><span class="shape">${shapeIcon(i)}</span>` +
        `<span class="lgt">${escapeHtml(g)} <small>${groupSizes[i] ?? 0}</small></span></button>`,
    )
    .join("");
  const repeat =
    table.groups.length > SHAPES.length
      ? ` Shapes repeat after ${SHAPES.length} newsgroups: hover or click to tell them apart.`
      : "";
  const edge =
    clamped > 0
      ? ` ${clamped} outlying ${clamped === 1 ? "post is" : "posts are"} drawn on the frame's edge.`
      : "";
  return (
    `<section id="map" class="card"><h2>Map of the posts</h2>` +
    `<p class="note">Each mark is one post, placed by the first two principal components of its embedding. ` +
    `Colour: cluster; shape: newsgroup. Hover a mark to read the post's first line; click a legend entry ` +
    `to highlight it, again to show all.${repeat}${edge}</p>` +
    `<div class="split"><div class="mapbox">${svg}</div>` +
    `<aside class="legend"><h3>Clusters</h3>${clusterLegend}<h3>Newsgroups</h3>${groupLegend}` +
    `<button type="button" class="reset" data-hl="">show all</button></aside></div></section>\n`
  );
}

/** [lo, hi] of the central 99.6% of the values, padded by 3%; never empty. */
function extent(v: Float64Array): [number, number] {
  if (v.length === 0) return [-1, 1];
  const s = Float64Array.from(v).sort();
  const q = (p: number) =>
    s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))] as number;
  let lo = q(0.002);
  let hi = q(0.998);
  if (!(hi > lo)) {
    lo = (s[0] as number) - 1;
    hi = (s[s.length - 1] as number) + 1;
  }
  const m = (hi - lo) * 0.03;
  return [lo - m, hi + m];
}

/** A fixed shuffle of 0..n-1 (seed 1), so that no group is always drawn on top. */
function drawOrder(n: number): Int32Array {
  return permutation(n, 1);
}

/** The relative path (after `M cx cy`) of a marker of about radius r. */
function shapePath(shape: Shape, r: number): string {
  const f = (x: number) => num(x);
  switch (shape) {
    case "circle":
      return `m${f(-r)} 0a${f(r)} ${f(r)} 0 1 0 ${f(2 * r)} 0a${f(r)} ${f(r)} 0 1 0 ${f(-2 * r)} 0z`;
    case "square": {
      const a = 0.88 * r;
      return `m${f(-a)} ${f(-a)}h${f(2 * a)}v${f(2 * a)}h${f(-2 * a)}z`;
    }
    case "triangle":
      return `m0 ${f(-1.3 * r)}l${f(1.15 * r)} ${f(2 * r)}h${f(-2.3 * r)}z`;
    case "triangle-down":
      return `m0 ${f(1.3 * r)}l${f(1.15 * r)} ${f(-2 * r)}h${f(-2.3 * r)}z`;
    case "triangle-right":
      return `m${f(1.3 * r)} 0l${f(-2 * r)} ${f(1.15 * r)}v${f(-2.3 * r)}z`;
    case "triangle-left":
      return `m${f(-1.3 * r)} 0l${f(2 * r)} ${f(1.15 * r)}v${f(-2.3 * r)}z`;
    case "diamond": {
      const a = 1.25 * r;
      return `m0 ${f(-a)}l${f(a)} ${f(a)} ${f(-a)} ${f(a)} ${f(-a)} ${f(-a)}z`;
    }
    case "plus": {
      const w = 0.42 * r;
      const l = 1.2 * r - w;
      return (
        `m${f(-w)} ${f(-w - l)}h${f(2 * w)}v${f(l)}h${f(l)}v${f(2 * w)}h${f(-l)}v${f(l)}` +
        `h${f(-2 * w)}v${f(-l)}h${f(-l)}v${f(-2 * w)}h${f(l)}z`
      );
    }
    default:
      return "";
  }
}

/** A small grey marker of newsgroup i's shape, for legends. */
function shapeIcon(i: number): string {
  const shape = SHAPES[i % SHAPES.length] as Shape;
  return `<svg viewBox="0 0 14 14" width="14" height="14" aria-hidden="true"><path d="M7 7${shapePath(shape, 4.2)}"/></svg>`;
}

/** First non-blank line of a post, whitespace collapsed, cut to TOOLTIP_CHARS. */
function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "");
  return line === undefined ? "(empty post)" : cut(line.replace(/\s+/g, " ").trim(), TOOLTIP_CHARS);
}

// --- clusters -------------------------------------------------------------------------------

function renderClustersSection(ctx: Ctx): string {
  const { result, posts, distances } = ctx.input;
  const table = result.table;
  // Representatives: the posts nearest each centre among those with some prose (at least
  // MIN_WORDS words), topped up with the nearest other non-blank posts when a cluster has too
  // few. Without the filter, TF-IDF runs show rule lines and empty posts: every post without a
  // kept term embeds as the zero vector, which can sit nearer a diffuse cluster's centre than
  // any real post.
  const prose = nearestPerCluster(ctx, (text) => wordCount(text) >= MIN_WORDS);
  const other = nearestPerCluster(ctx, (text) => text.trim() !== "" && wordCount(text) < MIN_WORDS);
  const best = prose.map((list, j) =>
    [...list, ...(other[j] as number[])].slice(0, REPRESENTATIVES),
  );
  const cards = table.clusters
    .map((c, j) => {
      const label = result.labels[j];
      const size = label?.size ?? sum(table.counts.map((r) => r[j] ?? 0));
      let top = -1;
      let topCount = 0;
      table.counts.forEach((r, i) => {
        if ((r[j] ?? 0) > topCount) {
          topCount = r[j] ?? 0;
          top = i;
        }
      });
      const dominant =
        top >= 0
          ? `<p class="dom">Mostly <b>${escapeHtml(table.groups[top] as string)}</b>: ${pct(topCount / size)} of the cluster</p>`
          : "";
      const terms =
        label && label.terms.length > 0
          ? `<ul class="terms">${label.terms.map((t) => `<li>${escapeHtml(t)}</li>`).join("")}</ul>`
          : "";
      const reps = (best[j] as number[])
        .map((i) => {
          const p = posts[i] as HtmlReportPost;
          const text = p.text.replace(/\s+/g, " ").trim();
          return (
            `<li><div class="meta"><span>${escapeHtml(p.group)}</span><span>${escapeHtml(p.split)} ${escapeHtml(p.id)}</span>` +
            `<span>distance ${(distances[i] as number).toFixed(3)}</span></div>` +
            `<p>${escapeHtml(cut(text, EXCERPT_CHARS))}</p></li>`
          );
        })
        .join("");
      return (
        `<article class="cluster" data-cluster="${c}" style="--c:${clusterColor(j)}">` +
        `<header><span class="sw"></span><h3>Cluster ${c}</h3><span class="size">${thousands(size)} posts · ` +
        `${pct(result.posts > 0 ? size / result.posts : 0)}</span></header>${dominant}${terms}` +
        `<h4>Closest to the centre</h4>${reps ? `<ol class="reps">${reps}</ol>` : `<p class="note">No posts with text.</p>`}</article>`
      );
    })
    .join("\n");
  return `<section id="clusters" class="card"><h2>Clusters</h2><div class="grid">\n${cards}\n</div></section>\n`;
}

/**
 * For each table column, the indices of the REPRESENTATIVES posts passing `keep` with the
 * smallest distances, nearest first (ties: corpus order). One pass, a short sorted list each.
 */
function nearestPerCluster(ctx: Ctx, keep: (text: string) => boolean): number[][] {
  const { posts, distances } = ctx.input;
  const best: number[][] = Array.from({ length: ctx.input.result.table.clusters.length }, () => []);
  for (let i = 0; i < posts.length; i++) {
    const list = best[ctx.col[i] as number] as number[];
    const d = distances[i] as number;
    const last = list[list.length - 1];
    if (list.length === REPRESENTATIVES && d >= (distances[last as number] as number)) continue;
    if (!keep((posts[i] as HtmlReportPost).text)) continue;
    let at = list.length;
    while (at > 0 && d < (distances[list[at - 1] as number] as number)) at--;
    list.splice(at, 0, i);
    if (list.length > REPRESENTATIVES) list.pop();
  }
  return best;
}

/** Words of two or more letters. */
function wordCount(text: string): number {
  return text.match(/\p{L}{2,}/gu)?.length ?? 0;
}

// --- configuration and timings --------------------------------------------------------------

function renderRunSection({ input }: Ctx): string {
  const { config: c, timings } = input.result;
  const rows: [string, string][] = [
    ["embedder", c.embedder],
    ["model", c.model],
    ["dtype", c.dtype],
    ["device", c.device],
    ["max length", c.maxLength > 0 ? `${c.maxLength} word pieces` : "n/a"],
    ["k", String(c.k)],
    ["seed", String(c.seed)],
    ["n-init", String(c.nInit)],
    ["column order", c.order],
    ["newsgroups", c.selection.categories.join(", ")],
    ["subset", c.selection.subset],
    ["removed", c.selection.remove.length > 0 ? c.selection.remove.join(", ") : "nothing"],
    ["version", input.version],
  ];
  const config = rows
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  const entries = Object.entries(timings);
  const longest = Math.max(1e-9, ...entries.map(([, s]) => s));
  const total = entries.reduce((a, [, s]) => a + s, 0);
  const bars = entries
    .map(
      ([stage, s]) =>
        `<div class="timing"><span class="mn">${escapeHtml(stage)}</span><span class="bar"><i style="width:${((s / longest) * 100).toFixed(1)}%"></i></span>` +
        `<span class="mv">${seconds(s)}</span></div>`,
    )
    .join("");
  return (
    `<section id="run" class="card"><h2>Run</h2><div class="split run"><div><h3>Configuration</h3>` +
    `<table class="kv">${config}</table></div><div><h3>Timings</h3>${bars}` +
    `<div class="timing total"><span class="mn">total</span><span class="bar"></span><span class="mv">${seconds(total)}</span></div>` +
    `</div></div></section>\n`
  );
}

// --- helpers --------------------------------------------------------------------------------

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** A coordinate rounded to 0.1 SVG units, without "-0" or trailing ".0". */
function num(x: number): string {
  const v = Math.round(x * 10) / 10;
  return String(v === 0 ? 0 : v);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

function thousands(x: number): string {
  return String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** At most `max` characters, cut at a word boundary where one is near, with an ellipsis. */
function cut(s: string, max: number): string {
  const chars = Array.from(s); // code points: never split a surrogate pair
  if (chars.length <= max) return s;
  const head = chars.slice(0, max).join("");
  const space = head.lastIndexOf(" ");
  return `${space > max * 0.8 ? head.slice(0, space) : head}…`;
}

/**
 * Click to highlight: a button or cell with `data-hl="g2 c1"` dims every map mark that lacks
 * one of those classes; clicking it again (or "show all") shows all.
 */
const SCRIPT = `(()=>{const svg=document.getElementById("mapsvg");if(!svg)return;const pts=svg.querySelectorAll(".pt");const ctl=document.querySelectorAll("[data-hl]");let cur="";
const show=(key)=>{cur=cur===key?"":key;const want=cur?cur.split(" "):[];for(const p of pts){p.classList.toggle("dim",!want.every((c)=>p.classList.contains(c)));}
for(const b of ctl){b.classList.toggle("on",cur!==""&&b.getAttribute("data-hl")===cur);}};
for(const b of ctl){b.addEventListener("click",()=>show(b.getAttribute("data-hl")||""));}})();`;

function css(k: number): string {
  const clusterFills = Array.from({ length: k }, (_, j) => `.c${j}{fill:${clusterColor(j)}}`).join(
    "",
  );
  return `
:root{color-scheme:light;--ink:#1c2430;--muted:#5b6675;--line:#e3e7ee;--bg:#f4f6f9;--card:#fff;--accent:#2f6db5}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header.top{display:flex;align-items:flex-end;justify-content:space-between;gap:16px;flex-wrap:wrap;padding:22px 32px 14px;background:#1f2a3a;color:#fff}
header.top h1{margin:0 0 6px;font-size:22px;font-weight:650;letter-spacing:.2px}
.facts{margin:0;display:flex;flex-wrap:wrap;gap:6px}
.facts span{background:rgba(255,255,255,.12);border-radius:999px;padding:2px 10px;font-size:12.5px}
nav{display:flex;gap:4px}
nav a{color:#cfe0ff;text-decoration:none;padding:4px 10px;border-radius:6px;font-size:13px}
nav a:hover{background:rgba(255,255,255,.12);color:#fff}
main{max-width:1280px;margin:0 auto;padding:20px 24px 8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 22px 20px;margin:0 0 20px;box-shadow:0 1px 2px rgba(20,30,50,.05)}
h2{margin:0 0 4px;font-size:17px}
h3{margin:0 0 8px;font-size:13px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted)}
h4{margin:12px 0 6px;font-size:12px;text-transform:uppercase;letter-spacing:.5px;color:var(--muted)}
.note{margin:0 0 14px;color:var(--muted);font-size:12.5px}
.split{display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap}
.scroll{overflow-x:auto;flex:0 1 auto;min-width:0;max-width:100%}
table.heat{border-collapse:separate;border-spacing:3px;font-variant-numeric:tabular-nums}
table.heat th,table.heat td{padding:0}
.heat thead th{font-size:12px;color:var(--muted);font-weight:600;padding:0 4px 4px;text-align:center;white-space:nowrap}
.heat th.corner{text-align:left;font-weight:500}
.heat th.ch .sw{display:block;height:5px;border-radius:3px;background:var(--c);margin:0 0 4px}
.heat th.rh{text-align:left;font-weight:550;white-space:nowrap;padding:0 10px 0 0;cursor:pointer}
.heat th.rh .shape{margin-right:6px}
td.hm{width:84px;min-width:64px;height:46px;text-align:center;border-radius:6px;cursor:pointer;transition:box-shadow .1s}
td.hm b{display:block;font-size:15px;font-weight:650}
.dense td.hm{width:50px;min-width:44px;height:40px}.dense td.hm b{font-size:13px}.dense td.hm small{font-size:10px}
td.hm small{display:block;font-size:11px;opacity:.8}
td.hm.zero{color:#9aa4b2!important}
td.hm:hover,td.hm.on{box-shadow:0 0 0 2px var(--ink)}
td.tot{text-align:center;color:var(--muted);font-size:12.5px;padding:0 8px}
tfoot th.rh{color:var(--muted);font-weight:500;cursor:default}
aside.metrics{flex:0 0 260px;margin-left:auto}
.metric,.timing{display:grid;grid-template-columns:96px 1fr 64px;align-items:center;gap:8px;padding:4px 0;border-bottom:1px solid var(--line);font-size:13px}
.metric{grid-template-columns:96px 58px 1fr}
.mv{font-variant-numeric:tabular-nums;text-align:right}
.bar{height:7px;background:#edf0f5;border-radius:4px;overflow:hidden}
.bar i{display:block;height:100%;background:var(--accent);border-radius:4px}
.metric[data-metric=inertia]{grid-template-columns:96px 1fr}
.mapbox{flex:1 1 620px;min-width:0}
svg.map{width:100%;height:auto;display:block}
svg.map .bg{fill:#fbfcfd;stroke:var(--line)}
svg.map .axis{stroke:#d5dbe4;stroke-dasharray:4 4}
svg.map .axl{fill:#8a94a3;font-size:12px}
.pt{fill-opacity:.78;stroke:#1c2430;stroke-opacity:.45;stroke-width:.5;transition:opacity .15s}
.pt:hover{stroke-opacity:1;stroke-width:1.5;fill-opacity:1}
.pt.dim{opacity:.06}
${clusterFills}
aside.legend{flex:0 0 270px;max-height:640px;overflow-y:auto}
aside.legend h3{margin-top:4px}
button.lg,button.reset{display:flex;align-items:flex-start;gap:8px;width:100%;text-align:left;background:none;border:1px solid transparent;border-radius:6px;padding:4px 6px;font:inherit;font-size:13px;color:inherit;cursor:pointer}
button.lg:hover{background:#f1f4f8}
button.lg.on{border-color:var(--ink);background:#eef2f8}
button.reset{margin-top:10px;justify-content:center;border-color:var(--line);color:var(--muted)}
.lgt small{color:var(--muted);margin-left:4px}
.lgt em{display:block;font-style:normal;color:var(--muted);font-size:12px}
.dot{flex:0 0 auto;width:12px;height:12px;border-radius:50%;margin-top:3px;border:1px solid rgba(0,0,0,.25)}
.shape{display:inline-flex;vertical-align:-2px}
.shape svg{fill:#aab3c0;stroke:#4a5563;stroke-width:.8}
button.lg .shape{margin-top:2px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:16px}
.cluster{border:1px solid var(--line);border-top:5px solid var(--c);border-radius:10px;padding:12px 14px}
.cluster header{display:flex;align-items:center;gap:8px}
.cluster header .sw{width:12px;height:12px;border-radius:50%;background:var(--c)}
.cluster h3{margin:0;font-size:15px;text-transform:none;letter-spacing:0;color:var(--ink)}
.cluster .size{margin-left:auto;color:var(--muted);font-size:12.5px}
.dom{margin:6px 0;font-size:13px}
.terms{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:5px}
.terms li{background:#eef2f7;border-radius:999px;padding:1px 9px;font-size:12.5px}
.reps{margin:0;padding:0;list-style:none}
.reps li{border-left:3px solid var(--c);background:#fafbfc;border-radius:0 6px 6px 0;padding:6px 10px;margin:0 0 8px}
.reps .meta{display:flex;flex-wrap:wrap;gap:4px 10px;font-size:11.5px;color:var(--muted)}
.reps p{margin:3px 0 0;font-size:12.5px;overflow-wrap:anywhere}
.run>div{flex:1 1 380px}
table.kv{border-collapse:collapse;width:100%;font-size:13px}
table.kv th{text-align:left;font-weight:500;color:var(--muted);padding:4px 12px 4px 0;white-space:nowrap;vertical-align:top;width:120px}
table.kv td{padding:4px 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
.timing{grid-template-columns:96px 1fr 70px}
.timing.total{font-weight:600;border-bottom:0}
.timing.total .bar{background:none}
footer{text-align:center;color:var(--muted);font-size:12px;padding:4px 16px 28px}
`;
}
