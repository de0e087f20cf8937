/** What every section of the HTML report is drawn from. */
import type { RunResult, UnlabelledRunResult } from "../../types.js";

/** A post as the report needs it (a `Doc` fits). */
export interface HtmlReportPost {
  group: string;
  id: string;
  split: string;
  text: string;
}

export interface HtmlReportInput {
  /** A run on labelled posts (newsgroup-by-cluster table) or on posts without labels (sizes). */
  result: RunResult | UnlabelledRunResult;
  /** The tool's version, shown in the footer. */
  version: string;
  /** The posts in corpus order; row i of `labels`, `distances` and `points` is `posts[i]`. */
  posts: readonly HtmlReportPost[];
  /** Cluster id of each post, as in `result.table.clusters`. */
  labels: ArrayLike<number>;
  /** Distance of each post to its cluster's centre (any unit; smaller is more central). */
  distances: ArrayLike<number>;
  /** `posts.length * 2` values, row-major: each post's 2-D position (e.g. from `pca2`). */
  points: Float32Array;
}

/** Whether a run's posts have labels (its table is a newsgroup-by-cluster contingency). */
export function isLabelled(r: RunResult | UnlabelledRunResult): r is RunResult {
  return "counts" in r.table;
}

/** The input with each post's table column and row resolved once. */
export interface Ctx {
  input: HtmlReportInput;
  /** The newsgroups (table rows); empty for posts without labels. */
  groups: readonly string[];
  /** Posts in each cluster, by table column. */
  sizes: readonly number[];
  /** Table column of each post. */
  col: Int32Array;
  /** Table row (newsgroup) of each post; -1 for a group not in the table or no labels. */
  row: Int32Array;
}
