/**
 * Shared data shapes of the pipeline. This module imports nothing.
 */

/** The two halves of the "bydate" corpus. */
export type Split = "train" | "test";
/** Which halves to load. `all` is train followed by test, as scikit-learn does. */
export type Subset = Split | "all";
/** Parts of a post that scikit-learn's `fetch_20newsgroups(remove=...)` can strip. */
export type RemovePart = "headers" | "footers" | "quotes";

/** One post of the corpus, after cleaning. */
export interface Doc {
  /** "" for a post of `--input` that names no train/test split. */
  split: Split | "";
  /** Newsgroup name, e.g. `sci.space`. */
  group: string;
  /** The post's file name inside its group folder, e.g. `60154`. */
  id: string;
  /** Cleaned text (latin-1 decoded, then stripped as requested). */
  text: string;
}

/** A selection of posts in corpus order: split (train, test), then group name, then numeric id. */
export interface Corpus {
  /** Selected newsgroups, sorted by name. */
  groups: string[];
  docs: Doc[];
}

/** Row-major matrix of embeddings: row i belongs to the i-th post of the corpus. */
export interface Embeddings {
  rows: number;
  dims: number;
  /** `rows * dims` float32 values. */
  data: Float32Array;
}

/** Result of k-means. */
export interface Clustering {
  k: number;
  /** Cluster index (0..k-1) of each row, consistent with `centroids`. */
  labels: Int32Array;
  /** k rows of `dims` values. */
  centroids: Float64Array[];
  /** Sum of squared distances of rows to their centroid. */
  inertia: number;
  /** Lloyd iterations of the kept restart. */
  iterations: number;
  /** Index of the kept restart (0-based) out of `nInit`. */
  bestInit: number;
  nInit: number;
}

/** Newsgroup-by-cluster counts: `counts[i][j]` = posts of `groups[i]` in cluster `clusters[j]`. */
export interface Contingency {
  groups: string[];
  /** Cluster ids shown as column headers, in column order. */
  clusters: number[];
  counts: number[][];
}

export type OutputFormat = "table" | "csv" | "tsv" | "json" | "markdown";
export type DeviceChoice = "auto" | "cpu" | "cuda";
/** The weights transformers.js can load (`--dtype`, besides `auto`): the one list of them. */
export const WEIGHT_DTYPES = [
  "fp32",
  "fp16",
  "q8",
  "int8",
  "uint8",
  "q4",
  "q4f16",
  "bnb4",
] as const;
export type Dtype = (typeof WEIGHT_DTYPES)[number];

/** Which posts to load and how to clean them. */
export interface CorpusSelection {
  categories: string[];
  subset: Subset;
  remove: RemovePart[];
}

/** How table columns are numbered: matched to groups (diagonal) or k-means' own numbering. */
export type ColumnOrder = "matched" | "raw";
export type EmbedderKind = "minilm" | "tfidf";

/** Agreement of the clusters with the true newsgroups (scikit-learn's definitions). */
export interface Scores {
  ari: number;
  nmi: number;
  homogeneity: number;
  completeness: number;
  v_measure: number;
  purity: number;
  accuracy: number;
}

/** Scores plus the k-means objective and, optionally, the silhouette. */
export interface Metrics extends Scores {
  /** k-means objective: sum of squared distances to the centres. */
  inertia: number;
  /** Mean cosine silhouette, when asked for (`--silhouette`). */
  silhouette?: number;
  /** Why the silhouette asked for was not computed (it needs 2 to posts - 1 non-empty clusters). */
  silhouetteOmitted?: string;
  /** Posts in the seeded sample the silhouette was estimated on; absent when it is exact. */
  silhouetteSample?: number;
}

/** Metrics of posts without labels: the k-means objective and, on request, the silhouette. */
export type UnlabelledMetrics = Pick<
  Metrics,
  "inertia" | "silhouette" | "silhouetteSample" | "silhouetteOmitted"
>;

/** Cluster sizes of unlabelled posts: `sizes[j]` posts (a `shares[j]` fraction) in `clusters[j]`. */
export interface SizeTable {
  clusters: number[];
  sizes: number[];
  shares: number[];
}

/** One k of a k sweep. Label metrics only when the posts have labels. */
export interface SweepRow {
  k: number;
  inertia: number;
  /** Mean cosine silhouette (estimated on `SweepResult.silhouetteSample` posts when set). */
  silhouette: number;
  ari?: number;
  nmi?: number;
  v_measure?: number;
  /** The highest silhouette of the sweep (ties: the smallest k). */
  suggested: boolean;
}

/** A cluster's size and its top terms (class-based TF-IDF). */
export interface ClusterLabel {
  cluster: number;
  size: number;
  terms: string[];
}

/** Everything a run produced, as reported (`--format json` prints it whole). */
export interface RunResult {
  config: {
    selection: CorpusSelection;
    embedder: EmbedderKind;
    model: string;
    dtype: string;
    device: string;
    maxLength: number;
    k: number;
    seed: number;
    nInit: number;
    order: ColumnOrder;
    /** `--input` file ("-" for stdin); absent for the built-in corpus. */
    input?: string;
  };
  posts: number;
  /** Posts with no text left after cleaning (they all embed to one vector). */
  empty?: number;
  table: Contingency;
  metrics: Metrics;
  labels: ClusterLabel[];
  /** Wall-clock seconds per stage. */
  timings: Record<string, number>;
}

/** The result of a run on posts without labels: the same document with sizes for the table. */
export interface UnlabelledRunResult extends Omit<RunResult, "table" | "metrics"> {
  table: SizeTable;
  metrics: UnlabelledMetrics;
}

/** A k sweep: one row per k, each k clustered independently with the same seeding rules. */
export interface SweepResult {
  config: Omit<RunResult["config"], "k" | "order"> & { ks: number[] };
  posts: number;
  /** Whether the posts have labels (then rows carry ARI, NMI and V-measure). */
  labelled: boolean;
  /** Posts in the seeded silhouette sample; absent when every silhouette is exact. */
  silhouetteSample?: number;
  rows: SweepRow[];
  /** The suggested k (highest silhouette). */
  suggested: number;
  timings: Record<string, number>;
}
