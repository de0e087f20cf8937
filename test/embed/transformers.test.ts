/**
 * The transformers.js embedder on the tiny model of test/support (random weights: these tests
 * check input semantics, pooling, batching and errors, never meaning). The "[full]" suites check
 * the values published for ../shared/models/tiny-random-bert and the real tokenizer's ids on real
 * posts.
 */
import { readFileSync } from "node:fs";
import { mean_pooling, pipeline } from "@huggingface/transformers";
import { Tokenizer } from "tokenizers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../../src/dataset/corpus.js";
import { DEFAULT_GROUPS } from "../../src/dataset/groups.js";
import {
  TransformersEmbedder,
  type TransformersEmbedderOptions,
} from "../../src/embed/transformers.js";
import { CliError } from "../../src/errors.js";
import { SHARED_ARCHIVE, SHARED_MODELS } from "../helpers.js";
import { fixtures } from "../support/fixtures.js";
import { HAVE_SHARED, TAG } from "../support/layers.js";
import { SPECIAL, TINY_DIMS, TINY_MODEL, TOKENIZER_ONLY } from "../support/tiny-model.js";

const D = TINY_DIMS;
const base: TransformersEmbedderOptions = {
  model: TINY_MODEL,
  modelsDir: fixtures().models,
  cacheDir: "/nonexistent-cache",
  offline: true,
  dtype: "fp32",
  device: "cpu",
  maxLength: 256,
  batchSize: 4,
  threads: 1,
  log: () => {},
};

const SHORT = ["This is an example sentence", "Each sentence is converted"];
const LONG = `${"Orbital mechanics of the shuttle and the station. ".repeat(80)}final words`;

function row(data: Float32Array, i: number, dims: number): number[] {
  return Array.from(data.subarray(i * dims, (i + 1) * dims));
}
const maxAbsDiff = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))));
};
const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);

let emb: TransformersEmbedder;
beforeAll(async () => {
  emb = await TransformersEmbedder.create(base);
});
afterAll(async () => {
  await emb.dispose();
});

describe("TransformersEmbedder (the tiny model)", () => {
  it("equals transformers.js's own mean-pooled, normalised pipeline on short posts", async () => {
    const ours = await emb.embed(SHORT);
    expect(ours.rows).toBe(2);
    expect(ours.dims).toBe(D);
    const p = await pipeline("feature-extraction", TINY_MODEL, { dtype: "fp32" });
    const ref = await p(SHORT, { pooling: "mean", normalize: true });
    for (let i = 0; i < 2; i++) {
      const a = row(ours.data, i, D);
      const b = Array.from((ref.data as Float32Array).subarray(i * D, (i + 1) * D));
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    }
    await p.dispose();
  });

  it("truncates at 256 word pieces keeping [SEP], unlike transformers.js's default", async () => {
    const ids = emb.encode([LONG])[0] as number[];
    expect(ids).toHaveLength(256);
    expect(ids[0]).toBe(SPECIAL.cls);
    expect(ids[255]).toBe(SPECIAL.sep);
    // transformers.js's own truncation drops the final [SEP]:
    const p = await pipeline("feature-extraction", TINY_MODEL, { dtype: "fp32" });
    const tjs = p.tokenizer([LONG], { truncation: true, max_length: 256 });
    const tjsIds = (tjs.input_ids.tolist() as bigint[][])[0] as bigint[];
    expect(tjsIds[255]).not.toBe(BigInt(SPECIAL.sep));

    // Our vector is the mask-mean of the model's output on exactly our ids.
    const input = {
      input_ids: tjs.input_ids.clone(),
      attention_mask: tjs.attention_mask,
      token_type_ids: tjs.token_type_ids,
    };
    (input.input_ids.data as BigInt64Array).set(ids.map(BigInt));
    const out = await p.model(input);
    const ref = mean_pooling(out.last_hidden_state, tjs.attention_mask).normalize(2, -1);
    const ours = await emb.embed([LONG]);
    const refRow = Array.from(ref.data as Float32Array);
    expect(maxAbsDiff(row(ours.data, 0, D), refRow)).toBeLessThan(1e-5);
    // ...and differs from the default truncation's vector.
    const dflt = await p([LONG], { pooling: "mean", normalize: true });
    expect(cosine(row(ours.data, 0, D), Array.from(dflt.data as Float32Array))).toBeLessThan(
      0.99999,
    );
    await p.dispose();
  });

  it("gives the same vector for a post alone or padded in a batch", async () => {
    const alone = await emb.embed(["tiny"]);
    const batched = await emb.embed([LONG, "tiny", SHORT[0] as string, "", "x y z"]);
    expect(maxAbsDiff(row(alone.data, 0, D), row(batched.data, 1, D))).toBeLessThan(1e-5);
    for (let i = 0; i < batched.rows; i++) {
      const n = Math.hypot(...row(batched.data, i, D));
      expect(n).toBeCloseTo(1, 5);
    }
  });

  it("reports progress up to the total", async () => {
    const seen: number[] = [];
    await emb.embed(["a", "b", "c", "d", "e", "f"], (done, total) => {
      expect(total).toBe(6);
      seen.push(done);
    });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(6);
  });

  it("q8 stays within cosine 0.999 of fp32", async () => {
    const q8 = await TransformersEmbedder.create({ ...base, dtype: "q8" });
    const a = await emb.embed(SHORT);
    const b = await q8.embed(SHORT);
    expect(q8.info.dtype).toBe("q8");
    expect(cosine(row(a.data, 0, D), row(b.data, 0, D))).toBeGreaterThan(0.999);
    expect(cosine(row(a.data, 0, D), row(b.data, 0, D))).toBeLessThan(0.999999); // another graph
    await q8.dispose();
  });
});

