import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  escapeHtml,
  type HtmlReportInput,
  type HtmlReportPost,
  renderHtmlReport,
} from "../../src/report/html/page.js";
import type { RunResult, UnlabelledRunResult } from "../../src/types.js";
import { lcg, ROOT } from "../helpers.js";

const GROUPS = ["alt.atheism", "comp.graphics", "sci.space", "talk.religion.misc"];
const EVIL = `<script>alert("x")</script> & 'quoted' </title></svg>`;

/**
 * A synthetic run: `n` posts over `groups`, `k` clusters (ids 0..k-1, mostly following the
 * group), texts of about `textChars` characters, the table counted from the labels.
 */
function synthetic(
  n: number,
  opts: { k?: number; groups?: string[]; textChars?: number } = {},
): HtmlReportInput & { result: RunResult } {
  const groups = opts.groups ?? GROUPS;
  const k = opts.k ?? 4;
  const rand = lcg(3);
  const words = ["orbit", "god", "image", "the", "launch", "belief", "jpeg", "moon", "bible"];
  const posts: HtmlReportPost[] = [];
  const labels = new Int32Array(n);
  const distances = new Float64Array(n);
  const points = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const g = i % groups.length;
    let text = `Subject line of post ${i}\n`;
    while (text.length < (opts.textChars ?? 120)) {
      text += `${words[Math.floor(rand() * words.length)]} `;
      if (rand() < 0.05) text += "\n\n";
    }
    posts.push({
      group: groups[g] as string,
      id: String(50000 + i),
      split: i % 3 ? "train" : "test",
      text,
    });
    labels[i] = rand() < 0.8 ? g % k : Math.floor(rand() * k);
    distances[i] = 0.2 + rand();
    points[2 * i] = (g % 2) * 2 - 1 + (rand() - 0.5);
    points[2 * i + 1] = Math.floor(g / 2) * 2 - 1 + (rand() - 0.5);
  }
  const counts = groups.map((_, gi) =>
    Array.from({ length: k }, (_, c) => {
      let s = 0;
      for (let i = 0; i < n; i++) if (i % groups.length === gi && labels[i] === c) s++;
      return s;
    }),
  );
  const clusters = Array.from({ length: k }, (_, c) => c);
  const result: RunResult = {
    config: {
      selection: { categories: groups, subset: "all", remove: ["headers", "footers", "quotes"] },
      embedder: "minilm",
      model: "Xenova/all-MiniLM-L6-v2",
      dtype: "q8",
      device: "cpu",
      maxLength: 256,
      k,
      seed: 42,
      nInit: 10,
      order: "matched",
    },
    posts: n,
    table: { groups, clusters, counts },
    metrics: {
      ari: 0.4923,
      nmi: 0.5012,
      homogeneity: 0.48,
      completeness: 0.52,
      v_measure: 0.5,
      purity: 0.71,
      accuracy: 0.69,
      inertia: 1234.5678,
    },
    labels: clusters.map((c) => ({
      cluster: c,
      size: counts.reduce((s, r) => s + (r[c] as number), 0),
      terms: ["space", "nasa", "orbit"],
    })),
    timings: { corpus: 0.61, model: 0.2, embed: 25.13, cluster: 0.31, evaluate: 0.42 },
  };
  return { result, version: "9.8.7", posts, labels, distances, points };
}

/** data-group, data-cluster, data-count of each heatmap cell, in document order. */
function cells(html: string): { group: string; cluster: number; count: number }[] {
  return [
    ...html.matchAll(
      /<td class="hm[^"]*" data-group="([^"]*)" data-cluster="(\d+)" data-count="(\d+)"/g,
    ),
  ].map((m) => ({ group: m[1] as string, cluster: Number(m[2]), count: Number(m[3]) }));
}

const count = (html: string, re: RegExp) => [...html.matchAll(re)].length;

describe("escapeHtml", () => {
  it("escapes markup characters and blanks control characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
    expect(escapeHtml("a\u0000b\u0085c\td\ne")).toBe("a b c\td\ne");
  });
});

