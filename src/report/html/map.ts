/** The report's map: every post on the first two principal components, as SVG marks. */
import { permutation } from "../../linalg/random.js";
import { clusterColor } from "./colour.js";
import type { Ctx, HtmlReportPost } from "./context.js";
import { SHAPES, type Shape, shapeIcon, shapePath } from "./shapes.js";
import { cut, escapeHtml, num } from "./text.js";

/** Characters of a post's first line in the map's tooltips. */
const TOOLTIP_CHARS = 100;
/** Width of the map in SVG units (its height follows the points' aspect ratio). */
const MAP_WIDTH = 760;
/** Height of the strip under the frame that holds the axis labels, in SVG units. */
const AXIS_STRIP = 20;

/** The plot area: the points' frame and the mapping from PCA coordinates to SVG units. */
interface Frame {
  xs: Float64Array;
  ys: Float64Array;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  width: number;
  height: number;
  sx: (x: number) => number;
  sy: (y: number) => number;
}

/**
 * Frames the central 99.6% of the points on each axis, so that a few outliers do not squash
 * the rest; the outliers are drawn on the frame's edge.
 */
function frame(points: Float32Array, n: number): Frame {
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
  return { xs, ys, x0, x1, y0, y1, width, height, sx, sy };
}

/** One SVG mark per post, in a fixed shuffled order, and how many lie outside the frame. */
function drawMarks(ctx: Ctx, f: Frame): { marks: string[]; clamped: number } {
  const { input, col, row, groups } = ctx;
  const { posts, result } = input;
  const table = result.table;
  const { xs, ys, x0, x1, y0, y1, sx, sy } = f;
  const n = posts.length;
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
    const where = [
      groups.length > 0 ? p.group : "",
      `cluster ${table.clusters[j]}`,
      `${p.split} ${p.id}`.trim(),
    ];
    const tip = escapeHtml(`${where.filter((s) => s !== "").join(" · ")}\n${postHeadline(p.text)}`);
    const shape = SHAPES[Math.max(0, g) % SHAPES.length] as Shape;
    const cx = num(sx(x));
    const cy = num(sy(y));
    marks.push(
      shape === "circle"
        ? `<circle class="${cls}" cx="${cx}" cy="${cy}" r="${r}"><title>${tip}</title></circle>`
        : `<path class="${cls}" d="M${cx} ${cy}${rel[SHAPES.indexOf(shape)]}"><title>${tip}</title></path>`,
    );
  }
  return { marks, clamped };
}

/** The map section (`#map`). */
export function renderMapSection(ctx: Ctx): string {
  const { input, groups } = ctx;
  const { posts, points, result } = input;
  const n = posts.length;
  const table = result.table;
  const f = frame(points, n);
  const { x0, x1, y0, y1, width, height, sx, sy } = f;
  const { marks, clamped } = drawMarks(ctx, f);

  const axes: string[] = [];
  if (x0 < 0 && x1 > 0) {
    axes.push(`<line class="axis" x1="${num(sx(0))}" y1="0" x2="${num(sx(0))}" y2="${height}"/>`);
  }
  if (y0 < 0 && y1 > 0) {
    axes.push(`<line class="axis" x1="0" y1="${num(sy(0))}" x2="${width}" y2="${num(sy(0))}"/>`);
  }
  // The axis labels sit in a strip below the frame, where no mark is drawn.
  const labels =
    `<text class="axl" x="${width - 8}" y="${height + AXIS_STRIP - 6}" text-anchor="end">PC 1 →</text>` +
    `<text class="axl" x="8" y="${height + AXIS_STRIP - 6}">↑ PC 2</text>`;

  const svg =
    `<svg id="mapsvg" class="map" viewBox="0 0 ${width} ${height + AXIS_STRIP}" role="img" ` +
    `aria-label="Map of ${n} posts on the first two principal components">` +
    `<rect class="bg" width="${width}" height="${height}" rx="6"/>${axes.join("")}` +
    `<g class="pts">${marks.join("\n")}</g>${labels}</svg>`;

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
  const groupSizes = new Array<number>(groups.length).fill(0);
  for (const g of ctx.row) if (g >= 0) groupSizes[g] = (groupSizes[g] ?? 0) + 1;
  const groupLegend = groups
    .map(
      (g, i) =>
        `<button type="button" class="lg" data-hl="g${i}"><span class="shape">${shapeIcon(i)}</span>` +
        `<span class="lgt">${escapeHtml(g)} <small>${groupSizes[i] ?? 0}</small></span></button>`,
    )
    .join("");
  const repeat =
    groups.length > SHAPES.length
      ? ` Shapes repeat after ${SHAPES.length} newsgroups: hover or click to tell them apart.`
      : "";
  const empty = posts.filter((p) => p.text.trim() === "").length;
  const emptyNote =
    empty > 0
      ? ` ${empty} ${empty === 1 ? "post is" : "posts are"} empty after cleaning: they embed identically and share one mark.`
      : "";
  const edge =
    clamped > 0
      ? ` ${clamped} outlying ${clamped === 1 ? "post is" : "posts are"} drawn on the frame's edge.`
      : "";
  return (
    `<section id="map" class="card"><h2>Map of the posts</h2>` +
    `<p class="note">Each mark is one post, placed by the first two principal components of its embedding. ` +
    `${groups.length > 0 ? "Colour: cluster; shape: newsgroup." : "Colour: cluster (the posts have no labels)."} Hover a mark to read the post's first line; click a legend entry ` +
    `to highlight it, again to show all.${repeat}${edge}${emptyNote}</p>` +
    `<div class="split"><div class="mapbox">${svg}</div>` +
    `<aside class="legend"><h3>Clusters</h3>${clusterLegend}${groups.length > 0 ? `<h3>Newsgroups</h3>${groupLegend}` : ""}` +
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

/** First non-blank line of a post, whitespace collapsed, cut to TOOLTIP_CHARS. */
function postHeadline(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "");
  return line === undefined ? "(empty post)" : cut(line.replace(/\s+/g, " ").trim(), TOOLTIP_CHARS);
}
