import { describe, expect, it } from "vitest";
import { sortedVocabulary, TermCounter } from "../../src/text/vocabulary.js";

describe("TermCounter", () => {
  it("counts each document's distinct terms and each term's document frequency", () => {
    const c = new TermCounter(new Set(["the"]));
    c.add("The cat saw the CAT and a dog");
    c.add("");
    c.add("dog dog cat");
    expect(c.documents).toBe(3);
    expect(c.terms).toEqual(["cat", "saw", "and", "dog"]);
    expect(c.df).toEqual([2, 1, 1, 2]);
    const entries = (i: number) =>
      Array.from({ length: (c.rowEnd[i] as number) - c.rowStart(i) }, (_, e) => [
        c.terms[c.entryTerm[c.rowStart(i) + e] as number],
        c.entryCount[c.rowStart(i) + e],
      ]);
    expect(entries(0)).toEqual([
      ["cat", 2],
      ["saw", 1],
      ["and", 1],
      ["dog", 1],
    ]);
    expect(entries(1)).toEqual([]);
    expect(entries(2)).toEqual([
      ["dog", 2],
      ["cat", 1],
    ]);
  });
});

describe("sortedVocabulary", () => {
  it("orders kept terms by code point and maps dropped ones to -1", () => {
    const terms = ["zeta", "\u{1F600}x", "alpha", "\uFF21b", "mid"];
    const { vocabulary, column } = sortedVocabulary(terms, [0, 1, 2, 3]);
    expect(vocabulary).toEqual(["alpha", "zeta", "\uFF21b", "\u{1F600}x"]);
    expect([...column]).toEqual([1, 3, 0, 2, -1]);
  });
});
