/**
 * The cleaned corpus, cached: reading and cleaning the archive takes most of a warm run (about a
 * second for the default four groups), so the result is kept under `<cacheDir>/corpus/` as JSON
 * Lines, keyed by the archive's sha256 and the selection. The archive's hash is remembered by
 * path, size, mtime and inode (file-hash.ts, in `corpus/archive-hashes.json`), so a warm run only
 * stats the archive. An entry carries the sha256 of its own body: a damaged one is reported in one
 * line and rebuilt, never trusted; a cache folder that cannot be written is not reported. Entries
 * are staged and written by `saveCorpusCache` once the command has succeeded, so a failed run
 * leaves the cache directory as it was.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { mkdirs, writeFileAtomic } from "../atomic.js";
import { type HashMemo, memoHash, openHashMemo, saveHashMemo } from "../file-hash.js";
import type { Corpus, CorpusSelection, Doc } from "../types.js";

/**
 * Bumped whenever parsing or cleaning (clean.ts, corpus.ts, tarball.ts) would give other text or
 * order for the same archive: entries of another revision are misses.
 */
export const CLEANING_REVISION = 1;

const FORMAT = "newsgroup-cluster cleaned corpus";
const MEMO = "archive-hashes.json";
const SPLITS = new Set<string>(["train", "test"]);

/** The first line of an entry. */
interface Header {
  format: string;
  revision: number;
  archive: string;
  selection: CorpusSelection;
  groups: string[];
  posts: number;
  /** sha256 (hex) of everything after the first line. */
  sha256: string;
}

/** The cache's answer for one archive and selection. */
export interface CorpusCacheEntry {
  /** The cached corpus, when a sound entry exists. */
  corpus: Corpus | undefined;
  /** Stages `corpus` (freshly read) to be written by `saveCorpusCache`. */
  stage(corpus: Corpus): void;
}

/** Writes staged by `stage`, done by `saveCorpusCache`. */
const staged: (() => Promise<void>)[] = [];

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The entry's file name: the archive's hash, the selection and the cleaning revision. */
function entryName(archive: string, selection: CorpusSelection): string {
  const { categories, subset, remove } = selection;
  const key = JSON.stringify([CLEANING_REVISION, archive, categories, subset, remove]);
  return `${sha256(key).slice(0, 32)}.jsonl`;
}

/** The entry's text: a header line, then one `[split, group, id, text]` line per post. */
export function encodeCorpusEntry(
  corpus: Corpus,
  archive: string,
  selection: CorpusSelection,
): string {
  const body = corpus.docs.map((d) => `${JSON.stringify([d.split, d.group, d.id, d.text])}\n`);
  const text = body.join("");
  const header: Header = {
    format: FORMAT,
    revision: CLEANING_REVISION,
    archive,
    selection: {
      categories: selection.categories,
      subset: selection.subset,
      remove: selection.remove,
    },
    groups: corpus.groups,
    posts: corpus.docs.length,
    sha256: sha256(text),
  };
  return `${JSON.stringify(header)}\n${text}`;
}

/**
 * Parses an entry written by `encodeCorpusEntry` for this archive and selection.
 * @returns the corpus, or why the entry cannot be trusted.
 */
export function decodeCorpusEntry(
  text: string,
  archive: string,
  selection: CorpusSelection,
): Corpus | string {
  const nl = text.indexOf("\n");
  if (nl < 0) return "no header line";
  let header: Header;
  try {
    header = JSON.parse(text.slice(0, nl)) as Header;
  } catch {
    return "unreadable header";
  }
  const body = text.slice(nl + 1);
  const wanted = {
    categories: selection.categories,
    subset: selection.subset,
    remove: selection.remove,
  };
  if (header?.format !== FORMAT || header.revision !== CLEANING_REVISION) return "unknown format";
  if (header.archive !== archive || JSON.stringify(header.selection) !== JSON.stringify(wanted)) {
    return "written for another archive or selection";
  }
  if (header.sha256 !== sha256(body)) return "checksum mismatch";
  const lines = body.split("\n");
  lines.pop(); // the body ends with a newline
  if (lines.length !== header.posts || !Array.isArray(header.groups)) return "wrong post count";
  const docs: Doc[] = [];
  for (const line of lines) {
    const v = JSON.parse(line) as unknown;
    if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => typeof x === "string")) {
      return "malformed post line";
    }
    const [split, group, id, docText] = v as string[];
    if (!SPLITS.has(split as string)) return "malformed post line";
    docs.push({
      split: split as Doc["split"],
      group: group as string,
      id: id as string,
      text: docText as string,
    });
  }
  return { groups: header.groups, docs };
}

/**
 * Looks up the cleaned corpus of the archive at `archivePath` for `selection`.
 * @param cacheDir the tool's cache directory; undefined = no cache (every lookup misses).
 * @param log one line for stderr (a damaged entry).
 * Never throws: a cache that cannot be read is a miss.
 */
export async function lookupCorpus(
  cacheDir: string | undefined,
  archivePath: string,
  selection: CorpusSelection,
  log: (line: string) => void,
): Promise<CorpusCacheEntry> {
  const miss: CorpusCacheEntry = { corpus: undefined, stage: () => {} };
  if (cacheDir === undefined) return miss;
  const dir = join(cacheDir, "corpus");
  let memo: HashMemo;
  let archive: string;
  try {
    const s = await stat(archivePath);
    // A pipe or a device is read once, by the reader: hashing it here would consume it.
    if (!s.isFile()) return miss;
    memo = await openHashMemo(join(dir, MEMO));
    archive = await memoHash(memo, archivePath, s);
  } catch {
    return miss;
  }
  const path = join(dir, entryName(archive, selection));
  // Failures are silent, like an unwritable hash memo: the next run reads the archive again, and
  // an unusable cache folder is already reported once by the embedding cache.
  const stageWrite = (write?: () => Promise<void>) => {
    staged.push(async () => {
      try {
        await mkdirs(dir);
        await write?.();
      } catch {
        return;
      }
      await saveHashMemo(memo);
    });
  };
  const stage = (corpus: Corpus) =>
    stageWrite(() => writeFileAtomic(path, encodeCorpusEntry(corpus, archive, selection)));
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return { corpus: undefined, stage };
  }
  let corpus: Corpus | string;
  try {
    corpus = decodeCorpusEntry(text, archive, selection);
  } catch {
    corpus = "malformed post line";
  }
  if (typeof corpus === "string") {
    log(`the cached corpus ${path} is damaged (${corpus}); reading the archive again`);
    return { corpus: undefined, stage };
  }
  // The archive was touched but holds the same bytes: remember its new stat.
  if (memo.changed) stageWrite();
  return { corpus, stage };
}

/** Writes the entries staged by this run (call once the command has succeeded). */
export async function saveCorpusCache(): Promise<void> {
  const all = staged.splice(0);
  for (const write of all) await write();
}
