/**
 * Cluster labels from class-based TF-IDF (c-TF-IDF), as BERTopic computes its topic words.
 *
 * Followed: BERTopic's `ClassTfidfTransformer` (bertopic/vectorizers/_ctfidf.py) with its
 * defaults `bm25_weighting=False, reduce_frequent_words=False` and no seed words: the posts of
 * each cluster are joined into one class document and counted (`CountVectorizer`, here with
 * scikit-learn's English stop words removed); `fit` takes f_t = the column sums (frequency of
 * term t over all classes) and A = `int(X.sum(axis=1).mean())`, the mean number of words per
 * class truncated to an integer, and sets idf_t = ln(A / f_t + 1); `transform` L1-normalises
 * each class's counts and multiplies by idf_t. BERTopic's classes are the topics that have at
 * least one post, so empty clusters are not counted in A (a cluster whose posts hold only stop
 * words is). Imports nothing outside this folder but the pure text utilities.
 */
import { ENGLISH_STOP_WORDS } from "../text/stopwords.js";
import { sortedVocabulary, TermCounter } from "../text/vocabulary.js";

/** c-TF-IDF weights of every cluster. */
export interface ClassTfidf {
  /** Terms, sorted by code point. */
  vocabulary: string[];
  /** `k` rows (cluster 0..k-1) of `vocabulary.length` weights; all zero for empty clusters. */
  weights: Float64Array[];
  /** A: total words of all posts / non-empty clusters, truncated to an integer. */
  averageWords: number;
}

function checkLabels(texts: readonly string[], labels: ArrayLike<number>, k: number): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be an integer >= 0, got ${k}`);
  if (labels.length !== texts.length) {
    throw new RangeError(`${texts.length} texts but ${labels.length} labels`);
  }
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw new RangeError(`label ${c} at ${i} is not a cluster in [0, ${k})`);
    }
  }
}

/**
 * Class-based TF-IDF weights: w_{t,c} = (tf_{t,c} / sum_t tf_{t,c}) * ln(1 + A / f_t).
 * @param labels cluster (0..k-1) of each text.
 * @throws RangeError when lengths differ or a label is not an integer in [0, k).
 */
export function classTfidf(
  texts: readonly string[],
  labels: ArrayLike<number>,
  k: number,
): ClassTfidf {
  checkLabels(texts, labels, k);
  const counter = new TermCounter(ENGLISH_STOP_WORDS);
  const perCluster = Array.from({ length: k }, () => new Map<number, number>());
  const posts = new Int32Array(k);
  for (let i = 0; i < texts.length; i++) {
    const c = labels[i] as number;
    posts[c] = (posts[c] as number) + 1;
    counter.add(texts[i] as string);
    const counts = perCluster[c] as Map<number, number>;
    for (let e = counter.rowStart(i); e < (counter.rowEnd[i] as number); e++) {
      const id = counter.entryTerm[e] as number;
      counts.set(id, (counts.get(id) ?? 0) + (counter.entryCount[e] as number));
    }
  }
  const everyTerm = counter.terms.map((_, id) => id);
  const { vocabulary, column } = sortedVocabulary(counter.terms, everyTerm);

  const v = vocabulary.length;
  const freq = new Float64Array(v);
  const rowSum = new Float64Array(k);
  let total = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    if ((posts[c] as number) > 0) classes++;
    for (const [id, n] of perCluster[c] as Map<number, number>) {
      const j = column[id] as number;
      freq[j] = (freq[j] as number) + n;
      rowSum[c] = (rowSum[c] as number) + n;
      total += n;
    }
  }
  const averageWords = classes === 0 ? 0 : Math.trunc(total / classes);
  const idf = new Float64Array(v);
  for (let j = 0; j < v; j++) idf[j] = Math.log(averageWords / (freq[j] as number) + 1);

  const weights = Array.from({ length: k }, (_, c) => {
    const w = new Float64Array(v);
    const sum = rowSum[c] as number;
    if (sum === 0) return w;
    for (const [id, n] of perCluster[c] as Map<number, number>) {
      const j = column[id] as number;
      w[j] = (n / sum) * (idf[j] as number);
    }
    return w;
  });
  return { vocabulary, weights, averageWords };
}

/**
 * The `n` highest-weighted c-TF-IDF terms of each cluster.
 * @param labels cluster (0..k-1) of each text.
 * @returns `k` lists (index = cluster id), best first; ties in weight in code-point order of the
 *   term; only terms with positive weight, so empty clusters (and clusters of stop words only)
 *   give [].
 * @throws RangeError when lengths differ, a label is not an integer in [0, k), or n < 0.
 */
export function topTerms(
  texts: readonly string[],
  labels: ArrayLike<number>,
  k: number,
  n: number,
): string[][] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be an integer >= 0, got ${n}`);
  const { vocabulary, weights } = classTfidf(texts, labels, k);
  return weights.map((w) => {
    const candidates: number[] = [];
    for (let j = 0; j < w.length; j++) if ((w[j] as number) > 0) candidates.push(j);
    // The vocabulary is in code-point order, so the column index breaks ties.
    candidates.sort((a, b) => (w[b] as number) - (w[a] as number) || a - b);
    return candidates.slice(0, n).map((j) => vocabulary[j] as string);
  });
}
