// Expected values come from scikit-learn 1.2.1 / scipy 1.10.1:
// /usr/bin/python3 scripts/crosscheck/sklearn_metrics.py prints every literal below.
import { describe, expect, it } from "vitest";
import { linearSumAssignment } from "../../src/evaluate/hungarian.js";
import {
  adjustedRandIndex,
  bestMatchAccuracy,
  completeness,
  contingencyMatrix,
  homogeneity,
  mutualInfo,
  normalizedMutualInfo,
  purity,
  type Scores,
  scoreAll,
  vMeasure,
} from "../../src/evaluate/metrics.js";
import { silhouetteCosine } from "../../src/evaluate/silhouette.js";
// Deterministic PRNG so the brute-force checks are reproducible.
import { mulberry32 } from "../support/random.js";

const TOL = 1e-9;

function expectClose(actual: number, expected: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThan(TOL);
}

type Expected = Scores & { mi: number };

function expectScores(counts: number[][], want: Expected): void {
  const all = scoreAll(counts);
  for (const key of Object.keys(want) as (keyof Expected)[]) {
    if (key === "mi") continue;
    expectClose(all[key], want[key]);
  }
  expect(Object.keys(all).sort()).toEqual(
    ["accuracy", "ari", "completeness", "homogeneity", "nmi", "purity", "v_measure"].sort(),
  );
  // The single-score functions must agree with scoreAll.
  expectClose(adjustedRandIndex(counts), want.ari);
  expectClose(normalizedMutualInfo(counts), want.nmi);
  expectClose(homogeneity(counts), want.homogeneity);
  expectClose(completeness(counts), want.completeness);
  expectClose(vMeasure(counts), want.v_measure);
  expectClose(purity(counts), want.purity);
  expectClose(bestMatchAccuracy(counts), want.accuracy);
  expectClose(mutualInfo(counts), want.mi);
}

/** Label vectors whose contingency table is `counts`, as np.repeat builds them. */
function labelsFromCounts(counts: number[][]): { truth: number[]; pred: number[] } {
  const truth: number[] = [];
  const pred: number[] = [];
  counts.forEach((row, i) => {
    row.forEach((n, j) => {
      for (let s = 0; s < n; s++) {
        truth.push(i);
        pred.push(j);
      }
    });
  });
  return { truth, pred };
}

const maxPlusOne = (xs: number[]) => Math.max(...xs) + 1;

const NOTEBOOK = [
  [47, 4, 357, 391],
  [101, 816, 56, 0],
  [812, 27, 144, 4],
  [41, 0, 238, 349],
];
const NOTEBOOK_SCORES: Expected = {
  ari: 0.49225454707718874,
  nmi: 0.497512191971643,
  homogeneity: 0.49917571771349045,
  completeness: 0.49585971695287656,
  v_measure: 0.4975121919716429,
  purity: 0.7015057573073517,
  accuracy: 0.6891054030115146,
  mi: 0.6842768740086529,
};

// n = 14140: ARI's pair-count products exceed 2^53.
const BIG = [
  [605, 0, 229, 289, 647, 0, 453, 304],
  [0, 0, 295, 0, 237, 204, 642, 560],
  [0, 0, 0, 749, 0, 0, 0, 0],
  [712, 788, 0, 52, 604, 302, 0, 0],
  [774, 405, 0, 0, 0, 207, 0, 46],
  [0, 0, 0, 178, 851, 81, 560, 522],
];
const BIG_SCORES: Expected = {
  ari: 0.16952421328027115,
  nmi: 0.34327435381402815,
  homogeneity: 0.36951085764391456,
  completeness: 0.3205166053731968,
  v_measure: 0.34327435381402815,
  purity: 0.43918201133144474,
  accuracy: 0.36959985835694054,
  mi: 0.6389581198207923,
};

interface LabelCase {
  name: string;
  truth: number[];
  pred: number[];
  contingency: number[][];
  want: Expected;
}

