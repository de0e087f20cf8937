/**
 * Property tests on hostile post bytes: latin-1 decoding and scikit-learn's cleaning never throw
 * and keep their promises, and the tokenizer path of the embedder never throws and always yields
 * [CLS] ... [SEP] of at most 256 ids, equal to Hugging Face's Rust tokenizers (the library
 * sentence-transformers uses): on the tiny fixture tokenizer always, and on the real
 * all-MiniLM-L6-v2 tokenizer (bert-base-uncased's vocabulary) where ../shared is present.
 */
import { join } from "node:path";
import fc from "fast-check";
import "../support/property-seed.js";
import { Tokenizer } from "tokenizers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanPost, decodeLatin1 } from "../../src/dataset/clean.js";
import { TransformersEmbedder } from "../../src/embed/transformers.js";
import type { RemovePart } from "../../src/types.js";
import { SHARED_MODELS } from "../helpers.js";
import { fixtures } from "../support/fixtures.js";
import { HAVE_SHARED, TAG } from "../support/layers.js";
import { SPECIAL, TINY_MODEL, tinyVocab } from "../support/tiny-model.js";

const MAX = 256;

/** A tokenizer under test: a model folder and its special ids and vocabulary size. */
interface Subject {
  modelsDir: string;
  model: string;
  cls: number;
  sep: number;
  vocab: number;
}

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));

/** One line of a post, as bytes (no LF inside; CR allowed). */
const lineArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  // Arbitrary bytes, high half and controls included, minus LF.
  fc.uint8Array({ maxLength: 120 }).map((b) => b.map((x) => (x === 0x0a ? 0x0d : x))),
  // Latin-1 text-ish: printable ASCII and 0x80-0xFF.
  fc
    .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), {
      maxLength: 100,
    })
    .map((a) => Uint8Array.from(a)),
  fc
    .constantFrom(
      "",
      " ",
      "\r",
      "-- ",
      "--",
      "----------",
      "> quoted text",
      ">",
      "| piped",
      "|",
      "In article <1993Apr5.123@x.edu> joe@x.edu (Joe) writes:",
      "joe@x.edu writes:",
      "Bob wrote: yes",
      "He says: no",
      "She said: maybe",
      "Quoted from somewhere",
      "From: someone@example.com",
      "Subject: Re: orbits",
      "Lines: 12",
      "[CLS] [SEP] [MASK] [UNK] [PAD]",
      "caf\xe9 na\xefve \xc5ngstr\xf6m \xdf \xa0nbsp\xad\x85\x80\x9f",
      "\x00\x01\x1b[0m\x7f",
      "\t\x0b\x0c\x1c\x1d\x1e\x1f",
      "supercalifragilisticexpialidocious".repeat(4),
      "a".repeat(150),
    )
    .map(bytes),
);

/** A post: lines joined by LF (sometimes CRLF), or raw bytes, or empty. */
const postArb: fc.Arbitrary<Uint8Array> = fc
  .oneof(
    { arbitrary: fc.array(lineArb, { maxLength: 60 }), weight: 6 },
    { arbitrary: fc.uint8Array({ maxLength: 4000 }).map((b) => [b]), weight: 2 },
    { arbitrary: fc.constant([] as Uint8Array[]), weight: 1 },
    // Only a signature.
    { arbitrary: fc.constant(["--", "Joe Bloggs", "joe@x.edu"].map(bytes)), weight: 1 },
    // Long enough to take the embedder's cut-at-whitespace shortcut (> 2540 characters).
    {
      arbitrary: fc
        .array(
          fc.constantFrom("orbit", "shuttle", "caf\xe9", ">", "[SEP]", "\xa0", "x\ty", "z\r"),
          {
            minLength: 500,
            maxLength: 900,
          },
        )
        .map((w) => [bytes(`From: a\n\n${w.join(" ")}`)]),
      weight: 1,
    },
  )
  .chain((parts) =>
    fc.boolean().map((crlf) => {
      const sep = crlf ? [0x0d, 0x0a] : [0x0a];
      const out: number[] = [];
      parts.forEach((p, i) => {
        if (i > 0) out.push(...sep);
        out.push(...p);
      });
      return Uint8Array.from(out);
    }),
  );

/** A character U+0000..U+00FF: what decodeLatin1 can produce. */
const latin1Char = fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c));

