/**
 * c-TF-IDF cluster terms. Expected weights were computed by hand and checked with BERTopic's
 * ClassTfidfTransformer steps in scikit-learn 1.2.1 (/usr/bin/python3):
 *
 *   cv = CountVectorizer(stop_words="english"); X = cv.fit_transform(class_docs)
 *   df = X.sum(axis=0); avg = int(X.sum(axis=1).mean()); idf = np.log(avg / df + 1)
 *   W = normalize(X, axis=1, norm="l1").toarray() * idf
 */
import { describe, expect, it } from "vitest";
import { classTfidf, topTerms } from "../../src/evaluate/terms.js";
import { mulberry32 } from "../support/random.js";

// Cluster 0: apple 3, banana 1, cherry 1 (5 words); cluster 1: banana 2, durian 1, eggplant 1
// (4 words); cluster 2: no posts. A = int(9 / 2) = 4 (cluster 2 is not a class).
// f: apple 3, banana 3, cherry 1, durian 1, eggplant 1.
// idf: apple = banana = ln(4/3 + 1) = ln(7/3); cherry = durian = eggplant = ln(4/1 + 1) = ln 5.
const TEXTS = ["apple apple banana", "apple cherry", "banana banana durian eggplant"];
const LABELS = [0, 0, 1];

describe("classTfidf", () => {
  it("weights terms as BERTopic's ClassTfidfTransformer", () => {
    const { vocabulary, weights, averageWords } = classTfidf(TEXTS, LABELS, 3);
    expect(vocabulary).toEqual(["apple", "banana", "cherry", "durian", "eggplant"]);
    expect(averageWords).toBe(4);
    const l73 = Math.log(7 / 3);
    const l5 = Math.log(5);
    const expected = [
      // 3/5 ln(7/3), 1/5 ln(7/3), 1/5 ln 5
      [0.508378716232322, 0.1694595720774407, 0.3218875824868201, 0, 0],
      // 2/4 ln(7/3), 1/4 ln 5, 1/4 ln 5
      [0, 0.4236489301936017, 0, 0.40235947810852507, 0.40235947810852507],
      [0, 0, 0, 0, 0],
    ];
    expect(weights).toHaveLength(3);
    weights.forEach((w, c) => {
      expect(Array.from(w)).toEqual((expected[c] as number[]).map((v) => expect.closeTo(v, 14)));
    });
    expect(weights[0]?.[0]).toBeCloseTo((3 / 5) * l73, 15);
    expect(weights[1]?.[3]).toBeCloseTo((1 / 4) * l5, 15);
  });

  it("drops stop words and counts a cluster of stop words only as a class", () => {
    // Cluster 3 holds posts but no term: A = int(9 / 3) = 3, so idf = ln(3/f + 1).
    const { vocabulary, weights, averageWords } = classTfidf(
      ["The apple apple banana", "apple cherry", "banana banana durian eggplant", "the and of"],
      [0, 0, 1, 3],
      4,
    );
    expect(vocabulary).toEqual(["apple", "banana", "cherry", "durian", "eggplant"]);
    expect(averageWords).toBe(3);
    expect(Array.from(weights[0] as Float64Array)).toEqual(
      [0.4158883083359672, 0.13862943611198905, 0.2772588722239781, 0, 0].map((v) =>
        expect.closeTo(v, 14),
      ),
    );
    // 2/4 ln 2 = 1/4 ln 4: banana, durian and eggplant tie exactly.
    expect(Array.from(weights[1] as Float64Array)).toEqual([
      0, 0.34657359027997264, 0, 0.34657359027997264, 0.34657359027997264,
    ]);
    expect(Array.from(weights[3] as Float64Array)).toEqual([0, 0, 0, 0, 0]);
  });

  it("rejects mismatched or out-of-range labels", () => {
    expect(() => classTfidf(TEXTS, [0, 0], 2)).toThrow(RangeError);
    expect(() => classTfidf(TEXTS, [0, 0, 2], 2)).toThrow(RangeError);
    expect(() => classTfidf(TEXTS, [0, 0.5, 1], 2)).toThrow(RangeError);
    expect(() => topTerms(TEXTS, LABELS, 2, -1)).toThrow(RangeError);
  });
});

