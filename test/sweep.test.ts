import { Command, InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { cluster } from "../src/cluster/kmeans.js";
import type { Embedder } from "../src/embed/embedder.js";
import { CliError } from "../src/errors.js";
import { sampleRows, silhouetteAtScale, silhouetteCosine } from "../src/evaluate/silhouette.js";
import { clusterSizes } from "../src/evaluate/sizes.js";
import { runAny } from "../src/pipeline.js";
import { parseK } from "../src/program-input.js";
import { formatSweep } from "../src/report/sweep.js";
import { formatUnlabelled } from "../src/report/unlabelled.js";
import { silhouetteRandom, sweepK } from "../src/sweep.js";
import type { Corpus, Embeddings, SweepResult } from "../src/types.js";

/** Four blobs in 3-D with a little seeded jitter: k = 4 is the natural answer. */
function blobs(perBlob: number): Embeddings {
  const centres = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [-1, -1, 0],
  ];
  let s = 3;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  const rows = centres.length * perBlob;
  const data = new Float32Array(rows * 3);
  for (let i = 0; i < rows; i++) {
    const c = centres[i % centres.length] as number[];
    for (let d = 0; d < 3; d++) data[i * 3 + d] = (c[d] as number) + 0.1 * rnd();
  }
  return { rows, dims: 3, data };
}

const corpusOf = (rows: number, labelled: boolean): Corpus => {
  const groups = ["a", "b", "c", "d"];
  return {
    groups: labelled ? groups : [],
    docs: Array.from({ length: rows }, (_, i) => ({
      split: "" as const,
      group: labelled ? (groups[i % 4] as string) : "",
      id: String(i + 1),
      text: `post ${i} word${i % 4} other${i % 3}`,
    })),
  };
};

describe("parseK", () => {
  it("reads one k, an inclusive range and a list (sorted)", () => {
    expect(parseK("8")).toEqual({ k: 8, sweep: undefined });
    expect(parseK(" 2..5 ")).toEqual({ k: undefined, sweep: [2, 3, 4, 5] });
    expect(parseK("16,4,8")).toEqual({ k: undefined, sweep: [4, 8, 16] });
  });

  it("rejects anything else, naming the value and what is allowed", () => {
    for (const bad of [
      "0",
      "x",
      "1..4",
      "5..5",
      "6..3",
      "4,4",
      "1,3",
      "2..500",
      "3,",
      "-2",
      "2.5",
    ]) {
      expect(() => parseK(bad), bad).toThrow(InvalidArgumentError);
      expect(() => parseK(bad), bad).toThrow(`got '${bad}'`);
    }
  });

  it("is the --k of the program (commander reports its errors as usage errors)", () => {
    const p = new Command().exitOverride().option("--k <n>", "", parseK);
    p.configureOutput({ writeErr: () => {} });
    expect(p.parse(["--k", "2..3"], { from: "user" }).opts().k.sweep).toEqual([2, 3]);
    expect(() => p.parse(["--k", "1..3"], { from: "user" })).toThrow(/2 <= first < last/);
  });
});

describe("clusterSizes", () => {
  it("counts and shares per cluster id", () => {
    expect(clusterSizes([2, 0, 2, 2], 4)).toEqual({
      clusters: [0, 1, 2, 3],
      sizes: [1, 0, 3, 0],
      shares: [0.25, 0, 0.75, 0],
    });
    expect(() => clusterSizes([0, 4], 4)).toThrow(RangeError);
  });
});

describe("silhouetteAtScale", () => {
  const emb = blobs(30);
  const labels = Int32Array.from({ length: emb.rows }, (_, i) => i % 4);

  it("is exact up to the limit", async () => {
    const s = await silhouetteAtScale(emb.data, emb.rows, emb.dims, labels, silhouetteRandom(1));
    expect(s).toEqual({ value: silhouetteCosine(emb.data, emb.rows, emb.dims, labels) });
  });

  it("above it, is the silhouette of a seeded sample, stated, and the same for the same seed", async () => {
    const at = () =>
      silhouetteAtScale(
        emb.data,
        emb.rows,
        emb.dims,
        labels,
        silhouetteRandom(1),
        undefined,
        50,
        40,
      );
    const a = await at();
    const b = await at();
    expect(a.sample).toBe(40);
    expect(b).toEqual(a);
    const pick = sampleRows(emb.rows, 40, silhouetteRandom(1));
    expect(new Set(pick).size).toBe(40);
    expect([...pick]).toEqual([...pick].sort((x, y) => x - y));
    const sub = new Float32Array(40 * 3);
    pick.forEach((r, i) => {
      sub.set(emb.data.subarray(r * 3, r * 3 + 3), i * 3);
    });
    const subLabels = Array.from(pick, (r) => labels[r] as number);
    expect(a.value).toBe(silhouetteCosine(sub, 40, 3, subLabels));
    // The estimate is close to the exact value on these well-separated blobs.
    const exact = silhouetteCosine(emb.data, emb.rows, emb.dims, labels);
    expect(Math.abs(a.value - exact)).toBeLessThan(0.05);
  });
});

