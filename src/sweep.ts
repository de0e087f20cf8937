/**
 * The k sweep (`--k 2..12`, `--k 4,8,16`): clusters the same vectors once per k, each k
 * independent of the others with the same seeding rules as a single run, and scores each: inertia,
 * cosine silhouette and, with labels, ARI, NMI and V-measure. The highest silhouette is the
 * suggestion. Wires the cluster and evaluate stages, as `pipeline.ts` does.
 */
import { cluster } from "./cluster/kmeans.js";
import { contingency } from "./evaluate/contingency.js";
import { scoreAll } from "./evaluate/metrics.js";
import { distinctLabels, silhouetteAtScale } from "./evaluate/silhouette.js";
import { interrupter } from "./interrupt.js";
import { mulberry32 } from "./linalg/random.js";
import type { Clustering, Corpus, Embeddings, SweepRow } from "./types.js";

export interface SweepOptions {
  /** The k values, each from 2 to rows - 1 (the silhouette needs both). */
  ks: readonly number[];
  seed: number;
  nInit: number;
  maxIterations: number;
}

export interface SweepOutcome {
  rows: SweepRow[];
  /** Posts in the silhouette sample; undefined when every silhouette is exact. */
  sample: number | undefined;
  /** The clustering of the suggested k, for the full report of that k. */
  best: Clustering;
}

/** The seeded source of a silhouette sample: the same posts for every k and for a single run. */
export const silhouetteRandom = (seed: number) => mulberry32(seed ^ 0x5173);

/**
 * Runs k-means for every k and scores it.
 * @param truth the labelled corpus, for ARI/NMI/V-measure; undefined without labels.
 * @param onProgress called after each k with (done, total, k).
 * @throws RangeError for a k outside 2..rows-1 (the CLI checks this earlier); AbortError.
 */
export async function sweepK(
  emb: Embeddings,
  truth: Corpus | undefined,
  opts: SweepOptions,
  onProgress?: (done: number, total: number, k: number) => void,
  signal?: AbortSignal,
): Promise<SweepOutcome> {
  const checkpoint = interrupter(signal);
  const rows: SweepRow[] = [];
  let best: Clustering | undefined;
  let bestSilhouette = Number.NEGATIVE_INFINITY;
  let sample: number | undefined;
  let first: Clustering | undefined;
  for (const [i, k] of opts.ks.entries()) {
    if (!Number.isInteger(k) || k < 2 || k > emb.rows - 1) {
      throw new RangeError(`k in a sweep must be from 2 to ${emb.rows - 1}, got ${k}`);
    }
    await checkpoint();
    const c = await cluster(
      emb,
      { k, seed: opts.seed, nInit: opts.nInit, maxIterations: opts.maxIterations },
      signal,
    );
    first ??= c;
    await checkpoint();
    // Fewer than 2 non-empty clusters (identical posts) have no silhouette: NaN, never suggested.
    const used = distinctLabels(c.labels);
    const s =
      used >= 2 && used < emb.rows
        ? await silhouetteAtScale(
            emb.data,
            emb.rows,
            emb.dims,
            c.labels,
            silhouetteRandom(opts.seed),
            signal,
          )
        : { value: Number.NaN, sample: undefined };
    sample = s.sample ?? sample;
    const row: SweepRow = { k, inertia: c.inertia, silhouette: s.value, suggested: false };
    if (truth !== undefined) {
      const scores = scoreAll(contingency(truth.groups, truth.docs, c.labels, k).counts);
      row.ari = scores.ari;
      row.nmi = scores.nmi;
      row.v_measure = scores.v_measure;
    }
    rows.push(row);
    // Strictly greater: on a tie the smaller k (listed first after sorting) stays.
    if (s.value > bestSilhouette) {
      bestSilhouette = s.value;
      best = c;
    }
    onProgress?.(i + 1, opts.ks.length, k);
  }
  // No k had a silhouette (every one left fewer than 2 non-empty clusters): suggest the first.
  best ??= first;
  if (best === undefined) throw new RangeError("a sweep needs at least one k");
  const suggested = best.k;
  for (const r of rows) r.suggested = r.k === suggested;
  return { rows, sample, best };
}
