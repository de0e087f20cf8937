/**
 * The data the package ships in `data/` (beside `src/` and `dist/`), read from one place: this
 * module, through its own URL, so it works from the repository, from `dist/` and from an
 * installed package alike. Read synchronously once, at first import: the files are small (a few
 * KB) and fixed, and a missing or malformed one is a broken installation, reported as an Error.
 */
import { readFileSync } from "node:fs";

const DATA_DIR = new URL("../data/", import.meta.url);

/** Posts of one newsgroup in each split of the bydate corpus. */
export interface SplitCounts {
  train: number;
  test: number;
}

/** `data/corpus.json`: what the tool knows of the corpus before reading it. */
export interface CorpusManifest {
  /** The archive's name without `.tar.gz`. */
  name: string;
  /** Where scikit-learn's `fetch_20newsgroups` downloads the archive. */
  url: string;
  /** sha256 of that archive, lowercase hex. */
  sha256: string;
  /** The 20 newsgroups, sorted by name. */
  groups: readonly string[];
  /** Files per newsgroup and split in the archive (11,314 train and 7,532 test in all). */
  posts: Readonly<Record<string, SplitCounts>>;
}

/** The text of `data/<name>`. */
function readDataFile(name: string): string {
  return readFileSync(new URL(name, DATA_DIR), "utf8");
}

function parseManifest(text: string): CorpusManifest {
  const m = JSON.parse(text) as CorpusManifest;
  const ok =
    typeof m.url === "string" &&
    /^[0-9a-f]{64}$/.test(m.sha256) &&
    Array.isArray(m.groups) &&
    m.groups.every(
      (g) => Number.isInteger(m.posts[g]?.train) && Number.isInteger(m.posts[g]?.test),
    );
  if (!ok) throw new Error("data/corpus.json is malformed: reinstall newsgroup-cluster");
  return Object.freeze(m);
}

/** The corpus manifest, `data/corpus.json`. */
export const CORPUS_MANIFEST: CorpusManifest = parseManifest(readDataFile("corpus.json"));

/** scikit-learn's English stop words, `data/english-stop-words.txt`: one a line, sorted. */
export const STOP_WORDS_LIST: readonly string[] = Object.freeze(
  readDataFile("english-stop-words.txt")
    .split("\n")
    .filter((w) => w !== ""),
);
