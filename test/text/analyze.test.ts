/**
 * The analyzer against scikit-learn 1.2.1's `CountVectorizer().build_analyzer()`. Expected token
 * lists were printed by /usr/bin/python3 (CPython 3.11, Unicode 14) and pasted here as literals.
 */
import { describe, expect, it } from "vitest";
import { analyze, compareCodePoints } from "../../src/text/analyze.js";
import { ENGLISH_STOP_WORDS } from "../../src/text/stopwords.js";

// [input, CountVectorizer().build_analyzer()(input)]
const SKLEARN_CASES: [string, string[]][] = [
  ["Don't can't won't it's O'Reilly", ["don", "can", "won", "it", "reilly"]],
  ["snake_case __init__ _a_ _ a_ x_1", ["snake_case", "__init__", "_a_", "a_", "x_1"]],
  [
    "I a 1 22 333 x9 9x 3.14 1,000,000 10-20",
    ["22", "333", "x9", "9x", "14", "000", "000", "10", "20"],
  ],
  [
    "Café naïve ÉCOLE Ærø São Paulo Straße",
    ["café", "naïve", "école", "ærø", "são", "paulo", "straße"],
  ],
  ["µm ½ x² ³ªº ¹st ×÷ a×b", ["µm", "x²", "³ªº", "¹st"]],
  [
    "e-mail user@host.com http://www.nasa.gov/a_b?x=1",
    ["mail", "user", "host", "com", "http", "www", "nasa", "gov", "a_b"],
  ],
  ["A B C ab AB Ab", ["ab", "ab", "ab"]],
  [
    "tabs\tand\nnewlines\r\nmixed—dashes…ellipsis",
    ["tabs", "and", "newlines", "mixed", "dashes", "ellipsis"],
  ],
  ["ÀÖØöøÿ ÞÐþð", ["àöøöøÿ", "þðþð"]],
  // Combining marks are not word characters in Python (strip_accents=None keeps them).
  ["cafe\u0301 re\u0301sume\u0301", ["cafe", "re", "sume"]],
  // İ lowercases to i + U+0307; final sigma becomes ς.
  [
    "\u0130stanbul \u039f\u0394\u039f\u03a3 \u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2",
    ["stanbul", "\u03bf\u03b4\u03bf\u03c2", "\u03c3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2"],
  ],
  [
    "\u65e5\u672c\u8a9e \u30c6\u30ad\u30b9\u30c8",
    ["\u65e5\u672c\u8a9e", "\u30c6\u30ad\u30b9\u30c8"],
  ],
  ["\u0663\u0664 \u2460\u2461 \u216b\u2163", ["\u0663\u0664", "\u2460\u2461", "\u217b\u2173"]],
  ["\u{1f642}smile\u{1f642} x\u{1f642}y", ["smile"]],
  ["", []],
  ["a b c ! ?", []],
];

/** Latin-1 characters that Python's `(?u)\w` matches (printed by /usr/bin/python3). */
const LATIN1_WORD_CHARS =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz" +
  "\xaa\xb2\xb3\xb5\xb9\xba\xbc\xbd\xbe" +
  "\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf" +
  "\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf" +
  "\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef" +
  "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff";

describe("analyze", () => {
  it.each(SKLEARN_CASES)("tokenises %j as scikit-learn does", (input, expected) => {
    expect(analyze(input)).toEqual(expected);
  });

  it("treats exactly Python's latin-1 word characters as word characters", () => {
    const word = new Set(LATIN1_WORD_CHARS);
    for (let cp = 0; cp < 256; cp++) {
      const c = String.fromCharCode(cp);
      // Two of a character form a token iff it is a word character; one never does.
      expect(analyze(`${c}${c}`), `U+${cp.toString(16)}`).toEqual(
        word.has(c) ? [`${c}${c}`.toLowerCase()] : [],
      );
      expect(analyze(` ${c} `)).toEqual([]);
    }
  });

  it("drops stop words after lowercasing, like stop_words='english'", () => {
    // CountVectorizer(stop_words="english").build_analyzer()(...) in scikit-learn 1.2.1.
    expect(
      analyze(
        "The system is not THE same as themselves; nasa shuttle launch and the moon",
        ENGLISH_STOP_WORDS,
      ),
    ).toEqual(["nasa", "shuttle", "launch", "moon"]);
    expect(analyze("The the", new Set())).toEqual(["the", "the"]);
  });
});

describe("compareCodePoints", () => {
  it("orders like Python's str comparison, astral characters last", () => {
    const words = ["\u{1f642}", "\uff21", "b", "ab", "a", "é", "z", ""];
    expect([...words].sort(compareCodePoints)).toEqual([
      "",
      "a",
      "ab",
      "b",
      "z",
      "é",
      "\uff21",
      "\u{1f642}",
    ]);
    // Plain UTF-16 order would put the astral character before U+FF21.
    expect(["\u{1f642}", "\uff21"].sort()).toEqual(["\u{1f642}", "\uff21"]);
  });
});
