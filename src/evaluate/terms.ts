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

import { compareCodePoints } from "../text/analyze.js";
import { type TermIds, termIds } from "../text/term-ids.js";
import { sortedVocabulary } from "../text/vocabulary.js";

/** c-TF-IDF weights of every cluster. */
export interface ClassTfidf {
  /** Terms, sorted by code point. */
  vocabulary: string[];
  /** `k` rows (cluster 0..k-1) of `vocabulary.length` weights; all zero for empty clusters. */
  weights: Float64Array[];
  /** A: total words of all posts / non-empty clusters, truncated to an integer. */
  averageWords: number;
}

function checkLabels(texts: { length: number }, labels: ArrayLike<number>, k: number): void {
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

/** Each cluster's term counts, sparse: `ids[c]` (term ids) with `counts[c]`. */
interface ClusterCounts {
  /** Term of each id, in order of first appearance. */
  terms: string[];
  ids: Int32Array[];
  counts: Int32Array[];
  /** f_t: occurrences of term id t over all clusters. */
  freq: Float64Array;
  /** A: the words of all posts / the non-empty clusters, truncated to an integer. */
  averageWords: number;
}

/**
 * Counts every cluster's terms from the posts' term ids: the posts of one cluster at a time are
 * tallied in one dense array (reset through the list of terms it touched), so no per-cluster map
 * is needed.
 */
function countClusters(t: TermIds, labels: ArrayLike<number>, k: number): ClusterCounts {
  const { terms, tokens, start } = t;
  const used = tokens.length;
  // Posts by cluster (counting sort), then one dense tally per cluster.
  const posts = new Int32Array(k + 1);
  for (let i = 0; i < labels.length; i++) {
    const c = (labels[i] as number) + 1;
    posts[c] = (posts[c] as number) + 1;
  }
  for (let c = 0; c < k; c++) posts[c + 1] = (posts[c + 1] as number) + (posts[c] as number);
  const order = new Int32Array(labels.length);
  const fill = posts.slice(0, k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    order[fill[c] as number] = i;
    fill[c] = (fill[c] as number) + 1;
  }
  const tally = new Int32Array(terms.length);
  const touched = new Int32Array(terms.length);
  const freq = new Float64Array(terms.length);
  const clusterIds: Int32Array[] = [];
  const clusterCounts: Int32Array[] = [];
  let classes = 0;
  for (let c = 0; c < k; c++) {
    let distinct = 0;
    for (let p = posts[c] as number; p < (posts[c + 1] as number); p++) {
      const i = order[p] as number;
      for (let e = start[i] as number; e < (start[i + 1] as number); e++) {
        const id = tokens[e] as number;
        if (tally[id] === 0) touched[distinct++] = id;
        tally[id] = (tally[id] as number) + 1;
      }
    }
    if ((posts[c + 1] as number) > (posts[c] as number)) classes++;
    const cIds = touched.slice(0, distinct);
    const cCounts = new Int32Array(distinct);
    for (let e = 0; e < distinct; e++) {
      const id = cIds[e] as number;
      cCounts[e] = tally[id] as number;
      freq[id] = (freq[id] as number) + (tally[id] as number);
      tally[id] = 0;
    }
    clusterIds.push(cIds);
    clusterCounts.push(cCounts);
  }
  const averageWords = classes === 0 ? 0 : Math.trunc(used / classes);
  return { terms, ids: clusterIds, counts: clusterCounts, freq, averageWords };
}

/** Cluster c's weights w_{t,c} = (tf_{t,c} / sum_t tf_{t,c}) · ln(1 + A / f_t), by entry. */
function clusterWeights(cc: ClusterCounts, c: number): Float64Array {
  const ids = cc.ids[c] as Int32Array;
  const counts = cc.counts[c] as Int32Array;
  let sum = 0;
  for (let e = 0; e < counts.length; e++) sum += counts[e] as number;
  const w = new Float64Array(ids.length);
  for (let e = 0; e < ids.length; e++) {
    const idf = Math.log(cc.averageWords / (cc.freq[ids[e] as number] as number) + 1);
    w[e] = ((counts[e] as number) / sum) * idf;
  }
  return w;
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
  const cc = countClusters(termIds(texts), labels, k);
  const { vocabulary, column } = sortedVocabulary(
    cc.terms,
    cc.terms.map((_, id) => id),
  );
  const weights = Array.from({ length: k }, (_, c) => {
    const w = new Float64Array(vocabulary.length);
    const ids = cc.ids[c] as Int32Array;
    clusterWeights(cc, c).forEach((x, e) => {
      w[column[ids[e] as number] as number] = x;
    });
    return w;
  });
  return { vocabulary, weights, averageWords: cc.averageWords };
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
  return topTermsOf(termIds(texts), labels, k, n);
}

/**
 * `topTerms` of posts already tokenised (`termIds`, or the same from the cache).
 * @throws RangeError when lengths differ, a label is not an integer in [0, k), or n < 0.
 */
export function topTermsOf(
  t: TermIds,
  labels: ArrayLike<number>,
  k: number,
  n: number,
): string[][] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be an integer >= 0, got ${n}`);
  checkLabels({ length: t.start.length - 1 }, labels, k);
  const cc = countClusters(t, labels, k);
  return Array.from({ length: k }, (_, c) => {
    const ids = cc.ids[c] as Int32Array;
    const w = clusterWeights(cc, c);
    // Better: higher weight, then the term first in code-point order.
    const better = (a: number, b: number) =>
      (w[a] as number) > (w[b] as number) ||
      (w[a] === w[b] &&
        compareCodePoints(
          cc.terms[ids[a] as number] as string,
          cc.terms[ids[b] as number] as string,
        ) < 0);
    // The best n entries by insertion into a short sorted list: most entries lose to its last.
    const best: number[] = [];
    for (let e = 0; e < ids.length && n > 0; e++) {
      if (!((w[e] as number) > 0)) continue;
      if (best.length === n && !better(e, best[n - 1] as number)) continue;
      let at = best.length === n ? n - 1 : best.length;
      while (at > 0 && better(e, best[at - 1] as number)) {
        best[at] = best[at - 1] as number;
        at--;
      }
      best[at] = e;
    }
    return best.map((e) => cc.terms[ids[e] as number] as string);
  });
}