describe("sweepK", () => {
  const emb = blobs(25);
  const opts = { ks: [2, 3, 4, 5, 6], seed: 7, nInit: 3, maxIterations: 100 };

  it("scores every k as a single run would, and suggests the highest silhouette", async () => {
    const progress: string[] = [];
    const out = await sweepK(emb, corpusOf(emb.rows, true), opts, (d, t, k) =>
      progress.push(`${d}/${t}:${k}`),
    );
    expect(progress).toEqual(["1/5:2", "2/5:3", "3/5:4", "4/5:5", "5/5:6"]);
    expect(out.rows.map((r) => r.k)).toEqual([2, 3, 4, 5, 6]);
    for (const row of out.rows) {
      const single = await cluster(emb, { k: row.k, seed: 7, nInit: 3, maxIterations: 100 });
      expect(row.inertia).toBe(single.inertia);
      expect(row.silhouette).toBe(silhouetteCosine(emb.data, emb.rows, emb.dims, single.labels));
    }
    const best = out.rows.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
    expect(best.k).toBe(4);
    expect(out.rows.filter((r) => r.suggested).map((r) => r.k)).toEqual([4]);
    expect(out.best.k).toBe(4);
    const four = out.rows[2];
    expect(four?.ari).toBeCloseTo(1, 12);
    expect(four?.nmi).toBeCloseTo(1, 12);
    expect(four?.v_measure).toBeCloseTo(1, 12);
    expect(out.sample).toBeUndefined();
  });

  it("has no label metrics without labels, and refuses a k the silhouette cannot take", async () => {
    const out = await sweepK(emb, undefined, { ...opts, ks: [3, 4] });
    expect(Object.keys(out.rows[0] as object).sort()).toEqual([
      "inertia",
      "k",
      "silhouette",
      "suggested",
    ]);
    await expect(sweepK(emb, undefined, { ...opts, ks: [emb.rows] })).rejects.toThrow(RangeError);
  });

  it("stops at an aborted signal", async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(sweepK(emb, undefined, opts, undefined, ctl.signal)).rejects.toThrow(/abort/i);
  });
});

function fakeEmbedder(emb: Embeddings): Embedder {
  return {
    info: { model: "fake", dtype: "fp32", device: "cpu", maxLength: 0, dims: emb.dims },
    async embed(texts) {
      expect(texts).toHaveLength(emb.rows);
      return emb;
    },
    async dispose() {},
  };
}

const baseConfig = {
  selection: { categories: ["a", "b", "c", "d"], subset: "all" as const, remove: [] },
  embedder: "minilm" as const,
  k: undefined,
  seed: 7,
  nInit: 3,
  maxIterations: 100,
  order: "matched" as const,
  topTerms: 2,
  silhouette: true,
};

describe("runAny", () => {
  const emb = blobs(25);
  const deps = (labelled: boolean) => ({
    loadCorpus: async () => corpusOf(emb.rows, labelled),
    createEmbedder: async () => fakeEmbedder(emb),
    now: () => 0,
  });

  it("reports unlabelled posts by size, largest first, with terms and no label metrics", async () => {
    const out = await runAny({ ...baseConfig, k: 3, input: "x.jsonl" }, deps(false));
    if (out.kind !== "unlabelled") throw new Error(`got ${out.kind}`);
    const { table, metrics, config } = out.result;
    expect(table.sizes.reduce((a, b) => a + b, 0)).toBe(100);
    expect([...table.sizes].sort((a, b) => b - a)).toEqual(table.sizes);
    expect(clusterSizes(out.labels, 3).sizes).toEqual(table.sizes);
    expect(Object.keys(metrics).sort()).toEqual(["inertia", "silhouette"]);
    expect(config.input).toBe("x.jsonl");
    expect(config.selection.categories).toEqual([]);
    expect(out.result.labels.every((l) => l.terms.length === 2)).toBe(true);
  });

  it("needs --k without labels, and fails early for an option that needs labels", async () => {
    await expect(runAny(baseConfig, deps(false))).rejects.toThrow(/give --k/);
    const gate = runAny({ ...baseConfig, k: 3, labelsNeededBy: "--min-ari" }, deps(false));
    await expect(gate).rejects.toBeInstanceOf(CliError);
    await expect(gate).rejects.toThrow("--min-ari needs labelled posts");
  });

  it("sweeps k and returns the suggested k's full output", async () => {
    const out = await runAny({ ...baseConfig, sweep: [2, 4, 6] }, deps(true));
    if (out.kind !== "sweep") throw new Error(`got ${out.kind}`);
    expect(out.sweep.rows.map((r) => r.k)).toEqual([2, 4, 6]);
    expect(out.sweep.suggested).toBe(4);
    expect(out.sweep.config.ks).toEqual([2, 4, 6]);
    expect(out.best.kind).toBe("labelled");
    expect(out.best.result.config.k).toBe(4);
    expect(out.best.result.metrics.silhouette).toBe(out.sweep.rows[1]?.silhouette);
    await expect(runAny({ ...baseConfig, sweep: [2, 100] }, deps(true))).rejects.toThrow(
      "every k of a sweep must be from 2 to 99",
    );
  });
});

