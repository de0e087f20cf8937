import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ENGLISH_STOP_WORDS, ENGLISH_STOP_WORDS_LIST } from "../../src/text/stopwords.js";

describe("ENGLISH_STOP_WORDS", () => {
  it("is scikit-learn's list", () => {
    expect(ENGLISH_STOP_WORDS_LIST).toHaveLength(318);
    expect(ENGLISH_STOP_WORDS.size).toBe(318);
    expect([...ENGLISH_STOP_WORDS_LIST].sort()).toEqual(ENGLISH_STOP_WORDS_LIST);
    for (const w of ["a", "the", "amoungst", "bill", "fire", "system", "yourselves", "cry"]) {
      expect(ENGLISH_STOP_WORDS.has(w), w).toBe(true);
    }
    for (const w of ["space", "god", "i'm", "don", "just", "like"]) {
      expect(ENGLISH_STOP_WORDS.has(w), w).toBe(false);
    }
    // sha256("\n".join(sorted(sklearn.feature_extraction.text.ENGLISH_STOP_WORDS))), 1.2.1.
    const digest = createHash("sha256").update(ENGLISH_STOP_WORDS_LIST.join("\n")).digest("hex");
    expect(digest).toBe("40e0a284c5b9a220efffd18d4d739fbd3270091d6ce2c75b6effe289d3be5487");
  });
});
