/**
 * The vocabulary counter shared by the TF-IDF vectorizer and the cluster labels: terms get ids
 * in order of first appearance, each document's distinct terms are stored with their counts,
 * and each term's document frequency is kept. Pure.
 */
import { analyze, compareCodePoints } from "./analyze.js";

/**
 * Counts terms document by document (`add`), so that a caller can report progress and yield
 * between documents. Document i's entries are `entryTerm/entryCount[rowStart(i)..rowEnd[i])`,
 * in order of first appearance within the document.
 */
export class TermCounter {
  /** Term of each id. */
  readonly terms: string[] = [];
  /** Documents containing each term, by id. */
  readonly df: number[] = [];
  /** Term id of each stored (document, term) entry. */
  readonly entryTerm: number[] = [];
  /** Occurrences of the entry's term in its document. */
  readonly entryCount: number[] = [];
  /** End offset of each document's entries (its start is the previous document's end). */
  readonly rowEnd: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly lastDoc: number[] = [];
  private readonly scratch: number[] = [];

  /** @param stopWords tokens to drop (see `analyze`). */
  constructor(private readonly stopWords: ReadonlySet<string>) {}

  /** Documents added so far. */
  get documents(): number {
    return this.rowEnd.length;
  }

  /** Tokenises one document and counts its terms. */
  add(text: string): void {
    const doc = this.rowEnd.length;
    const first = this.entryTerm.length;
    for (const token of analyze(text, this.stopWords)) {
      let id = this.ids.get(token);
      if (id === undefined) {
        id = this.terms.length;
        this.ids.set(token, id);
        this.terms.push(token);
        this.df.push(0);
        this.lastDoc.push(-1);
        this.scratch.push(0);
      }
      if (this.lastDoc[id] !== doc) {
        this.lastDoc[id] = doc;
        this.scratch[id] = 1;
        this.entryTerm.push(id);
      } else {
        this.scratch[id] = (this.scratch[id] as number) + 1;
      }
    }
    for (let e = first; e < this.entryTerm.length; e++) {
      const id = this.entryTerm[e] as number;
      this.entryCount.push(this.scratch[id] as number);
      this.df[id] = (this.df[id] as number) + 1;
    }
    this.rowEnd.push(this.entryTerm.length);
  }

  /** Offset of document i's first entry. */
  rowStart(i: number): number {
    return i === 0 ? 0 : (this.rowEnd[i - 1] as number);
  }
}

/**
 * Columns for the terms `kept` (ids into `terms`), ordered by code point as scikit-learn sorts
 * its vocabulary. `kept` is sorted in place.
 * @returns `vocabulary[j]` = the term of column j; `column[id]` = the column of term id, or -1.
 */
export function sortedVocabulary(
  terms: readonly string[],
  kept: number[],
): { vocabulary: string[]; column: Int32Array } {
  kept.sort((a, b) => compareCodePoints(terms[a] as string, terms[b] as string));
  const column = new Int32Array(terms.length).fill(-1);
  const vocabulary = kept.map((id, j) => {
    column[id] = j;
    return terms[id] as string;
  });
  return { vocabulary, column };
}