// The real files are larger than the fixture's: a loaded machine needs more than vitest's 5 s.
describe.skipIf(!HAVE_SHARED)(
  `${TAG.full} tiny-random-bert from ../shared`,
  { timeout: 60_000 },
  () => {
    const REAL = { ...base, model: "tiny-random-bert", modelsDir: SHARED_MODELS };

    it("gives the values published for it in ../shared/models/README.md (fp32)", async () => {
      const real = await TransformersEmbedder.create(REAL);
      const ours = await real.embed(SHORT);
      expect(ours.dims).toBe(32);
      expect(row(ours.data, 0, 32).slice(0, 5)).toEqual(
        [0.424678, -0.076661, -0.069686, 0.050811, -0.104249].map((v) => expect.closeTo(v, 5)),
      );
      await real.dispose();
    });

    it("truncates a long post to 256 word pieces of the real vocabulary, [CLS] 101 ... [SEP] 102", async () => {
      const real = await TransformersEmbedder.create(REAL);
      const ids = real.encode([LONG])[0] as number[];
      expect(ids).toHaveLength(256);
      expect([ids[0], ids[255]]).toEqual([101, 102]);
      await real.dispose();
    });
  },
);

describe.skipIf(!HAVE_SHARED)(
  `${TAG.full} token ids equal Hugging Face tokenizers (Rust, what sentence-transformers runs)`,
  { timeout: 60_000 },
  () => {
    it("on every post of a real corpus slice, with truncation at 256", async () => {
      // Real posts cover far more cases than hand-made ones: every 7th of the default corpus.
      const corpus = await loadCorpus(
        readFileSync(SHARED_ARCHIVE),
        {
          categories: [...DEFAULT_GROUPS],
          subset: "all",
          remove: ["headers", "footers", "quotes"],
        },
        SHARED_ARCHIVE,
      );
      const hf = Tokenizer.fromFile(`${SHARED_MODELS}/tiny-random-bert/tokenizer.json`);
      hf.disablePadding();
      hf.setTruncation(256);
      const texts = corpus.docs.map((d) => d.text).filter((_, i) => i % 7 === 0);
      expect(texts.length).toBeGreaterThan(400);
      const real = await TransformersEmbedder.create({
        ...base,
        model: "tiny-random-bert",
        modelsDir: SHARED_MODELS,
      });
      const ours = real.encode(texts);
      await real.dispose();
      let truncated = 0;
      for (let i = 0; i < texts.length; i++) {
        const ref = (await hf.encode(texts[i] as string)).getIds();
        expect(ours[i]).toEqual(ref);
        if (ref.length === 256) truncated++;
      }
      expect(truncated).toBeGreaterThan(50);
    });
  },
);

describe("model errors", () => {
  it("names the missing weights file of a folder with tokenizer only", async () => {
    const err = await TransformersEmbedder.create({
      ...base,
      model: TOKENIZER_ONLY,
      dtype: "q8",
    }).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.kind).toBe("model");
    expect(err.message).toContain("onnx/model_quantized.onnx");
  });
  it("names an unknown model", async () => {
    const err = await TransformersEmbedder.create({ ...base, model: "no-such-model" }).catch(
      (e) => e,
    );
    expect(err.kind).toBe("model");
    expect(err.message).toContain("no-such-model");
  });
  it("refuses --device cuda on a machine without CUDA, saying why", async () => {
    const err = await TransformersEmbedder.create({ ...base, device: "cuda" }).catch((e) => e);
    if (err instanceof TransformersEmbedder) {
      await err.dispose(); // a machine with a working CUDA EP: nothing to refuse
      return;
    }
    expect(err.kind).toBe("device");
    expect(err.message).toMatch(/^--device cuda: /);
  });
});
