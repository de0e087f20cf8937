/**
 * The data the package ships (data/): pinned by content, so a change to a list is a deliberate,
 * reviewed change of this test too.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CORPUS_MANIFEST, STOP_WORDS_LIST } from "../src/data.js";
import { loadCorpus } from "../src/dataset/corpus.js";
import { ROOT } from "./helpers.js";
import { REAL_ARCHIVE, TAG } from "./support/layers.js";

const sha256 = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

describe("data/english-stop-words.txt", () => {
  it("is scikit-learn 1.2.1's ENGLISH_STOP_WORDS, sorted, one a line", () => {
    // sha256("\n".join(sorted(sklearn.feature_extraction.text.ENGLISH_STOP_WORDS))), 1.2.1.
    expect(sha256(STOP_WORDS_LIST.join("\n"))).toBe(
      "40e0a284c5b9a220efffd18d4d739fbd3270091d6ce2c75b6effe289d3be5487",
    );
    // The file itself: those lines, each ended by "\n".
    expect(sha256(readFileSync(join(ROOT, "data", "english-stop-words.txt")))).toBe(
      "4e22be0ad71ae1c41dd7a8f944e851ead671d114edf4faad1ee8c698d2ba5084",
    );
  });
});

describe("data/corpus.json", () => {
  it("names the official archive, the 20 groups and their post counts", () => {
    expect(CORPUS_MANIFEST.url).toBe("https://ndownloader.figshare.com/files/5975967");
    expect(CORPUS_MANIFEST.sha256).toBe(
      "8f1b2514ca22a5ade8fbb9cfa5727df95fa587f4c87b786e15c759fa66d95610",
    );
    expect(CORPUS_MANIFEST.groups).toHaveLength(20);
    expect([...CORPUS_MANIFEST.groups].sort()).toEqual(CORPUS_MANIFEST.groups);
    expect(Object.keys(CORPUS_MANIFEST.posts)).toEqual(CORPUS_MANIFEST.groups);
    const total = (split: "train" | "test") =>
      Object.values(CORPUS_MANIFEST.posts).reduce((s, c) => s + c[split], 0);
    // fetch_20newsgroups(subset="train"/"test") sizes.
    expect(total("train")).toBe(11314);
    expect(total("test")).toBe(7532);
    expect(CORPUS_MANIFEST.posts["alt.atheism"]).toEqual({ train: 480, test: 319 });
    expect(CORPUS_MANIFEST.posts["talk.religion.misc"]).toEqual({ train: 377, test: 251 });
  });

  it.skipIf(REAL_ARCHIVE === undefined)(
    `${TAG.full} counts what the real archive holds, group by group and split by split`,
    async () => {
      const archive = REAL_ARCHIVE as string;
      const corpus = await loadCorpus(
        readFileSync(archive),
        { categories: [...CORPUS_MANIFEST.groups], subset: "all", remove: [] },
        archive,
      );
      const counts: Record<string, { train: number; test: number }> = {};
      for (const d of corpus.docs) {
        counts[d.group] ??= { train: 0, test: 0 };
        (counts[d.group] as { train: number; test: number })[d.split as "train" | "test"] += 1;
      }
      expect(counts).toEqual(CORPUS_MANIFEST.posts);
    },
  );
});