describe("renderHtmlReport", () => {
  it("escapes post text in tooltips and excerpts", () => {
    const input = synthetic(40);
    const evil = input.posts[5] as HtmlReportPost;
    evil.text = `${EVIL}\nsecond line ${EVIL}`;
    (input.distances as Float64Array)[5] = 0; // the most central post of its cluster
    const html = renderHtmlReport(input);
    // Only the report's own script element; the post's markup is text.
    expect(count(html, /<script/g)).toBe(1);
    expect(html).not.toContain('alert("x")</script>');
    const escaped =
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; &lt;/title&gt;&lt;/svg&gt;";
    // Once in the tooltip (first line only), twice in the excerpt.
    expect(html.split(escaped).length - 1).toBe(3);
    expect(html).toContain(
      `<title>comp.graphics · cluster ${input.labels[5]} · train 50005\n${escaped}</title>`,
    );
  });

  it("escapes group names in attributes and text", () => {
    const groups = ['odd<group>&"name"', "plain"];
    const html = renderHtmlReport(synthetic(10, { groups, k: 2 }));
    expect(html).toContain('data-group="odd&lt;group&gt;&amp;&quot;name&quot;"');
    expect(html).not.toContain("odd<group>");
  });

  it("has one heatmap cell per newsgroup x cluster with the table's counts", () => {
    const input = synthetic(400, { k: 5 });
    const html = renderHtmlReport(input);
    const got = cells(html);
    const { groups, clusters, counts } = input.result.table;
    expect(got).toHaveLength(groups.length * clusters.length);
    expect(got).toEqual(
      groups.flatMap((g, i) =>
        clusters.map((c, j) => ({ group: g, cluster: c, count: counts[i]?.[j] })),
      ),
    );
    expect(got.reduce((s, c) => s + c.count, 0)).toBe(400);
  });

  it("draws one mark per post, with coordinates rounded to 0.1", () => {
    const input = synthetic(321);
    const html = renderHtmlReport(input);
    expect(count(html, /class="pt /g)).toBe(321);
    const coords = [...html.matchAll(/ c[xy]="([^"]+)"/g)].map((m) => m[1] as string);
    expect(coords.length).toBeGreaterThan(0);
    for (const c of coords) expect(c).toMatch(/^-?\d+(\.\d)?$/);
    for (const m of html.matchAll(/<path class="pt [^"]*" d="M(-?[\d.]+) (-?[\d.]+)/g)) {
      expect(m[1]).toMatch(/^\d+(\.\d)?$/);
      expect(m[2]).toMatch(/^\d+(\.\d)?$/);
    }
    // Every cluster colour and every newsgroup shape is used and in the legend.
    for (let j = 0; j < 4; j++) expect(html).toContain(`data-hl="c${j}"`);
    for (let g = 0; g < 4; g++) expect(html).toContain(`class="pt c0 g${g}"`);
  });

  it("references nothing outside the page", () => {
    const input = synthetic(200);
    (input.posts[0] as HtmlReportPost).text = "see http://www.example.com/ and https://x.org";
    const html = renderHtmlReport(input);
    // Links in posts stay text; no attribute points anywhere but inside the page.
    const refs = [...html.matchAll(/\s(?:src|href|xlink:href|action|poster|data)="([^"]*)"/g)];
    for (const m of refs) expect(m[1]).toMatch(/^#/);
    expect(html).not.toMatch(/url\(|@import|<link|<img|<iframe|<object|<embed/i);
    expect(html).toContain("default-src 'none'");
    // Without URLs in the posts there is no URL at all.
    const clean = renderHtmlReport(synthetic(200));
    expect(clean).not.toContain("http://");
    expect(clean).not.toContain("https://");
  });

  it("shows the three posts nearest each centre, shortened", () => {
    const input = synthetic(120, { textChars: 900 });
    const html = renderHtmlReport(input);
    const labels = input.labels as Int32Array;
    const d = input.distances as Float64Array;
    for (let c = 0; c < 4; c++) {
      const members = [...labels.keys()].filter((i) => labels[i] === c);
      const nearest = members.sort((a, b) => (d[a] as number) - (d[b] as number)).slice(0, 3);
      const section = html.slice(html.indexOf(`<article class="cluster" data-cluster="${c}"`));
      const card = section.slice(0, section.indexOf("</article>"));
      const shown = [...card.matchAll(/<span>(?:train|test) (\d+)<\/span>/g)].map((m) => m[1]);
      expect(shown).toEqual(nearest.map((i) => input.posts[i]?.id));
      for (const m of card.matchAll(/<li><div class="meta">.*?<\/div><p>(.*?)<\/p><\/li>/g)) {
        const text = m[1] as string;
        expect(text.endsWith("…")).toBe(true);
        expect(text.length).toBeLessThanOrEqual(301);
      }
    }
  });

  it("prefers posts with prose as representatives and never shows blank ones", () => {
    const input = synthetic(40);
    const d = input.distances as Float64Array;
    const labels = input.labels as Int32Array;
    const members = [...labels.keys()].filter((i) => labels[i] === labels[0]);
    const [blank, rule, short] = members as [number, number, number];
    (input.posts[blank] as HtmlReportPost).text = "  \n\n ";
    (input.posts[rule] as HtmlReportPost).text = "==========\n----------";
    (input.posts[short] as HtmlReportPost).text = "S P H E R E";
    d[blank] = 0;
    d[rule] = 0.01;
    d[short] = 0.02;
    const html = renderHtmlReport(input);
    const section = html.slice(html.indexOf(`data-cluster="${labels[0]}" style=`));
    const card = section.slice(0, section.indexOf("</article>"));
    const ids = [...card.matchAll(/<span>(?:train|test) (\d+)<\/span>/g)].map((m) => m[1]);
    expect(ids).toHaveLength(3);
    for (const i of [blank, rule, short]) expect(ids).not.toContain(input.posts[i]?.id);

    // A cluster of nothing but short posts still shows them, nearest first; blank ones never.
    const tiny = synthetic(8, { k: 4 });
    tiny.posts.forEach((p, i) => {
      p.text = i === 0 ? "" : `ok ${i}`;
    });
    const tinyHtml = renderHtmlReport(tiny);
    expect(tinyHtml).not.toMatch(/<span>(?:train|test) 50000<\/span>/);
    expect(tinyHtml).toMatch(/<span>(?:train|test) 50001<\/span>/);
    expect(count(tinyHtml, /<li><div class="meta">/g)).toBe(7);
  });

  it("shows the configuration, metrics and timings", () => {
    const html = renderHtmlReport(synthetic(50));
    for (const s of [
      "Xenova/all-MiniLM-L6-v2",
      "<th>dtype</th><td>q8</td>",
      "<th>device</th><td>cpu</td>",
      "<th>k</th><td>4</td>",
      "<th>seed</th><td>42</td>",
      "<th>n-init</th><td>10</td>",
      "alt.atheism, comp.graphics, sci.space, talk.religion.misc",
      "headers, footers, quotes",
      "0.4923",
      "0.6900",
      "1234.57",
      "25.1 s",
      "9.8.7",
    ]) {
      expect(html).toContain(s);
    }
  });

  it("inlines its stylesheet and script files, with one fill rule per cluster", () => {
    const dir = join(ROOT, "src", "report", "html");
    const css = readFileSync(join(dir, "report.css"), "utf8");
    const js = readFileSync(join(dir, "report.js"), "utf8").trimEnd();
    const html = renderHtmlReport(synthetic(40, { k: 3 }));
    const fills = ".c0{fill:#4e79a7}.c1{fill:#f28e2b}.c2{fill:#e15759}";
    expect(html).toContain(`<style>\n${css.replace("/* cluster fills */", fills)}</style>`);
    expect(html).toContain(`<script>${js}</script>`);
    expect(html).not.toContain("cluster fills");
  });

  it("is deterministic", () => {
    expect(renderHtmlReport(synthetic(300))).toBe(renderHtmlReport(synthetic(300)));
  });

  it("stays under 5 MB for 3,387 posts (the default corpus' size)", () => {
    const input = synthetic(3387, { textChars: 1500 });
    const html = renderHtmlReport(input);
    const bytes = Buffer.byteLength(html);
    expect(bytes).toBeLessThan(5_000_000);
    expect(count(html, /class="pt /g)).toBe(3387);
  });

  it("rejects inputs whose lengths disagree or labels that are not columns", () => {
    const input = synthetic(20);
    expect(() => renderHtmlReport({ ...input, distances: new Float64Array(19) })).toThrow(
      RangeError,
    );
    expect(() => renderHtmlReport({ ...input, points: new Float32Array(20) })).toThrow(RangeError);
    const labels = Int32Array.from(input.labels);
    labels[3] = 9;
    expect(() => renderHtmlReport({ ...input, labels })).toThrow(/label 9/);
  });
});

describe("the report says what ran (issue 10)", () => {
  it("names the embedder kind plainly and a cached run's device as the cache", () => {
    const input = synthetic(40);
    input.result.config.device = "cache";
    input.result.config.model = "models/tiny-random-bert";
    const html = renderHtmlReport(input);
    expect(html).toContain("<th>device</th><td>from the cache (computed in an earlier run)</td>");
    expect(html).toContain("<th>model</th><td>models/tiny-random-bert</td>");
    expect(html).toContain("<th>embedder</th><td>sentence embeddings (transformers.js)</td>");
    expect(html).not.toContain("<td>minilm</td>");
  });

  it("draws the axis labels below the frame, where no mark is", () => {
    const html = renderHtmlReport(synthetic(200));
    const box = /id="mapsvg" class="map" viewBox="0 0 (\d+) (\d+)"/.exec(html);
    const frame = /<rect class="bg" width="\d+" height="(\d+)"/.exec(html);
    const height = Number(frame?.[1]);
    expect(Number(box?.[2])).toBeGreaterThan(height);
    const label = /<text class="axl"[^>]* y="([\d.]+)"[^>]*>PC 1/.exec(html);
    expect(Number(label?.[1])).toBeGreaterThan(height);
    const ys = [...html.matchAll(/<circle class="pt[^"]*" cx="[\d.]+" cy="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(ys.length).toBeGreaterThan(0);
    expect(Math.max(...ys)).toBeLessThanOrEqual(height);
  });

  it("counts the empty posts on the map and in their cluster's card; explains an empty cluster", () => {
    const input = synthetic(40, { k: 5 });
    const posts = input.posts as HtmlReportPost[];
    for (const i of [0, 4, 8]) (posts[i] as HtmlReportPost).text = "  \n";
    const labels = input.labels as Int32Array;
    // Cluster 4 has no post at all.
    for (let i = 0; i < labels.length; i++) if (labels[i] === 4) labels[i] = 0;
    (input.result.labels[4] as { size: number }).size = 0;
    const html = renderHtmlReport(input);
    expect(html).toContain("3 posts are empty after cleaning");
    const emptyIn = new Set([0, 4, 8].map((i) => labels[i]));
    const notes = count(html, /empty posts? \(no text after cleaning\)/g);
    expect(notes).toBe(emptyIn.size);
    expect(html).toContain("An empty cluster: no post is nearest its centre");
  });
});

/** The synthetic run as posts without labels: sizes instead of the newsgroup table. */
function unlabelled(n: number, k = 4): HtmlReportInput {
  const input = synthetic(n, { k });
  const { table, metrics, ...rest } = input.result;
  const sizes = table.clusters.map((_, j) => table.counts.reduce((s, r) => s + (r[j] ?? 0), 0));
  const result: UnlabelledRunResult = {
    ...rest,
    config: { ...rest.config, selection: { categories: [], subset: "all", remove: [] } },
    table: { clusters: table.clusters, sizes, shares: sizes.map((s) => s / n) },
    metrics: { inertia: metrics.inertia, silhouette: 0.1234 },
  };
  result.config.input = "notes.jsonl";
  const posts = input.posts.map((p) => ({ ...p, group: "", split: "" }));
  return { ...input, result, posts };
}

describe("renderHtmlReport on posts without labels", () => {
  const input = unlabelled(300, 5);
  const html = renderHtmlReport(input);

  it("has the sizes section, no heatmap and no label metrics", () => {
    expect(html).toContain('<section id="sizes"');
    expect(html).toContain(
      "300 posts without labels in 5 clusters; inertia 1234.57, cosine silhouette 0.1234.",
    );
    expect(cells(html)).toEqual([]);
    expect(html).not.toContain('id="table"');
    expect(html).not.toMatch(/ARI|NMI|homogeneity|purity|Mostly <b>/);
    expect(html).toContain('<a href="#sizes">Sizes</a>');
    expect(html).toContain("<title>Clusters: 300 posts, k = 5</title>");
  });

  it("colours the map by cluster only: one mark per post, no newsgroup legend or class", () => {
    const marks = [...html.matchAll(/class="pt c(\d+)"/g)].map((m) => Number(m[1]));
    expect(marks).toHaveLength(300);
    const want = Array.from(input.labels).sort((a, b) => a - b);
    expect(marks.sort((a, b) => a - b)).toEqual(want);
    expect(html).not.toMatch(/class="pt c\d+ g\d+"/);
    expect(html).not.toContain("<h3>Newsgroups</h3>");
    expect(html).toContain("Colour: cluster (the posts have no labels).");
  });

  it("gives each cluster card its size and names the input file", () => {
    const { sizes } = (input.result as UnlabelledRunResult).table;
    for (const [j, size] of sizes.entries()) {
      expect(html).toContain(`<h3>Cluster ${j}</h3><span class="size">${size} posts · `);
    }
    expect(html).toContain("<th>input</th><td>notes.jsonl</td>");
    expect(html).not.toContain("<th>newsgroups</th>");
  });
});
