/**
 * The real model's quality check, as pure functions over the CLI's `--format json` documents, so
 * that its logic is tested on fixture tables everywhere and runs unchanged on the real model
 * wherever its weights can be had (test/quality.test.ts).
 */

/** The notebook reports ARI 0.49 and NMI 0.50 for all-MiniLM-L6-v2 + k-means, k = 4. */
export const MIN_ARI = 0.45;
export const MIN_NMI = 0.45;
/** q8 and fp32 tables may differ by at most this share of the posts (34 of 3,387). */
export const MAX_MOVED_SHARE = 0.01;

/** The parts of the CLI's JSON document (schema 1) that the check reads. */
export interface RunDoc {
  config: { dtype: string; k: number; order: string };
  counts: { posts: number };
  table: { groups: string[]; clusters: number[]; counts: number[][] };
  metrics: { ari: number; nmi: number };
}

/** Parses the CLI's stdout into a RunDoc, failing loudly on a missing field. */
export function parseRunDoc(stdout: string): RunDoc {
  const doc = JSON.parse(stdout) as RunDoc;
  for (const v of [doc.metrics?.ari, doc.metrics?.nmi, doc.counts?.posts, doc.config?.k]) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`not a newsgroup-cluster JSON document: ${stdout.slice(0, 80)}`);
    }
  }
  if (!Array.isArray(doc.table?.counts)) throw new Error("the JSON document has no table");
  return doc;
}

/**
 * Posts that sit in another cell of `b` than of `a`: half the L1 distance between the count
 * matrices. Both tables must have the same groups and cluster ids (with `--order matched` the
 * clusters are aligned to the groups, so this counts posts that changed group-cluster).
 */
export function movedPosts(a: RunDoc["table"], b: RunDoc["table"]): number {
  if (a.groups.join() !== b.groups.join() || a.clusters.join() !== b.clusters.join()) {
    throw new Error(
      `tables of different shape: ${a.groups}/${a.clusters} vs ${b.groups}/${b.clusters}`,
    );
  }
  let l1 = 0;
  a.counts.forEach((row, i) => {
    row.forEach((v, j) => {
      l1 += Math.abs(v - (b.counts[i]?.[j] ?? 0));
    });
  });
  return l1 / 2;
}

/** What fails the check: one line per failed condition; empty when the runs pass. */
export function qualityFailures(q8: RunDoc, fp32: RunDoc): string[] {
  const out: string[] = [];
  for (const doc of [q8, fp32]) {
    const { dtype } = doc.config;
    const { ari, nmi } = doc.metrics;
    if (!(ari >= MIN_ARI)) out.push(`${dtype}: ARI ${ari.toFixed(4)} is below ${MIN_ARI}`);
    if (!(nmi >= MIN_NMI)) out.push(`${dtype}: NMI ${nmi.toFixed(4)} is below ${MIN_NMI}`);
  }
  if (q8.counts.posts !== fp32.counts.posts) {
    out.push(`q8 clustered ${q8.counts.posts} posts, fp32 ${fp32.counts.posts}`);
    return out;
  }
  const moved = movedPosts(q8.table, fp32.table);
  const allowed = Math.floor(q8.counts.posts * MAX_MOVED_SHARE);
  if (moved > allowed) {
    out.push(`q8 and fp32 tables differ by ${moved} posts (at most ${allowed} allowed)`);
  }
  return out;
}
