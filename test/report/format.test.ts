import { describe, expect, it } from "vitest";
import {
  csvField,
  formatCsv,
  formatJson,
  formatMarkdown,
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