/**
 * A character from common blocks: Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, general
 * punctuation, currency, CJK punctuation and kana, CJK unified ideographs, Hangul, full-width
 * forms, emoji. Left out: U+061D (Unicode 14), which transformers.js splits as punctuation and
 * the Rust tokenizers (older Unicode tables) do not; see the report for the other divergences,
 * none of which latin-1 text can reach. Texts where lowercasing depends on context are left out
 * by `sameLowercase`.
 */
const scriptChar = fc
  .oneof(
    ...(
      [
        [0x20, 0x24f],
        [0x370, 0x3ff],
        [0x400, 0x4ff],
        [0x590, 0x5ff],
        [0x600, 0x6ff],
        [0x900, 0x97f],
        [0x2000, 0x206f],
        [0x20a0, 0x20cf],
        [0x3000, 0x30ff],
        [0x4e00, 0x9fff],
        [0xac00, 0xd7a3],
        [0xff00, 0xffef],
        [0x1f300, 0x1f64f],
      ] as const
    ).map(([min, max]) => fc.integer({ min, max })),
  )
  .filter((c) => c !== 0x61d)
  .map((c) => String.fromCodePoint(c));

/**
 * Whether lowercasing `text` as a whole equals lowercasing it a code point at a time. They differ
 * only for Unicode's context-sensitive Final_Sigma rule: a capital sigma (U+03A3) that ends a word
 * after a cased letter lowercases to final sigma in JavaScript ("ΣΣ" -> "σς"), which
 * transformers.js's BertNormalizer uses (`String.prototype.toLowerCase`), while the Rust
 * tokenizers lowercase each character alone ("ΣΣ" -> "σσ"). A divergence of transformers.js
 * (@huggingface/tokenizers), not of our code: bert-base-uncased then gives "##ς" (19579) where
 * Rust gives "##σ" (29733). Latin-1 text, the CLI's newsgroup domain, cannot reach it.
 */
function sameLowercase(text: string): boolean {
  return text.toLowerCase() === Array.from(text, (c) => c.toLowerCase()).join("");
}

const removeArb: fc.Arbitrary<RemovePart[]> = fc.subarray<RemovePart>([
  "headers",
  "footers",
  "quotes",
]);

const QUOTE = /(writes in|writes:|wrote:|says:|said:|^In article|^Quoted from|^\||^>)/;

function checkIds(t: Subject, ids: number[]): void {
  expect(ids[0]).toBe(t.cls);
  expect(ids.at(-1)).toBe(t.sep);
  expect(ids.length).toBeGreaterThanOrEqual(2);
  expect(ids.length).toBeLessThanOrEqual(MAX);
  for (const id of ids) {
    expect(Number.isInteger(id) && id >= 0 && id < t.vocab).toBe(true);
  }
}

describe("hostile post bytes", { timeout: 30_000 }, () => {
  it("decodeLatin1 + cleanPost never throw and keep their promises", () => {
    fc.assert(
      fc.property(postArb, removeArb, (post, remove) => {
        const text = decodeLatin1(post);
        expect(text.length).toBe(post.length); // one character a byte
        expect(Buffer.from(text, "latin1").equals(post)).toBe(true); // and back, losslessly
        const clean = cleanPost(text, remove);
        expect(typeof clean).toBe("string");
        if (remove.length === 0) expect(clean).toBe(text);
        if (remove.includes("quotes")) {
          for (const line of clean.split("\n")) expect(QUOTE.test(line)).toBe(false);
        }
        if (remove.length === 1 && remove[0] === "headers") {
          const at = text.indexOf("\n\n");
          expect(clean).toBe(at === -1 ? "" : text.slice(at + 2));
        }
      }),
      { numRuns: 300 },
    );
  });
});

tokenizerSuite("the tiny fixture tokenizer on hostile text", false, () => ({
  modelsDir: fixtures().models,
  model: TINY_MODEL,
  cls: SPECIAL.cls,
  sep: SPECIAL.sep,
  vocab: tinyVocab().length,
}));
tokenizerSuite(
  `${TAG.full} the real all-MiniLM-L6-v2 tokenizer (tiny-random-bert in ../shared) on hostile text`,
  !HAVE_SHARED,
  () => ({ modelsDir: SHARED_MODELS, model: "tiny-random-bert", cls: 101, sep: 102, vocab: 30522 }),
  true,
);