describe("formatSweep and formatUnlabelled", () => {
  const sweep: SweepResult = {
    config: {
      selection: { categories: ["a"], subset: "all", remove: [] },
      embedder: "tfidf",
      model: "m",
      dtype: "d",
      device: "cpu",
      maxLength: 0,
      seed: 1,
      nInit: 1,
      ks: [2, 3],
    },
    posts: 30000,
    labelled: false,
    silhouetteSample: 10000,
    rows: [
      { k: 2, inertia: 10.5, silhouette: 0.25, suggested: true },
      { k: 3, inertia: 9, silhouette: 0.125, suggested: false },
    ],
    suggested: 2,
    timings: { embed: 1 },
  };

  it("prints every format, states the suggestion and the silhouette sample", () => {
    expect(formatSweep(sweep, "csv", "v")).toBe(
      "k,inertia,silhouette,suggested\n2,10.5,0.25,true\n3,9,0.125,false\n",
    );
    expect(formatSweep(sweep, "tsv", "v")).toBe(
      "k\tinertia\tsilhouette\tsuggested\n2\t10.5\t0.25\ttrue\n3\t9\t0.125\tfalse\n",
    );
    const md = formatSweep(sweep, "markdown", "v");
    expect(md).toContain("| k | inertia | silhouette | suggested |");
    expect(md).toContain("| 2 | 10.50 | 0.2500 | <- suggested |");
    const table = formatSweep(sweep, "table", "v");
    expect(table).toMatch(/│ 2 │ +10\.50 │ +0\.2500 │ <- suggested │/);
    expect(table).toContain("suggested k: 2 (highest silhouette)");
    expect(table).toContain("silhouette estimated on a seeded sample of 10000 of 30000 posts");
    const doc = JSON.parse(formatSweep(sweep, "json", "v"));
    expect(doc.schema).toBe(1);
    expect(doc.sweep).toEqual({ suggested: 2, silhouetteSample: 10000, rows: sweep.rows });
    expect(doc.counts).toEqual({ posts: 30000 });
  });

  it("prints the size table with shares and terms", () => {
    const r = {
      config: { ...sweep.config, k: 2, order: "matched" as const },
      posts: 4,
      table: { clusters: [0, 1], sizes: [3, 1], shares: [0.75, 0.25] },
      metrics: { inertia: 1.5 },
      labels: [
        { cluster: 0, size: 3, terms: ["a, b", "c"] },
        { cluster: 1, size: 1, terms: [] },
      ],
      timings: {},
    };
    expect(formatUnlabelled(r, "csv", "v")).toBe(
      'cluster,size,share,terms\n0,3,0.7500,"a, b c"\n1,1,0.2500,\n',
    );
    expect(formatUnlabelled(r, "markdown", "v")).toContain("| 0 | 3 | 0.7500 | a, b c |");
    const t = formatUnlabelled(r, "table", "v");
    expect(t).toMatch(/│ +0 │ +3 │ +75\.0% │ a, b c +│/);
    expect(t).toMatch(/│ +total │ +4 │ +100\.0% │/);
    expect(t.trimEnd().split("\n").at(-1)).toBe("inertia 1.50");
    const doc = JSON.parse(formatUnlabelled(r, "json", "v"));
    expect(doc.table).toEqual(r.table);
    expect(doc.metrics).toEqual({ inertia: 1.5 });
  });
});
