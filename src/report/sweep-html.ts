/**
 * The k sweep's part of the HTML report: the metrics drawn against k (inline SVG, no script)
 * and the table of rows, the suggested k marked. Pure: returns an HTML fragment that holds only
 * numbers and fixed words, so nothing in it needs escaping.
 */
import type { SweepResult, SweepRow } from "../types.js";

const W = 340;
const H = 220;
const PAD = { left: 56, right: 12, top: 14, bottom: 34 };

interface Series {
  name: string;
  color: string;
  get: (r: SweepRow) => number | undefined;
}

/** Scales values onto the plot's y axis; a flat series sits in the middle. */
function yScale(values: number[]): (v: number) => number {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const mid = hi === lo;
  return (v) => PAD.top + (H - PAD.top - PAD.bottom) * (mid ? 0.5 : 1 - (v - lo) / span);
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3));

/** One line chart of some series against k, with the suggested k as a dashed line. */
export function sweepChart(s: SweepResult, title: string, series: Series[]): string {
  const ks = s.rows.map((r) => r.k);
  const kLo = Math.min(...ks);
  const kHi = Math.max(...ks);
  const x = (k: number) =>
    PAD.left + (W - PAD.left - PAD.right) * (kHi === kLo ? 0.5 : (k - kLo) / (kHi - kLo));
  const all = series.flatMap((se) => s.rows.map(se.get).filter((v) => v !== undefined));
  const y = yScale(all as number[]);
  const lo = Math.min(...(all as number[]));
  const hi = Math.max(...(all as number[]));
  const parts = [
    `<svg class="sweep-chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title} against k">`,
    `<text x="${PAD.left}" y="10" font-size="11">${title}</text>`,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#888"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#888"/>`,
    `<text x="${PAD.left - 4}" y="${y(hi) + 4}" font-size="10" text-anchor="end">${fmt(hi)}</text>`,
    `<text x="${PAD.left - 4}" y="${y(lo) + 4}" font-size="10" text-anchor="end">${fmt(lo)}</text>`,
    `<line class="suggested" x1="${x(s.suggested)}" y1="${PAD.top}" x2="${x(s.suggested)}" y2="${H - PAD.bottom}" stroke="#c00" stroke-dasharray="4 3"/>`,
  ];
  for (const k of ks) {
    parts.push(
      `<text x="${x(k)}" y="${H - PAD.bottom + 14}" font-size="10" text-anchor="middle">${k}</text>`,
    );
  }
  parts.push(
    `<text x="${(W + PAD.left) / 2}" y="${H - 4}" font-size="11" text-anchor="middle">k</text>`,
  );
  series.forEach((se, i) => {
    const pts = s.rows
      .filter((r) => se.get(r) !== undefined)
      .map((r) => `${x(r.k).toFixed(1)},${y(se.get(r) as number).toFixed(1)}`);
    parts.push(
      `<polyline class="series" data-name="${se.name}" points="${pts.join(" ")}" fill="none" stroke="${se.color}" stroke-width="2"/>`,
      `<text x="${W - PAD.right}" y="${PAD.top + 12 * (i + 1)}" font-size="10" text-anchor="end" fill="${se.color}">${se.name}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

/** The sweep's section: charts of the scores and of the inertia, then the rows. */
export function renderSweepSection(s: SweepResult): string {
  const silhouette: Series[] = [{ name: "silhouette", color: "#1f77b4", get: (r) => r.silhouette }];
  const agreement: Series[] = [
    { name: "ARI", color: "#ff7f0e", get: (r) => r.ari },
    { name: "NMI", color: "#2ca02c", get: (r) => r.nmi },
    { name: "V-measure", color: "#9467bd", get: (r) => r.v_measure },
  ];
  const inertia: Series[] = [{ name: "inertia", color: "#555", get: (r) => r.inertia }];
  const head = ["k", "inertia", "silhouette", ...(s.labelled ? ["ARI", "NMI", "V-measure"] : [])];
  const rows = s.rows.map((r) => {
    const cells = [String(r.k), r.inertia.toFixed(2), r.silhouette.toFixed(4)];
    if (s.labelled) {
      cells.push(...[r.ari, r.nmi, r.v_measure].map((v) => (v as number).toFixed(4)));
    }
    const mark = r.suggested ? ' class="suggested"' : "";
    return `<tr${mark}>${cells.map((c) => `<td style="text-align:right;padding:2px 10px">${c}</td>`).join("")}<td>${r.suggested ? "suggested" : ""}</td></tr>`;
  });
  const sample =
    s.silhouetteSample === undefined
      ? ""
      : ` The silhouette was estimated on a seeded sample of ${s.silhouetteSample} of ${s.posts} posts.`;
  return (
    `<section id="sweep" class="card"><h2>Which k?</h2>` +
    `<p>k-means for each k from the same vectors, each k seeded as a single run. Suggested: k = ${s.suggested}, the highest silhouette; the report below is for that k.${sample}</p>` +
    `<div class="sweep-charts" style="display:flex;flex-wrap:wrap;gap:16px">` +
    sweepChart(s, "silhouette (cosine)", silhouette) +
    (s.labelled ? sweepChart(s, "agreement with the labels", agreement) : "") +
    `${sweepChart(s, "inertia", inertia)}</div>` +
    `<table class="sweep"><thead><tr>${head.map((h) => `<th style="text-align:right;padding:2px 10px">${h}</th>`).join("")}<th></th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table></section>\n`
  );
}

/**
 * Puts a section at the top of a rendered report's `<main>` (or before `</body>`). A stopgap
 * until the report renderer takes extra sections itself.
 */
export function withSection(page: string, section: string): string {
  const at = page.indexOf("<main>\n");
  if (at >= 0) return `${page.slice(0, at + 7)}${section}${page.slice(at + 7)}`;
  const end = page.lastIndexOf("</body>");
  return end >= 0 ? `${page.slice(0, end)}${section}${page.slice(end)}` : `${page}${section}`;
}
