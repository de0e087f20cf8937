/**
 * The TF-IDF vectorizer. Reference values come from scikit-learn 1.2.1 (run with
 * /usr/bin/python3; the snippets are in the comments) and are pasted as literals.
 */
import { describe, expect, it } from "vitest";
import { CliError } from "../../src/errors.js";
import type { CsrMatrix } from "../../src/linalg/sparse.js";
import { tfidfMatrix } from "../../src/text/tfidf.js";

const DOCS = [
  "The shuttle launch was delayed; NASA moved the launch to orbit next week.",
  "Orbit insertion burn: the shuttle reached orbit. NASA confirmed orbit!",
  "God and faith: the church teaches faith in God.",
  "Faith, church and scripture. Is God real? The church says faith.",
  "Rendering 3D graphics with OpenGL: shaders, textures and graphics cards.",
  "Graphics card drivers for OpenGL rendering in a café; textures look wrong.",
  "NASA's budget: graphics of the shuttle orbit, and faith in NASA.",
  "Café owners in São Paulo drink café; naïve café reviews.",
];

// v = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.75, sublinear_tf=...)
// X = v.fit_transform(DOCS); v.get_feature_names_out(), v.idf_, X.toarray()
const SK_VOCAB = [
  "café",
  "church",
  "faith",
  "god",
  "graphics",
  "nasa",
  "opengl",
  "orbit",
  "rendering",
  "shuttle",
  "textures",
];
const A = 2.0986122886681096; // ln(9/3) + 1: df 2
const B = 1.8109302162163288; // ln(9/4) + 1: df 3
const SK_IDF = [A, A, B, A, B, B, A, B, A, B, A];
const SK_X = [
  [0, 0, 0, 0, 0, 0.5773502691896257, 0, 0.5773502691896257, 0, 0.5773502691896257, 0],
  [0, 0, 0, 0, 0, 0.30151134457776363, 0, 0.9045340337332909, 0, 0.30151134457776363, 0],
  [0, 0.3540292255832038, 0.6109963479144409, 0.7080584511664076, 0, 0, 0, 0, 0, 0, 0],
  [0, 0.7080584511664076, 0.6109963479144409, 0.3540292255832038, 0, 0, 0, 0, 0, 0, 0],
  [
    0, 0, 0, 0, 0.7058347487920429, 0, 0.4089813799338032, 0, 0.4089813799338032, 0,
    0.4089813799338032,
  ],
  [
    0.45909117464232474, 0, 0, 0, 0.3961580157741631, 0, 0.45909117464232474, 0,
    0.45909117464232474, 0, 0.45909117464232474,
  ],
  [
    0, 0, 0.35355339059327373, 0, 0.35355339059327373, 0.7071067811865475, 0, 0.35355339059327373,
    0, 0.35355339059327373, 0,
  ],
  [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];
// Same with sublinear_tf=True (rows whose counts are all 1 do not change).
const SK_X_SUBLINEAR_ROWS: Record<number, number[]> = {
  1: [0, 0, 0, 0, 0, 0.39515588491314235, 0, 0.8292789960182417, 0, 0.39515588491314235, 0],
  2: [0, 0.4082004660674671, 0.5964001054926844, 0.6911434682253875, 0, 0, 0, 0, 0, 0, 0],
  3: [0, 0.6911434682253875, 0.5964001054926844, 0.4082004660674671, 0, 0, 0, 0, 0, 0, 0],
  4: [
    0, 0, 0, 0, 0.644775353438006, 0, 0.4413104514204992, 0, 0.4413104514204992, 0,
    0.4413104514204992,
  ],
  6: [
    0, 0, 0.381614145813827, 0, 0.381614145813827, 0.6461289150464731, 0, 0.381614145813827, 0,
    0.381614145813827, 0,
  ],
};

function dense(m: CsrMatrix): number[][] {
  const out = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let i = 0; i < m.rows; i++) {
    for (let p = m.indptr[i] as number; p < (m.indptr[i + 1] as number); p++) {
      (out[i] as number[])[m.indices[p] as number] = m.data[p] as number;
    }
  }
  return out;
}

const closeRows = (actual: number[][], expected: number[][]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, i) => {
    expect(row).toEqual((expected[i] as number[]).map((v) => expect.closeTo(v, 14)));
  });
};

describe("tfidfMatrix", () => {
  it("equals scikit-learn's TfidfVectorizer (stop words, min_df, max_df, l2, smooth idf)", () => {
    const { matrix, vocabulary, idf } = tfidfMatrix(DOCS, {
      minDf: 2,
      maxDf: 0.75,
      sublinearTf: false,
    });
    expect(vocabulary).toEqual(SK_VOCAB);
    expect(Array.from(idf)).toEqual(SK_IDF.map((v) => expect.closeTo(v, 15)));
    expect(matrix.rows).toBe(8);
    expect(matrix.cols).toBe(11);
    closeRows(dense(matrix), SK_X);
    // CSR invariants: ascending columns within rows, no explicit zeros.
    for (let i = 0; i < matrix.rows; i++) {
      const cols = Array.from(
        matrix.indices.subarray(matrix.indptr[i] as number, matrix.indptr[i + 1] as number),
      );
      expect(cols).toEqual([...cols].sort((a, b) => a - b));
    }
    expect(Array.from(matrix.data).every((v) => v > 0)).toBe(true);
  });

  it("equals scikit-learn with sublinear_tf=True", () => {
    const { matrix } = tfidfMatrix(DOCS, { minDf: 2, maxDf: 0.75, sublinearTf: true });
    const expected = SK_X.map((row, i) => SK_X_SUBLINEAR_ROWS[i] ?? row);
    closeRows(dense(matrix), expected);
  });

  it("reads fractional min_df and integer max_df as scikit-learn does, and optional stop words", () => {
    // TfidfVectorizer(stop_words="english", min_df=0.3, max_df=3).fit(DOCS)
    expect(tfidfMatrix(DOCS, { minDf: 0.3, maxDf: 3, sublinearTf: false }).vocabulary).toEqual([
      "faith",
      "graphics",
      "nasa",
      "orbit",
      "shuttle",
    ]);
    // TfidfVectorizer(stop_words=None, min_df=3, max_df=1.0).fit(DOCS)
    expect(
      tfidfMatrix(DOCS, { minDf: 3, maxDf: 1, sublinearTf: false, stopWords: new Set() })
        .vocabulary,
    ).toEqual(["and", "faith", "graphics", "in", "nasa", "orbit", "shuttle", "the"]);
  });

  it("fails as a data error when no term survives or the limits contradict", () => {
    expect(() => tfidfMatrix(DOCS, { minDf: 9, maxDf: 1, sublinearTf: false })).toThrow(CliError);
    expect(() => tfidfMatrix(DOCS, { minDf: 5, maxDf: 0.5, sublinearTf: false })).toThrow(/max_df/);
  });
});
