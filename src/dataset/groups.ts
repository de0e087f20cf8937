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

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The closest newsgroup names to a mistyped one (substring matches first). */
export function suggestGroups(name: string): string[] {
  const lower = name.toLowerCase();
  const sub = ALL_GROUPS.filter((g) => g.includes(lower));
  if (sub.length > 0 && lower.length >= 3) return sub.slice(0, 3);
  const scored = ALL_GROUPS.map((g) => ({ g, d: editDistance(lower, g) })).sort(
    (x, y) => x.d - y.d,
  );
  const best = scored[0]?.d ?? 0;
  return scored
    .filter((s) => s.d <= best + 1)
    .slice(0, 3)
    .map((s) => s.g);
}
