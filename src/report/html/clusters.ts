/** The report's cluster cards: size, dominant newsgroup, top terms, the most central posts. */
import { clusterColor } from "./colour.js";
import { type Ctx, type HtmlReportPost, isLabelled } from "./context.js";
import { cut, escapeHtml, pct, thousands } from "./text.js";

/** Representative posts shown per cluster. */
const REPRESENTATIVES = 3;
/** Words (of 2+ letters) a post needs to be preferred as a representative. */
const MIN_WORDS = 8;
/** Characters of a representative post shown. */
const EXCERPT_CHARS = 300;

/** The clusters section (`#clusters`). */
export function renderClustersSection(ctx: Ctx): string {
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
  const labelled = isLabelled(result);
  const counts = labelled ? result.table.counts : [];
  const emptyIn = new Array<number>(table.clusters.length).fill(0);
  posts.forEach((p, i) => {
    const j = ctx.col[i] as number;
    if (p.text.trim() === "") emptyIn[j] = (emptyIn[j] as number) + 1;
  });
  const cards = table.clusters
    .map((c, j) => {
      const label = result.labels[j];
      const size = label?.size ?? (ctx.sizes[j] as number);
      let top = -1;
      let topCount = 0;
      counts.forEach((r, i) => {
        if ((r[j] ?? 0) > topCount) {
          topCount = r[j] ?? 0;
          top = i;
        }
      });
      const dominant =
        top >= 0
          ? `<p class="dom">Mostly <b>${escapeHtml(ctx.groups[top] as string)}</b>: ${pct(topCount / size)} of the cluster</p>`
          : "";
      const terms =
        label && label.terms.length > 0
          ? `<ul class="terms">${label.terms.map((t) => `<li>${escapeHtml(t)}</li>`).join("")}</ul>`
          : "";
      const e = emptyIn[j] as number;
      const empties =
        e > 0
          ? `<p class="note">${thousands(e)} empty ${e === 1 ? "post" : "posts"} (no text after cleaning) ${e === 1 ? "is" : "are"} in this cluster; they are never shown as representatives.</p>`
          : "";
      const reps = (best[j] as number[])
        .map((i) => {
          const p = posts[i] as HtmlReportPost;
          const text = p.text.replace(/\s+/g, " ").trim();
          return (
            `<li><div class="meta">${labelled ? `<span>${escapeHtml(p.group)}</span>` : ""}<span>${escapeHtml(p.split)} ${escapeHtml(p.id)}</span>` +
            `<span>distance ${(distances[i] as number).toFixed(3)}</span></div>` +
            `<p>${escapeHtml(cut(text, EXCERPT_CHARS))}</p></li>`
          );
        })
        .join("");
      return (
        `<article class="cluster" data-cluster="${c}" style="--c:${clusterColor(j)}">` +
        `<header><span class="sw"></span><h3>Cluster ${c}</h3><span class="size">${thousands(size)} posts · ` +
        `${pct(result.posts > 0 ? size / result.posts : 0)}</span></header>${dominant}${terms}${empties}` +
        `<h4>Closest to the centre</h4>${reps ? `<ol class="reps">${reps}</ol>` : `<p class="note">${size === 0 ? "An empty cluster: no post is nearest its centre (a smaller --k avoids it)." : "No posts with text."}</p>`}</article>`
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
