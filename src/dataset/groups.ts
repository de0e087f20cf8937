/** The 20 newsgroups of the corpus, sorted by name (from `data/corpus.json`), and the default
 * four-group selection. */
import { CORPUS_MANIFEST } from "../data.js";

export const ALL_GROUPS: readonly string[] = CORPUS_MANIFEST.groups;

/** The reference notebook's selection. */
export const DEFAULT_GROUPS: readonly string[] = [
  "alt.atheism",
  "comp.graphics",
  "sci.space",
  "talk.religion.misc",
];
