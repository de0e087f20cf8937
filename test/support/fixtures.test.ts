/**
 * The hermetic fixtures themselves: the synthetic corpus is deterministic, in the 20news-bydate
 * layout, and exercises the cleaning; the tiny model loads in both dtypes, its vectors depend on
 * ids, positions and the mask, and its tokenizer agrees with Hugging Face's Rust tokenizers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "tokenizers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../../src/dataset/corpus.js";
import { DEFAULT_GROUPS } from "../../src/dataset/groups.js";
import { TransformersEmbedder } from "../../src/embed/transformers.js";
import type { Corpus } from "../../src/types.js";
import {
  FIXTURE_COUNTS,
  FIXTURE_GROUPS,
  fixtureCorpusFiles,
  fixtureTotal,
  groupTotal,
} from "./corpus.js";
import { fixtures } from "./fixtures.js";
import { SPECIAL, TINY_DIMS, TINY_MODEL, tinyOnnx, tinyVocab } from "./tiny-model.js";

const ALL = { categories: [...DEFAULT_GROUPS], subset: "all" as const };
let cleaned: Corpus;
let raw: Corpus;
beforeAll(async () => {
  const bytes = readFileSync(fixtures().archive);
  cleaned = await loadCorpus(bytes, { ...ALL, remove: ["headers", "footers", "quotes"] }, "f");
  raw = await loadCorpus(bytes, { ...ALL, remove: [] }, "f");
});

describe("the synthetic corpus", () => {
  it("covers the default groups, with the counts FIXTURE_COUNTS states", () => {
    expect(FIXTURE_GROUPS).toEqual([...DEFAULT_GROUPS].sort());
    expect(cleaned.groups).toEqual(FIXTURE_GROUPS);
    expect(cleaned.docs).toHaveLength(fixtureTotal());
    for (const g of FIXTURE_GROUPS) {
      const of = (s: string) => cleaned.docs.filter((d) => d.group === g && d.split === s).length;
      expect([of("train"), of("test")]).toEqual([
        FIXTURE_COUNTS[g]?.train,
        FIXTURE_COUNTS[g]?.test,
      ]);
      expect(of("train") + of("test")).toBe(groupTotal(g));
    }
    expect(new Set(FIXTURE_GROUPS.map(groupTotal)).size).toBe(4); // a count names its group
  });

  it("is the same bytes every time, in archive name order", () => {
    const a = fixtureCorpusFiles();
    expect(fixtureCorpusFiles()).toEqual(a);
    const names = Object.keys(a);
    expect(names).toEqual([...names].sort());
    expect(names.every((n) => /^20news-bydate-(train|test)\/[a-z.]+\/\d+$/.test(n))).toBe(true);
  });

  it("has what the cleaning must handle: headers, quotes, signatures, latin-1, CR, empty bodies", () => {
    const texts = raw.docs.map((d) => d.text);
    expect(texts.every((t) => t.startsWith("From: "))).toBe(true);
    expect(texts.filter((t) => / writes:\n> /.test(t)).length).toBeGreaterThan(10);
    expect(texts.filter((t) => t.includes("\n-- \n")).length).toBeGreaterThan(10);
    expect(texts.filter((t) => t.includes("caf\u00e9 na\u00efve")).length).toBeGreaterThan(3);
    expect(texts.filter((t) => t.includes("\r")).length).toBeGreaterThan(3);
    const clean = cleaned.docs.map((d) => d.text);
    expect(clean.filter((t) => t === "").length).toBeGreaterThanOrEqual(8); // two per group
    expect(clean.some((t) => /^(From|Subject):/m.test(t))).toBe(false);
    expect(clean.some((t) => /writes:|^>/m.test(t))).toBe(false);
    expect(clean.some((t) => t.includes("University of Fixtures"))).toBe(false);
    expect(clean.filter((t) => t.includes("\u00c5ngstr\u00f6m")).length).toBeGreaterThan(3);
    expect(clean.filter((t) => /[<>&]/.test(t.split("\n")[0] ?? "")).length).toBeGreaterThan(3);
  });
});

describe("the tiny model", () => {
  const opts = {
    model: TINY_MODEL,
    cacheDir: "/nonexistent-cache",
    offline: true,
    device: "cpu" as const,
    maxLength: 256,
    batchSize: 4,
    threads: 1,
    log: () => {},
  };
  let fp32: TransformersEmbedder;
  let q8: TransformersEmbedder;
  beforeAll(async () => {
    fp32 = await TransformersEmbedder.create({
      ...opts,
      modelsDir: fixtures().models,
      dtype: "fp32",
    });
    q8 = await TransformersEmbedder.create({ ...opts, modelsDir: fixtures().models, dtype: "q8" });
  });
  afterAll(async () => {
    await fp32?.dispose();
    await q8?.dispose();
  });

  it("builds the same graphs every time; the q8 graph is another graph", () => {
    const n = tinyVocab().length;
    expect(Buffer.from(tinyOnnx(n, false)).equals(Buffer.from(tinyOnnx(n, false)))).toBe(true);
    const onDisk = readFileSync(
      join(fixtures().models, TINY_MODEL, "onnx", "model_quantized.onnx"),
    );
    expect(onDisk.equals(Buffer.from(tinyOnnx(n, true)))).toBe(true);
    expect(onDisk.includes(Buffer.from("MatMulInteger"))).toBe(true);
    expect(Buffer.from(tinyOnnx(n, false)).includes(Buffer.from("MatMulInteger"))).toBe(false);
  });

  it("loads in both dtypes, with its hidden size as dims", () => {
    expect(fp32.info).toMatchObject({ dtype: "fp32", dims: TINY_DIMS, device: "cpu" });
    expect(q8.info).toMatchObject({ dtype: "q8", dims: TINY_DIMS });
  });

  it("gives vectors that depend on the words and their order; q8 is close to fp32, not equal", async () => {
    const texts = ["the shuttle reached orbit", "orbit reached the shuttle", "god and faith"];
    const a = await fp32.embed(texts);
    const b = await q8.embed(texts);
    const row = (e: typeof a, i: number) => Array.from(e.data.subarray(i * 32, (i + 1) * 32));
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * (y[i] as number), 0);
    expect(dot(row(a, 0), row(a, 1))).toBeLessThan(0.9999); // positions matter
    expect(dot(row(a, 0), row(a, 2))).toBeLessThan(dot(row(a, 0), row(a, 1)));
    for (let i = 0; i < 3; i++) {
      expect(dot(row(a, i), row(b, i))).toBeGreaterThan(0.99);
      expect(dot(row(a, i), row(b, i))).toBeLessThan(0.999999);
    }
  });

  it("tokenizes as Hugging Face's Rust tokenizers do, on every post of the synthetic corpus", async () => {
    const hf = Tokenizer.fromFile(join(fixtures().models, TINY_MODEL, "tokenizer.json"));
    hf.setTruncation(256);
    const texts = raw.docs.map((d) => d.text).concat(cleaned.docs.map((d) => d.text));
    const ours = fp32.encode(texts);
    let truncated = 0;
    for (let i = 0; i < texts.length; i++) {
      const ref = (await hf.encode(texts[i] as string)).getIds();
      expect(ours[i]).toEqual(ref);
      if (ref.length === 256) truncated++;
    }
    expect(truncated).toBeGreaterThan(5);
    expect(ours.every((ids) => ids[0] === SPECIAL.cls && ids.at(-1) === SPECIAL.sep)).toBe(true);
    expect(ours.flat().filter((id) => id === SPECIAL.unk).length).toBeLessThan(ours.length);
  });
});