const LABEL_CASES: LabelCase[] = [
  {
    name: "everything in one cluster",
    truth: [0, 0, 0, 1, 1, 2, 2, 2],
    pred: [0, 0, 0, 0, 0, 0, 0, 0],
    contingency: [[3], [2], [3]],
    want: {
      ari: 0.0,
      nmi: 0.0,
      homogeneity: 0.0,
      completeness: 1.0,
      v_measure: 0.0,
      purity: 0.375,
      accuracy: 0.375,
      mi: 0.0,
    },
  },
  {
    name: "one class and one cluster",
    truth: [0, 0, 0, 0, 0],
    pred: [0, 0, 0, 0, 0],
    contingency: [[5]],
    want: {
      ari: 1.0,
      nmi: 1.0,
      homogeneity: 1.0,
      completeness: 1.0,
      v_measure: 1.0,
      purity: 1.0,
      accuracy: 1.0,
      mi: 0.0,
    },
  },
  {
    name: "a single true class",
    truth: [0, 0, 0, 0, 0, 0],
    pred: [0, 1, 1, 2, 2, 2],
    contingency: [[1, 2, 3]],
    want: {
      ari: 0.0,
      nmi: 0.0,
      homogeneity: 1.0,
      completeness: 0.0,
      v_measure: 0.0,
      purity: 1.0,
      accuracy: 0.5,
      mi: 0.0,
    },
  },
  {
    name: "all singleton clusters",
    truth: [0, 0, 1, 1, 2, 2],
    pred: [0, 1, 2, 3, 4, 5],
    contingency: [
      [1, 1, 0, 0, 0, 0],
      [0, 0, 1, 1, 0, 0],
      [0, 0, 0, 0, 1, 1],
    ],
    want: {
      ari: 0.0,
      nmi: 0.7601875334318686,
      homogeneity: 1.0000000000000002,
      completeness: 0.6131471927654586,
      v_measure: 0.7601875334318687,
      purity: 1.0,
      accuracy: 0.5,
      mi: 1.0986122886681098,
    },
  },
  {
    name: "singletons on both sides",
    truth: [0, 1, 2, 3],
    pred: [0, 1, 2, 3],
    contingency: [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    want: {
      ari: 1.0,
      nmi: 1.0,
      homogeneity: 1.0,
      completeness: 1.0,
      v_measure: 1.0,
      purity: 1.0,
      accuracy: 1.0,
      mi: 1.3862943611198906,
    },
  },
  {
    name: "perfect match with permuted ids",
    truth: [0, 0, 1, 1, 1, 2, 2, 3],
    pred: [2, 2, 0, 0, 0, 3, 3, 1],
    contingency: [
      [0, 0, 2, 0],
      [3, 0, 0, 0],
      [0, 0, 0, 2],
      [0, 1, 0, 0],
    ],
    want: {
      ari: 1.0,
      nmi: 1.0,
      homogeneity: 0.9999999999999998,
      completeness: 1.0,
      v_measure: 0.9999999999999999,
      purity: 1.0,
      accuracy: 1.0,
      mi: 1.320888343149322,
    },
  },
  {
    name: "discordant (negative ARI)",
    truth: [0, 0, 1, 1],
    pred: [0, 1, 0, 1],
    contingency: [
      [1, 1],
      [1, 1],
    ],
    want: {
      ari: -0.5,
      nmi: 0.0,
      homogeneity: 0.0,
      completeness: 0.0,
      v_measure: 0.0,
      purity: 0.5,
      accuracy: 0.5,
      mi: 0.0,
    },
  },
  {
    name: "random, 3 classes and 5 clusters",
    truth: [
      2, 1, 1, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 1, 2, 2, 1, 1, 1, 2, 0, 2, 2, 0, 1, 2, 1, 0, 2, 2, 2,
      0, 0, 2, 0, 1, 0, 0, 1, 1,
    ],
    pred: [
      2, 0, 0, 0, 0, 3, 2, 3, 1, 3, 3, 1, 2, 4, 4, 4, 1, 3, 4, 3, 4, 3, 3, 1, 4, 0, 2, 3, 4, 2, 1,
      1, 2, 2, 3, 4, 0, 4, 2, 1,
    ],
    contingency: [
      [3, 3, 2, 4, 2],
      [2, 2, 3, 2, 4],
      [1, 2, 3, 4, 3],
    ],
    want: {
      ari: -0.04608550805108273,
      nmi: 0.02867822807668317,
      homogeneity: 0.03515149329749633,
      completeness: 0.0242183397070802,
      v_measure: 0.02867822807668317,
      purity: 0.425,
      accuracy: 0.275,
      mi: 0.03859606919907281,
    },
  },
];

/** Inserts an all-zero row and column before every existing one, plus one at the end. */
function padWithEmpty(counts: number[][]): number[][] {
  const nCols = (counts[0] as number[]).length;
  const width = 2 * nCols + 1;
  const out: number[][] = [];
  for (const row of counts) {
    out.push(new Array<number>(width).fill(0));
    const wide = new Array<number>(width).fill(0);
    row.forEach((x, j) => {
      wide[2 * j + 1] = x;
    });
    out.push(wide);
  }
  out.push(new Array<number>(width).fill(0));
  return out;
}

describe("contingencyMatrix", () => {
  it("rebuilds the notebook table from its label vectors", () => {
    const { truth, pred } = labelsFromCounts(NOTEBOOK);
    expect(contingencyMatrix(Int32Array.from(truth), Int32Array.from(pred), 4, 4)).toEqual(
      NOTEBOOK,
    );
  });

  it("keeps empty classes and clusters as zero rows and columns", () => {
    expect(contingencyMatrix([0, 2, 2], [1, 1, 0], 4, 3)).toEqual([
      [0, 1, 0],
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  it("rejects mismatched lengths and labels out of range", () => {
    expect(() => contingencyMatrix([0, 1], [0], 2, 2)).toThrow(RangeError);
    expect(() => contingencyMatrix([0, 2], [0, 0], 2, 2)).toThrow(RangeError);
    expect(() => contingencyMatrix([0, 1], [0, -1], 2, 2)).toThrow(RangeError);
    expect(() => contingencyMatrix([0, 0.5], [0, 0], 2, 2)).toThrow(RangeError);
  });
});

describe("external scores vs scikit-learn", () => {
  it("match the reference notebook's k = 4 table", () => {
    expectScores(NOTEBOOK, NOTEBOOK_SCORES);
  });

  it("match on a large table (exact ARI pair counts)", () => {
    expectScores(BIG, BIG_SCORES);
  });

  for (const c of LABEL_CASES) {
    it(`match on label vectors: ${c.name}`, () => {
      const counts = contingencyMatrix(c.truth, c.pred, maxPlusOne(c.truth), maxPlusOne(c.pred));
      expect(counts).toEqual(c.contingency);
      expectScores(counts, c.want);
    });
  }

  it("ignore empty classes and clusters, as sklearn never sees them", () => {
    for (const c of [...LABEL_CASES.map((x) => [x.contingency, x.want] as const)]) {
      expectScores(padWithEmpty(c[0]), c[1]);
    }
    expectScores(padWithEmpty(NOTEBOOK), NOTEBOOK_SCORES);
  });

  it("follow sklearn's conventions for no samples at all", () => {
    for (const empty of [[], [[]], [[0, 0]], [[0], [0]]]) {
      expect(adjustedRandIndex(empty)).toBe(1.0);
      expect(normalizedMutualInfo(empty)).toBe(1.0);
      expect(homogeneity(empty)).toBe(1.0);
      expect(completeness(empty)).toBe(1.0);
      expect(vMeasure(empty)).toBe(1.0);
      expect(mutualInfo(empty)).toBe(0.0);
    }
  });

  it("are invariant to swapping the roles of columns (cluster ids)", () => {
    const swapped = NOTEBOOK.map((row) => [row[3], row[0], row[2], row[1]] as number[]);
    expectScores(swapped, NOTEBOOK_SCORES);
  });

  it("swap homogeneity and completeness when the labellings are swapped", () => {
    const t = NOTEBOOK.map((_, i) => NOTEBOOK.map((row) => row[i] as number));
    expectClose(homogeneity(t), NOTEBOOK_SCORES.completeness);
    expectClose(completeness(t), NOTEBOOK_SCORES.homogeneity);
  });

  it("reject malformed count matrices", () => {
    expect(() => scoreAll([[1, -1]])).toThrow(RangeError);
    expect(() => scoreAll([[1, 0.5]])).toThrow(RangeError);
    expect(() => scoreAll([[1, 2], [3]])).toThrow(RangeError);
    expect(() => adjustedRandIndex([[Number.NaN]])).toThrow(RangeError);
  });
});

/** Best total over all one-to-one matchings of min(n, m) pairs. */
function bruteForce(cost: number[][], maximize: boolean): number {
  const n = cost.length;
  const m = (cost[0] as number[]).length;
  const tall = n > m;
  const small = tall ? m : n;
  const big = tall ? n : m;
  const at = (s: number, b: number) =>
    tall ? ((cost[b] as number[])[s] as number) : ((cost[s] as number[])[b] as number);
  const used = new Array<boolean>(big).fill(false);
  let best = maximize ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const go = (s: number, acc: number): void => {
    if (s === small) {
      best = maximize ? Math.max(best, acc) : Math.min(best, acc);
      return;
    }
    for (let b = 0; b < big; b++) {
      if (used[b]) continue;
      used[b] = true;
      go(s + 1, acc + at(s, b));
      used[b] = false;
    }
  };
  go(0, 0);
  return best;
}

function totalOf(cost: number[][], rows: number[], cols: number[]): number {
  let sum = 0;
  rows.forEach((r, k) => {
    sum += (cost[r] as number[])[cols[k] as number] as number;
  });
  return sum;
}

describe("linearSumAssignment vs scipy", () => {
  const I = Number.POSITIVE_INFINITY;
  const cases: [string, number[][], boolean, number[], number[], number][] = [
    [
      "square",
      [
        [4, 1, 3],
        [2, 0, 5],
        [3, 2, 2],
      ],
      false,
      [0, 1, 2],
      [1, 0, 2],
      5,
    ],
    [
      "square, maximize",
      [
        [4, 1, 3],
        [2, 0, 5],
        [3, 2, 2],
      ],
      true,
      [0, 1, 2],
      [0, 2, 1],
      11,
    ],
    [
      "wide",
      [
        [0.5, 9.25, 3.0, 7.0],
        [1.5, 2.0, 0.25, 8.0],
        [6.0, 0.75, 4.0, 2.5],
      ],
      false,
      [0, 1, 2],
      [0, 2, 1],
      1.5,
    ],
    [
      "tall",
      [
        [7.0, 2.0],
        [3.5, 8.0],
        [1.0, 1.25],
        [9.0, 0.5],
      ],
      false,
      [2, 3],
      [0, 1],
      1.5,
    ],
    [
      "tall, maximize",
      [
        [7.0, 2.0],
        [3.5, 8.0],
        [1.0, 1.25],
        [9.0, 0.5],
      ],
      true,
      [1, 3],
      [1, 0],
      17,
    ],
    [
      "constant (ties give the identity)",
      [
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      false,
      [0, 1, 2],
      [0, 1, 2],
      3,
    ],
    [
      "forbidden pairs (+inf)",
      [
        [I, 1, 2],
        [3, I, 4],
        [5, 6, I],
      ],
      false,
      [0, 1, 2],
      [1, 2, 0],
      10,
    ],
    ["one row", [[5, -2, 7, -2.5]], false, [0], [3], -2.5],
    ["notebook table, maximize", NOTEBOOK, true, [0, 1, 2, 3], [2, 1, 0, 3], 2334],
  ];
  for (const [name, cost, maximize, rows, cols, total] of cases) {
    it(`matches scipy: ${name}`, () => {
      const got = linearSumAssignment(cost, maximize);
      expect(got).toEqual({ rows, cols });
      expect(totalOf(cost, got.rows, got.cols)).toBe(total);
    });
  }

  it("finds the brute-force optimum on random small matrices", () => {
    const rand = mulberry32(12345);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * 5);
      const m = 1 + Math.floor(rand() * 6);
      // Small integers make ties common; the other half uses continuous values.
      const integer = trial % 2 === 0;
      const cost = Array.from({ length: n }, () =>
        Array.from({ length: m }, () =>
          integer ? Math.floor(rand() * 5) : Math.round((rand() * 20 - 10) * 1024) / 1024,
        ),
      );
      for (const maximize of [false, true]) {
        const { rows, cols } = linearSumAssignment(cost, maximize);
        expect(rows.length).toBe(Math.min(n, m));
        expect(cols.length).toBe(rows.length);
        for (let k = 1; k < rows.length; k++) {
          expect(rows[k] as number).toBeGreaterThan(rows[k - 1] as number);
        }
        expect(new Set(cols).size).toBe(cols.length);
        for (const r of rows) expect(r >= 0 && r < n).toBe(true);
        for (const c of cols) expect(c >= 0 && c < m).toBe(true);
        expect(totalOf(cost, rows, cols)).toBeCloseTo(bruteForce(cost, maximize), 9);
      }
    }
  });

  it("handles empty matrices and rejects invalid ones", () => {
    expect(linearSumAssignment([])).toEqual({ rows: [], cols: [] });
    expect(linearSumAssignment([[], []])).toEqual({ rows: [], cols: [] });
    expect(() => linearSumAssignment([[1, Number.NaN]])).toThrow(RangeError);
    expect(() => linearSumAssignment([[1, Number.NEGATIVE_INFINITY]])).toThrow(RangeError);
    expect(() => linearSumAssignment([[1, I]], true)).toThrow(RangeError);
    expect(() => linearSumAssignment([[1, 2], [3]])).toThrow(RangeError);
    // Both rows can only use column 0: no finite assignment exists.
    expect(() =>
      linearSumAssignment([
        [1, I],
        [2, I],
      ]),
    ).toThrow(/infeasible/);
  });
});

describe("silhouetteCosine vs sklearn silhouette_score(metric='cosine')", () => {
  // 12 x 4, multiples of 1/8 (exact in float32).
  const X = [
    [0.625, 1.25, -0.75, 1.75],
    [-0.25, 1.625, -0.375, -0.75],
    [0.25, 1.0, 0.125, -0.625],
    [-1.375, -1.375, 0.5, 1.0],
    [-0.125, -1.125, 0.875, -1.25],
    [-0.75, 0.625, -2.25, 0.375],
    [-0.625, 0.125, -0.125, 0.25],
    [0.75, -0.75, 1.375, 0.75],
    [0.875, 1.125, 0.75, 0.875],
    [0.125, -1.375, -0.125, -0.75],
    [-1.375, 0.25, -0.625, -1.0],
    [-1.0, 0.25, 0.375, 1.375],
  ];
  const data = Float32Array.from(X.flat());

  it("matches with three clusters", () => {
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    expectClose(silhouetteCosine(data, 12, 4, labels), -0.21486643093374178);
  });

  it("matches with arbitrary label ids and a singleton cluster (scored 0)", () => {
    const labels = Int32Array.from([3, 3, 3, 7, 7, 7, 7, 7, 1, 1, 1, 5]);
    expectClose(silhouetteCosine(data, 12, 4, labels), -0.24357079705634763);
  });

  it("matches with a zero row (cosine distance 1 to all others)", () => {
    const zeroed = data.slice();
    zeroed.fill(0, 5 * 4, 6 * 4);
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    expectClose(silhouetteCosine(zeroed, 12, 4, labels), -0.164333128854282);
  });

  it("matches on 150 x 7 rows (several tiles, dims not a multiple of 4)", () => {
    const rows = 150;
    const dims = 7;
    const big = new Float32Array(rows * dims);
    for (let i = 0; i < rows; i++) {
      for (let d = 0; d < dims; d++) big[i * dims + d] = (((37 * i + 11 * d + i * d) % 17) - 8) / 8;
    }
    const labels = Array.from({ length: rows }, (_, i) => Math.floor((7 * i) / 3) % 5);
    expectClose(silhouetteCosine(big, rows, dims, labels), -0.07358234323461152);
  });

  it("rejects bad shapes and label counts outside [2, n - 1]", () => {
    expect(() => silhouetteCosine(data, 12, 4, new Array<number>(12).fill(0))).toThrow(RangeError);
    const distinct = Array.from({ length: 12 }, (_, i) => i);
    expect(() => silhouetteCosine(data, 12, 4, distinct)).toThrow(RangeError);
    expect(() => silhouetteCosine(data, 12, 3, distinct)).toThrow(RangeError);
    expect(() => silhouetteCosine(data, 12, 4, [0, 1])).toThrow(RangeError);
  });
});
