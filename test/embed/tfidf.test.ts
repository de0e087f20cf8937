/**
 * TF-IDF + LSA embedder. Reference values come from scikit-learn 1.2.1 and numpy (run with
 * /usr/bin/python3; the snippets are in the comments) and are pasted as literals.
 */
import { describe, expect, it } from "vitest";
import {
  type CsrMatrix,
  choleskyQr,
  randomizedSvd,
  symmetricEigen,
  TfidfLsaEmbedder,
  tfidfMatrix,
} from "../../src/embed/tfidf.js";
import { CliError } from "../../src/errors.js";

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

function csr(rows: number[][]): CsrMatrix {
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (const r of rows) {
    r.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        data.push(v);
      }
    });
    indptr.push(indices.length);
  }
  return {
    rows: rows.length,
    cols: (rows[0] as number[]).length,
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(indices),
    data: Float64Array.from(data),
  };
}

function table(rows: number, cols: number, f: (i: number, j: number) => number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));
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

describe("randomizedSvd", () => {
  const columnNormOfAtU = (rows: number[][], u: Float64Array, k: number, c: number) => {
    // ||Aᵀ u_c|| = s_c for a left singular vector u_c.
    const m = (rows[0] as number[]).length;
    let sq = 0;
    for (let j = 0; j < m; j++) {
      let v = 0;
      rows.forEach((r, i) => {
        v += (r[j] as number) * (u[i * k + c] as number);
      });
      sq += v * v;
    }
    return Math.sqrt(sq);
  };

  it("finds the top singular values of a dense 40 x 25 matrix (numpy's exact SVD)", () => {
    // A[i][j] = sum(0.5**r * cos(0.37*(i+1)*(r+1) + 0.11*(j+1)*(r+1)) for r in range(10))
    // np.linalg.svd(A, compute_uv=False)[:5]
    const rows = table(40, 25, (i, j) => {
      let v = 0;
      for (let r = 0; r < 10; r++)
        v += 0.5 ** r * Math.cos(0.37 * (i + 1) * (r + 1) + 0.11 * (j + 1) * (r + 1));
      return v;
    });
    const exact = [
      17.244683081533726, 15.603449599840593, 7.042103251954396, 4.455950423557113,
      2.1046432715404224,
    ];
    const { u, s, k } = randomizedSvd(csr(rows), 5, { seed: 7 });
    expect(k).toBe(5);
    exact.forEach((v, c) => {
      expect(Math.abs((s[c] as number) - v) / v).toBeLessThan(1e-6);
      expect(Math.abs(columnNormOfAtU(rows, u, 5, c) - v) / v).toBeLessThan(1e-6);
    });
    // Orthonormal columns, each with its largest-magnitude entry positive (svd_flip).
    for (let a = 0; a < 5; a++) {
      let best = 0;
      for (let i = 0; i < 40; i++) {
        if (Math.abs(u[i * 5 + a] as number) > Math.abs(best)) best = u[i * 5 + a] as number;
      }
      expect(best).toBeGreaterThan(0);
      for (let b = 0; b < 5; b++) {
        let d = 0;
        for (let i = 0; i < 40; i++) d += (u[i * 5 + a] as number) * (u[i * 5 + b] as number);
        expect(d).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });

  it("handles a rank-deficient sparse matrix: exact values up to the rank, zeros after", () => {
    // B[i][j] = (i%4 + j%3 + 1) if (i*7 + j*3) % 5 == 0 else 0, 30 x 12, rank 10
    // np.linalg.svd(B, compute_uv=False)
    const rows = table(30, 12, (i, j) => ((i * 7 + j * 3) % 5 === 0 ? (i % 4) + (j % 3) + 1 : 0));
    const exact = [
      15.75443631235707, 15.550899000892061, 14.554681010340017, 13.29322190452682,
      10.079506067397055, 1.1358923351305463, 1.0776180618603406, 0.8931609484773142,
      0.6352617077283437, 0.4117526734027107,
    ];
    const { u, s } = randomizedSvd(csr(rows), 12, { seed: 1 });
    exact.forEach((v, c) => {
      expect(Math.abs((s[c] as number) - v) / v).toBeLessThan(1e-6);
    });
    expect(s[10] as number).toBeLessThan(1e-6);
    expect(s[11] as number).toBeLessThan(1e-6);
    expect(Array.from(u).every(Number.isFinite)).toBe(true);
  });

  it("is deterministic for a seed and rejects k out of range", () => {
    const m = tfidfMatrix(DOCS, { minDf: 2, maxDf: 0.75, sublinearTf: false }).matrix;
    const a = randomizedSvd(m, 3, { seed: 3 });
    const b = randomizedSvd(m, 3, { seed: 3 });
    expect(Buffer.from(a.u.buffer)).toEqual(Buffer.from(b.u.buffer));
    expect(() => randomizedSvd(m, 0, { seed: 1 })).toThrow(RangeError);
    expect(() => randomizedSvd(m, 9, { seed: 1 })).toThrow(RangeError);
  });
});

describe("dense helpers", () => {
  it("choleskyQr gives orthonormal columns spanning the input and zeroes dependent ones", () => {
    // Column 2 = column 0 + column 1: dependent.
    const rows = table(6, 3, (i, j) =>
      j === 2 ? i + 1 + ((i * i) % 5) : j === 0 ? i + 1 : (i * i) % 5,
    );
    const x = Float64Array.from(rows.flat());
    expect(choleskyQr(x, 6, 3)).toBe(2);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let d = 0;
        for (let i = 0; i < 6; i++) d += (x[i * 3 + a] as number) * (x[i * 3 + b] as number);
        expect(d).toBeCloseTo(a === b && a < 2 ? 1 : 0, 12);
      }
    }
    // Column 0 of Q is column 0 of the input scaled to unit length.
    const norm = Math.sqrt(rows.reduce((s, r) => s + (r[0] as number) ** 2, 0));
    rows.forEach((r, i) => {
      expect(x[i * 3] as number).toBeCloseTo((r[0] as number) / norm, 14);
    });
  });

  it("symmetricEigen reconstructs the matrix with descending eigenvalues", () => {
    const n = 6;
    const a = Float64Array.from(table(n, n, (i, j) => 1 / (i + j + 1)).flat()); // Hilbert
    const { values, vectors } = symmetricEigen(a, n);
    // np.linalg.eigvalsh(hilbert(6))[::-1][:2]
    expect(values[0] as number).toBeCloseTo(1.6188998589243393, 13);
    expect(values[1] as number).toBeCloseTo(0.24236087057520245, 13);
    for (let i = 1; i < n; i++)
      expect(values[i] as number).toBeLessThanOrEqual(values[i - 1] as number);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let c = 0; c < n; c++) {
          v +=
            (vectors[i * n + c] as number) * (values[c] as number) * (vectors[j * n + c] as number);
        }
        expect(v).toBeCloseTo(a[i * n + j] as number, 13);
      }
    }
  });
});

/** Posts from three topics with disjoint vocabularies, plus shared filler words. */
function topicCorpus(perTopic: number): { texts: string[]; topic: number[] } {
  const topics = [
    ["orbit", "shuttle", "launch", "rocket", "nasa", "satellite", "lunar", "payload"],
    ["church", "faith", "scripture", "prayer", "bible", "jesus", "sermon", "gospel"],
    ["opengl", "shader", "texture", "pixel", "render", "polygon", "bitmap", "vertex"],
  ];
  const filler = ["today", "question", "people", "think", "really", "good", "post", "thanks"];
  let state = 12345;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
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
