/**
 * Turns the archive's raw post files into the cleaned, ordered corpus.
 */
import { dataError } from "../errors.js";
import type { Corpus, CorpusSelection, Doc, Split } from "../types.js";
import { cleanPost, decodeLatin1 } from "./clean.js";
import { type RawPost, readTarball } from "./tarball.js";

const SPLIT_ORDER: Record<Doc["split"], number> = { train: 0, test: 1, "": 2 };

/**
 * Corpus order, used by every output: split (train before test), then newsgroup name, then post
 * id as a number (ids are numeric in the corpus; non-numeric ids sort after, by string).
 */
export function compareDocs(a: Pick<Doc, "split" | "group" | "id">, b: typeof a): number {
  if (a.split !== b.split) return SPLIT_ORDER[a.split] - SPLIT_ORDER[b.split];
  if (a.group !== b.group) return a.group < b.group ? -1 : 1;
  const na = Number(a.id);
  const nb = Number(b.id);
  const aNum = /^\d+$/.test(a.id);
  const bNum = /^\d+$/.test(b.id);
  if (aNum && bNum && na !== nb) return na - nb;
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Splits that a subset covers. */
export function subsetSplits(subset: CorpusSelection["subset"]): Split[] {
  return subset === "all" ? ["train", "test"] : [subset];
}

/** Decodes, cleans and orders raw posts. Pure. */
export function buildCorpus(raw: readonly RawPost[], selection: CorpusSelection): Corpus {
  const docs: Doc[] = raw.map((p) => ({
    split: p.split,
    group: p.group,
    id: p.id,
    text: cleanPost(decodeLatin1(p.bytes), selection.remove),
  }));
  docs.sort(compareDocs);
  return { groups: [...selection.categories].sort(), docs };
}

/**
 * Reads the selection from the bytes of a 20news-bydate tarball.
 * @throws CliError(data) when the archive is unreadable or lacks a selected group.
 */
export async function loadCorpus(
  source: Uint8Array,
  selection: CorpusSelection,
  label: string,
): Promise<Corpus> {
  const splits = new Set(subsetSplits(selection.subset));
  const groups = new Set(selection.categories);
  const { posts, groupsSeen } = await readTarball(
    source,
    (split, group) => splits.has(split) && groups.has(group),
    label,
  );
  const missing = selection.categories.filter((g) => !groupsSeen.has(g));
  if (missing.length > 0) {
    throw dataError(`${label} has no posts for newsgroup ${missing.join(", ")}: wrong archive?`);
  }
  for (const split of splits) {
    if (!posts.some((p) => p.split === split)) {
      throw dataError(`${label} has no ${split} posts for the selected newsgroups: wrong archive?`);
    }
  }
  return buildCorpus(posts, selection);
}