/**
 * The embedder's tokenizer path against Hugging Face's Rust tokenizers on the same
 * tokenizer.json: never throws, [CLS] ... [SEP] of at most 256 ids, the same ids.
 */
function tokenizerSuite(
  title: string,
  skip: boolean,
  subject: () => Subject,
  realVocab = false,
): void {
  describe.skipIf(skip)(title, { timeout: 30_000 }, () => {
    let t: Subject;
    let emb: TransformersEmbedder;
    let hf: Tokenizer;
    beforeAll(async () => {
      t = subject();
      emb = await TransformersEmbedder.create({
        model: t.model,
        modelsDir: t.modelsDir,
        cacheDir: "/nonexistent-cache",
        offline: true,
        dtype: "fp32",
        device: "cpu",
        maxLength: MAX,
        batchSize: 4,
        threads: 1,
        log: () => {},
      });
      hf = Tokenizer.fromFile(join(t.modelsDir, t.model, "tokenizer.json"));
      hf.disablePadding();
      hf.setTruncation(MAX);
    }, 30_000);
    afterAll(async () => {
      await emb?.dispose();
    });

    it("the tokenizer path never throws: [CLS] ... [SEP], at most 256 ids", () => {
      fc.assert(
        fc.property(postArb, removeArb, (post, remove) => {
          const text = cleanPost(decodeLatin1(post), remove);
          const [ids] = emb.encode([text]);
          checkIds(t, ids as number[]);
          expect(emb.tokenLengths([text])).toEqual([(ids as number[]).length]);
        }),
        { numRuns: 300 },
      );
    });

    it("the ids equal Hugging Face's Rust tokenizers on latin-1 text (the CLI's whole domain)", async () => {
      const textArb = fc.oneof(
        postArb.chain((p) => removeArb.map((r) => cleanPost(decodeLatin1(p), r))),
        fc.string({ unit: latin1Char, maxLength: 400 }),
      );
      await fc.assert(
        fc.asyncProperty(textArb, async (text) => {
          const [ours] = emb.encode([text]);
          const theirs = (await hf.encode(text)).getIds();
          expect(ours).toEqual(theirs);
        }),
        { numRuns: 250 },
      );
    });

    it("the ids equal the Rust tokenizers on text in many scripts (outside the known divergences)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: scriptChar, maxLength: 300 }).filter(sameLowercase),
          async (text) => {
            const [ours] = emb.encode([text]);
            checkIds(t, ours as number[]);
            expect(ours).toEqual((await hf.encode(text)).getIds());
          },
        ),
        { numRuns: 150 },
      );
    });

    // The divergence sameLowercase filters out, pinned: when transformers.js lowercases the way
    // the Rust tokenizers do, this fails and the filter can go.
    if (realVocab)
      it("known divergence: a word-final capital sigma (see sameLowercase)", async () => {
        expect(sameLowercase("ΣΣ")).toBe(false);
        expect(sameLowercase("ΣΑ Σ σς")).toBe(true);
        expect(emb.encode(["ΣΣ"])[0]).toEqual([101, 1173, 19579, 102]);
        expect((await hf.encode("ΣΣ")).getIds()).toEqual([101, 1173, 29733, 102]);
      });

    it("any Unicode string: never throws, [CLS] ... [SEP], at most 256 ids", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 3000 }), (text) => {
          const [ours] = emb.encode([text]);
          checkIds(t, ours as number[]);
        }),
        { numRuns: 150 },
      );
    });

    it("known edge cases agree with the Rust tokenizers too", async () => {
      const cases = [
        "",
        " ",
        "\n\n\n",
        "[SEP]",
        "a [SEP] b [CLS]",
        "\x00\x85\xa0\xad",
        "Ångström Straße ŒUVRE ﬁ",
        "中文字符 and kana カタカナ",
        "emoji 😀👍🏽 zwj 👨‍👩‍👧",
        `${"word ".repeat(600)}end`, // truncated through the cut-at-whitespace shortcut
        `${"x".repeat(3000)} y`, // no whitespace before the window
        `${"wörd\u00a0".repeat(700)}`, // NBSP is not a cut point
      ];
      for (const text of cases) {
        const [ours] = emb.encode([text]);
        checkIds(t, ours as number[]);
        expect(ours, JSON.stringify(text.slice(0, 40))).toEqual((await hf.encode(text)).getIds());
      }
    });
  });
}
