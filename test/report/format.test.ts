import { describe, expect, it } from "vitest";
import {
  csvField,
  formatCsv,
  formatJson,
  formatLabels,
  formatMarkdown,
  formatMetrics,
  formatResult,
  formatTable,
  formatTsv,
} from "../../src/report/format.js";
import type { Contingency, RunResult } from "../../src/types.js";

const table: Contingency = {
  groups: ["alt.atheism", "comp.graphics", 'odd "name", with comma'],
  clusters: [0, 1],
  counts: [
    [3, 1],
    [0, 4],
    [2, 2],
  ],
};

const result: RunResult = {
  config: {
    selection: { categories: table.groups, subset: "all", remove: ["headers"] },
    embedder: "minilm",
    order: "matched",
    model: "m",
    dtype: "q8",
    device: "cpu",
    maxLength: 256,
    k: 2,
    seed: 1,
    nInit: 1,
  },
  posts: 12,
  table,
  metrics: {
    ari: 0.5,
    nmi: 0.25,
    homogeneity: 0.125,
    completeness: 0.75,
    v_measure: 0.2,
    purity: 0.6,
    accuracy: 0.55,
    inertia: 1.5,
  },
  labels: [
    { cluster: 0, size: 5, terms: ["god", "atheism"] },
    { cluster: 1, size: 7, terms: [] },
  ],
  timings: { embed: 1 },
};

describe("formats", () => {
  it("csv: header, one row per group, RFC 4180 quoting", () => {
    expect(formatCsv(table)).toBe(
      'newsgroup,0,1\nalt.atheism,3,1\ncomp.graphics,0,4\n"odd ""name"", with comma",2,2\n',
    );
    expect(csvField("a\nb")).toBe('"a\nb"');
    expect(csvField("plain")).toBe("plain");
  });
  it("tsv", () => {
    expect(formatTsv(table).split("\n")[0]).toBe("newsgroup\t0\t1");
    expect(formatTsv(table).split("\n")[2]).toBe("comp.graphics\t0\t4");
  });
  it("markdown", () => {
    const md = formatMarkdown(table).split("\n");
    expect(md[0]).toBe("| newsgroup | 0 | 1 |");
    expect(md[1]).toBe("| --- | ---: | ---: |");
    expect(md[2]).toBe("| alt.atheism | 3 | 1 |");
  });
  it("boxed table with totals", () => {
    const t = formatTable(table);
    expect(t).toMatch(/│ alt\.atheism\s+│\s+3 │\s+1 │\s+4 │/);
    expect(t).toMatch(/│ total\s+│\s+5 │\s+7 │\s+12 │/);
  });
  it("json carries config, counts, table, metrics, labels and version", () => {
    const doc = JSON.parse(formatJson(result, "9.9.9"));
    expect(doc.version).toBe("9.9.9");
    expect(doc.schema).toBe(1);
    expect(doc.table.counts).toEqual(table.counts);
    expect(doc.config.k).toBe(2);
    expect(doc.counts).toEqual({
      posts: 12,
      groups: { "alt.atheism": 4, "comp.graphics": 4, 'odd "name", with comma': 4 },
      clusters: [5, 7],
      empty: 0,
    });
    expect(doc.metrics.ari).toBe(0.5);
    expect(doc.labels[0]).toEqual({ cluster: 0, size: 5, terms: ["god", "atheism"] });
  });
  it("table mode prints metrics and labels under the table", () => {
    const out = formatResult(result, "table", "1").split("\n");
    const after = out.slice(out.findIndex((l) => l.startsWith("└")) + 1);
    expect(after[0]).toBe(
      "ARI 0.5000  NMI 0.2500  homogeneity 0.1250  completeness 0.7500  V-measure 0.2000  purity 0.6000  accuracy 0.5500  inertia 1.50",
    );
    expect(after[1]).toBe("cluster 0 (5 posts): god, atheism");
    expect(after[2]).toBe("cluster 1 (7 posts)");
  });
  it("csv stays data only", () => {
    expect(formatResult(result, "csv", "1")).not.toContain("ARI");
  });
  it("dispatches on the format", () => {
    expect(formatResult(result, "csv", "1")).toBe(formatCsv(table));
    expect(formatResult(result, "markdown", "1")).toBe(formatMarkdown(table));
  });
});

describe("fitting the terminal", () => {
  const groups = Array.from({ length: 20 }, (_, i) => `group.number.${i}.with.a.long.name`);
  const wide: Contingency = {
    groups,
    clusters: Array.from({ length: 20 }, (_, j) => j),
    counts: groups.map((_, i) =>
      Array.from({ length: 20 }, (_, j) => ((i * 7 + j * 13) % 97) * 11),
    ),
  };
  const widest = (s: string) => Math.max(...s.split("\n").map((l) => l.length));

  it("a table wider than the terminal is split into blocks that fit, every count kept", () => {
    expect(widest(formatTable(wide))).toBeGreaterThan(100);
    const out = formatTable(wide, 100);
    expect(widest(out)).toBeLessThanOrEqual(100);
    expect(out).toContain("--format csv or --report give the whole table");
    // Every cluster id appears as a header once, and the totals column once, in the last block.
    const heads = out.split("\n").filter((l) => l.includes("newsgroup"));
    const ids = heads.flatMap((h) =>
      h
        .split("│")
        .map((c) => c.trim())
        .filter((c) => /^\d+$/.test(c)),
    );
    expect(ids.map(Number)).toEqual(wide.clusters);
    expect(heads.filter((h) => h.includes("total"))).toHaveLength(1);
    expect(heads.at(-1)).toContain("total");
    // The counts of row 3 across the blocks, in order, are the row.
    const row3 = out
      .split("\n")
      .filter((l) => l.includes(`│ ${groups[3]} `))
      .flatMap((l) =>
        l
          .split("│")
          .slice(2, -1)
          .map((c) => Number(c.trim())),
      );
    expect(row3.slice(0, 20)).toEqual(wide.counts[3]);
  });

  it("a table that fits is unchanged", () => {
    expect(formatTable(table, 100)).toBe(formatTable(table));
  });

  it("metrics and label lines wrap between words, never inside one", () => {
    const m = { ...result.metrics, silhouette: 0.1234 };
    const line = formatMetrics(m);
    expect(line.length).toBeGreaterThan(60);
    const wrapped = formatMetrics(m, 60);
    expect(widest(wrapped)).toBeLessThanOrEqual(60);
    expect(wrapped.replaceAll("\n", "  ")).toBe(line);
    const labels = [
      { cluster: 0, size: 5, terms: Array.from({ length: 12 }, (_, i) => `term${i}`) },
    ];
    const one = formatLabels(labels);
    const lines = formatLabels(labels, 40).split("\n");
    expect(lines.length).toBeGreaterThan(1);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(40);
    expect(lines.map((l) => l.trim()).join(" ")).toBe(one);
  });
});
