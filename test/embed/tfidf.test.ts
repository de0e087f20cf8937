/**
 * TF-IDF + LSA embedder (the vectorizer is tested in test/text/tfidf.test.ts, the SVD in
 * test/linalg/). Reference values come from scikit-learn 1.2.1 and numpy (run with
 * /usr/bin/python3; the snippets are in the comments) and are pasted as literals.
 */
import { describe, expect, it } from "vitest";
import { TfidfLsaEmbedder } from "../../src/embed/tfidf.js";
import { lcgUint32 } from "../helpers.js";

/** Posts from three topics with disjoint vocabularies, plus shared filler words. */
function topicCorpus(perTopic: number): { texts: string[]; topic: number[] } {
  const topics = [
    ["orbit", "shuttle", "launch", "rocket", "nasa", "satellite", "lunar", "payload"],
    ["church", "faith", "scripture", "prayer", "bible", "jesus", "sermon", "gospel"],
    ["opengl", "shader", "texture", "pixel", "render", "polygon", "bitmap", "vertex"],
  ];
  const filler = ["today", "question", "people", "think", "really", "good", "post", "thanks"];
  const state = lcgUint32(12345);
  const next = (n: number) => (state() >>> 8) % n;
  const texts: string[] = [];
  const topic: number[] = [];
  for (let i = 0; i < perTopic * 3; i++) {
    const t = i % 3;
    const words: string[] = [];
    for (let w = 0; w < 12; w++) {
      words.push(
        w % 3 === 2 ? (filler[next(8)] as string) : ((topics[t] as string[])[next(8)] as string),
      );
    }
    texts.push(`${words.join(" ")}.`);
    topic.push(t);
  }
  return { texts, topic };
}

describe("TfidfLsaEmbedder", () => {
  it("reports its info and validates options", () => {
    const e = new TfidfLsaEmbedder();
    expect(e.info).toEqual({
      model: "tfidf-lsa",
      dtype: "n/a",
      device: "cpu",
      maxLength: 0,
      dims: 100,
    });
    expect(() => new TfidfLsaEmbedder({ components: 0 })).toThrow(RangeError);
    expect(() => new TfidfLsaEmbedder({ minDf: 0 })).toThrow(RangeError);
    expect(() => new TfidfLsaEmbedder({ seed: 1.5 })).toThrow(RangeError);
  });

  it("embeds into unit rows where same-topic posts are closer than other-topic posts", async () => {
    const { texts, topic } = topicCorpus(20);
    const e = new TfidfLsaEmbedder({ components: 10, minDf: 2 });
    const progress: [number, number][] = [];
    const emb = await e.embed(texts, (d, t) => progress.push([d, t]));
    expect(emb.rows).toBe(60);
    expect(emb.dims).toBe(10);
    expect(emb.data).toHaveLength(600);
    expect(e.info.dims).toBe(10);
    expect(progress[0]).toEqual([0, 60]);
    expect(progress.at(-1)).toEqual([60, 60]);
    const row = (i: number) => emb.data.subarray(i * 10, (i + 1) * 10);
    const dot = (i: number, j: number) =>
      row(i).reduce((s, v, c) => s + v * (row(j)[c] as number), 0);
    for (let i = 0; i < 60; i++) expect(dot(i, i)).toBeCloseTo(1, 6);
    let same = 0;
    let sameN = 0;
    let other = 0;
    let otherN = 0;
    for (let i = 0; i < 60; i++) {
      // Nearest neighbour (cosine) of every post is from its own topic.
      let best = -1;
      let bestDot = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < 60; j++) {
        if (j === i) continue;
        const d = dot(i, j);
        if (d > bestDot) {
          bestDot = d;
          best = j;
        }
        if (topic[i] === topic[j]) {
          same += d;
          sameN++;
        } else {
          other += d;
          otherN++;
        }
      }
      expect(topic[best]).toBe(topic[i]);
    }
    expect(same / sameN).toBeGreaterThan(0.5);
    expect(other / otherN).toBeLessThan(0.2);
  });

  it("is deterministic: two embedders, same seed, same bytes", async () => {
    const { texts } = topicCorpus(15);
    const a = await new TfidfLsaEmbedder({ components: 8, minDf: 2, seed: 9 }).embed(texts);
    const b = await new TfidfLsaEmbedder({ components: 8, minDf: 2, seed: 9 }).embed(texts);
    expect(Buffer.from(a.data.buffer)).toEqual(Buffer.from(b.data.buffer));
    const c = await new TfidfLsaEmbedder({ components: 8, minDf: 2, sublinearTf: true }).embed(
      texts,
    );
    expect(Buffer.from(c.data.buffer)).not.toEqual(Buffer.from(a.data.buffer));
  });

  it("caps dims on tiny corpora and keeps posts without terms as zero rows", async () => {
    const texts = ["orbit shuttle", "orbit launch", "faith church", "faith god", "the and of"];
    const e = new TfidfLsaEmbedder({ minDf: 1, maxDf: 1 });
    const emb = await e.embed(texts);
    // 5 posts, 7 terms: min(100, 5 - 1, 7 - 1) = 4.
    expect(emb.dims).toBe(4);
    expect(e.info.dims).toBe(4);
    expect(Array.from(emb.data.subarray(16, 20))).toEqual([0, 0, 0, 0]);
    for (let i = 0; i < 4; i++) {
      const r = emb.data.subarray(i * 4, (i + 1) * 4);
      expect(Math.hypot(...r)).toBeCloseTo(1, 6);
    }
  });

  it("handles no posts, rejects corpora without terms, and honours an aborted signal", async () => {
    const e = new TfidfLsaEmbedder();
    expect(await e.embed([])).toEqual({ rows: 0, dims: 100, data: new Float32Array(0) });
    await expect(
      new TfidfLsaEmbedder({ minDf: 1, maxDf: 1 }).embed(["the", "and of"]),
    ).rejects.toMatchObject({ kind: "data" });
    // One post: no component fits (dims = min(100, 1 - 1, 2 - 1) = 0).
    await expect(
      new TfidfLsaEmbedder({ minDf: 1, maxDf: 1 }).embed(["orbit shuttle"]),
    ).rejects.toMatchObject({ kind: "data" });
    // Two posts, three terms: one component, and each post is +1 or -1 along it.
    const two = await new TfidfLsaEmbedder({ minDf: 1, maxDf: 1 }).embed([
      "orbit shuttle",
      "orbit nasa",
    ]);
    expect(two.dims).toBe(1);
    expect(Array.from(two.data).map(Math.abs)).toEqual([1, 1]);
    await expect(
      new TfidfLsaEmbedder({ minDf: 1, maxDf: 1 }).embed(
        ["orbit shuttle", "faith god", "opengl shader"],
        undefined,
        AbortSignal.abort(),
      ),
    ).rejects.toThrow(/abort/i);
    await e.dispose();
  });
});
