/**
 * scikit-learn's `TfidfVectorizer` on typed arrays: document-frequency pruning, smoothed idf,
 * raw or sublinear term frequency, L2-normalised rows. Pure.
 */
import { dataError } from "../errors.js";
import type { CsrMatrix } from "../linalg/sparse.js";
import { ENGLISH_STOP_WORDS } from "./stopwords.js";
import { sortedVocabulary, TermCounter } from "./vocabulary.js";

/** Document-frequency pruning and term weighting, as `TfidfVectorizer`'s parameters. */
export interface TfidfOptions {
  /** Keep terms in at least this many posts (>= 1), or this share of posts (< 1). */
  minDf: number;
  /** Keep terms in at most this share of posts (<= 1), or this many posts (> 1). */
  maxDf: number;
  /** tf = 1 + ln(count) instead of count. */
  sublinearTf: boolean;
  /** Tokens to drop; default: scikit-learn's English list. Pass an empty set to keep all. */
  stopWords?: ReadonlySet<string>;
}

/** A TF-IDF matrix with its columns' terms. */
export interface TfidfResult {
  /** posts x terms; rows are L2-normalised (rows without a kept term are all zero). */
  matrix: CsrMatrix;
  /** Term of each column, sorted by code point as scikit-learn sorts its vocabulary. */
  vocabulary: string[];
  /** Smoothed idf of each column: ln((1 + posts) / (1 + df)) + 1. */
  idf: Float64Array;
}

/**
 * scikit-learn's `TfidfVectorizer(stop_words=..., min_df=..., max_df=..., sublinear_tf=...)`
 * `.fit_transform(texts)` with the other parameters at their defaults (l2 norm, smooth idf).
 * @throws CliError(data) when no term survives the document-frequency limits.
 */
export function tfidfMatrix(texts: readonly string[], opts: TfidfOptions): TfidfResult {
  const counter = new TermCounter(opts.stopWords ?? ENGLISH_STOP_WORDS);
  for (const t of texts) counter.add(t);
  return tfidfFromCounts(counter, opts);
}

/**
 * The TF-IDF matrix of the documents counted so far (`opts.stopWords` is the counter's business
 * and not read here).
 * @throws CliError(data) when the thresholds contradict each other or leave no term.
 */
export function tfidfFromCounts(counter: TermCounter, opts: TfidfOptions): TfidfResult {
  const n = counter.documents;
  const kept = prune(counter.df, n, opts);
  const { vocabulary, column } = sortedVocabulary(counter.terms, kept);
  const idf = new Float64Array(kept.length);
  kept.forEach((id, j) => {
    // scikit-learn's smooth_idf: as if one extra post held every term once.
    idf[j] = Math.log((n + 1) / ((counter.df[id] as number) + 1)) + 1;
  });
  return { matrix: weigh(counter, column, idf, opts.sublinearTf), vocabulary, idf };
}

/** Ids of the terms within the document-frequency limits. */
function prune(df: readonly number[], n: number, opts: TfidfOptions): number[] {
  const maxCount = opts.maxDf <= 1 ? opts.maxDf * n : opts.maxDf;
  const minCount = opts.minDf < 1 ? opts.minDf * n : opts.minDf;
  if (maxCount < minCount) {
    throw dataError(
      `tf-idf: max_df ${opts.maxDf} allows fewer posts (${maxCount}) than min_df ${opts.minDf} ` +
        `requires (${minCount}) among ${n} posts`,
    );
  }
  const kept: number[] = [];
  for (let id = 0; id < df.length; id++) {
    const d = df[id] as number;
    if (d >= minCount && d <= maxCount) kept.push(id);
  }
  if (kept.length === 0) {
    throw dataError(
      `tf-idf: no term of ${n} posts is in at least ${minCount} and at most ${maxCount} posts ` +
        "(after dropping stop words); select more posts",
    );
  }
  return kept;
}

/** The L2-normalised tf * idf rows of the kept columns (`column[id]` = -1 for dropped terms). */
function weigh(
  counter: TermCounter,
  column: Int32Array,
  idf: Float64Array,
  sublinearTf: boolean,
): CsrMatrix {
  const { entryTerm, entryCount, rowEnd } = counter;
  const n = counter.documents;
  let nnz = 0;
  for (const id of entryTerm) if ((column[id] as number) >= 0) nnz++;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  const countOf = new Float64Array(idf.length);
  let at = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = rowEnd[i] as number;
    const rowStart = at;
    for (let e = start; e < end; e++) {
      const j = column[entryTerm[e] as number] as number;
      if (j < 0) continue;
      indices[at++] = j;
      countOf[j] = entryCount[e] as number;
    }
    indices.subarray(rowStart, at).sort();
    let sq = 0;
    for (let p = rowStart; p < at; p++) {
      const j = indices[p] as number;
      const c = countOf[j] as number;
      const tf = sublinearTf ? Math.log(c) + 1 : c;
      const v = tf * (idf[j] as number);
      data[p] = v;
      sq += v * v;
    }
    if (sq > 0) {
      const norm = Math.sqrt(sq);
      for (let p = rowStart; p < at; p++) data[p] = (data[p] as number) / norm;
    }
    indptr[i + 1] = at;
    start = end;
  }
  return { rows: n, cols: idf.length, indptr, indices, data };
}