describe("topTerms", () => {
  it("lists the best terms per cluster, ties by term, empty clusters empty", () => {
    expect(topTerms(TEXTS, LABELS, 3, 2)).toEqual([["apple", "cherry"], ["banana", "durian"], []]);
    expect(topTerms(TEXTS, LABELS, 3, 10)).toEqual([
      ["apple", "cherry", "banana"],
      ["banana", "durian", "eggplant"],
      [],
    ]);
    expect(
      topTerms(
        ["The apple apple banana", "apple cherry", "banana banana durian eggplant", "the and of"],
        new Int32Array([0, 0, 1, 3]),
        4,
        2,
      ),
    ).toEqual([["apple", "cherry"], ["banana", "durian"], [], []]);
    expect(topTerms(TEXTS, LABELS, 3, 0)).toEqual([[], [], []]);
  });

  it("names obvious clusters by their topic words", () => {
    const space = [
      "The shuttle launch to orbit was delayed by NASA.",
      "NASA plans a new orbit for the shuttle after launch.",
      "Orbit, launch window and shuttle payload for NASA.",
    ];
    const religion = [
      "Faith in God is taught by the church.",
      "The church says faith and God are one.",
      "God, church, faith: a discussion of scripture.",
    ];
    const graphics = [
      "OpenGL shaders render textures on the GPU.",
      "Render textures faster with OpenGL shaders.",
      "Textures and shaders: OpenGL render pipeline.",
    ];
    // Each topic word occurs 3 times in its own cluster only, so within a cluster they tie
    // exactly and come out in term order; once-used words ("gpu", "payload") rank below.
    const texts = [...space, ...religion, ...graphics];
    const labels = [2, 2, 2, 0, 0, 0, 1, 1, 1];
    expect(topTerms(texts, labels, 3, 3)).toEqual([
      ["church", "faith", "god"],
      ["opengl", "render", "shaders"],
      ["launch", "nasa", "orbit"],
    ]);
    expect(topTerms(texts, labels, 3, 5)[1]).toEqual([
      "opengl",
      "render",
      "shaders",
      "textures",
      "faster",
    ]);
  });
});

describe("topTerms against the dense weights", () => {
  it("picks each cluster's best n as a full sort of classTfidf's weights would, ties by term", () => {
    // Words drawn from a small vocabulary (stop words, accents and non-BMP letters among them),
    // so that counts and weights tie often; cluster 4 of 6 gets no posts.
    const words = ["alpha", "beta", "gamma", "delta", "the", "and", "épée", "zeta", "𝒳ray", "eta"];
    const rand = mulberry32(17);
    const texts = Array.from({ length: 300 }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 12) }, () => {
        const w = words[Math.floor(rand() * rand() * words.length)] as string;
        return rand() < 0.2 ? `${w}${Math.floor(rand() * 40)}` : w;
      }).join(" "),
    );
    const k = 6;
    const labels = texts.map((_, i) => [0, 1, 2, 3, 5][(i * 7) % 5] as number);
    const { vocabulary, weights } = classTfidf(texts, labels, k);
    for (const n of [1, 3, 10, 200]) {
      const expected = weights.map((w) =>
        Array.from(w.keys())
          .filter((j) => (w[j] as number) > 0)
          .sort((a, b) => (w[b] as number) - (w[a] as number) || a - b)
          .slice(0, n)
          .map((j) => vocabulary[j]),
      );
      expect(topTerms(texts, labels, k, n)).toEqual(expected);
    }
    expect(topTerms(texts, labels, k, 10)[4]).toEqual([]);
  });
});
