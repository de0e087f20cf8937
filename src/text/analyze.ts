/**
 * scikit-learn's default word analyzer (`CountVectorizer(...).build_analyzer()` with
 * `lowercase=True`, `strip_accents=None`, `token_pattern=r"(?u)\b\w\w+\b"`, `ngram_range=(1, 1)`).
 * Pure; imports nothing outside this folder.
 */

/**
 * Python's `\w` on `str` patterns: letters (Lu Ll Lt Lm Lo), numbers (Nd Nl No) and `_`.
 * Checked against CPython 3.11 for every code point that its Unicode 14 database assigns.
 * `\b\w\w+\b` then matches exactly the maximal runs of such characters of length 2 or more:
 * the run can only start after a non-word character and `\w+` is greedy, so single word
 * characters between non-word characters are dropped and nothing shorter than a run is matched.
 */
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

/**
 * Splits a text into scikit-learn's tokens: lowercased (Python's `str.lower` and JavaScript's
 * `toLowerCase` agree on the full case mappings, final sigma included), then every run of two or
 * more word characters, in order of appearance, duplicates kept.
 *
 * @param stopWords lowercase words to drop after tokenising, as `stop_words=` does.
 * @returns the tokens.
 */
export function analyze(text: string, stopWords?: ReadonlySet<string>): string[] {
  const tokens = text.toLowerCase().match(TOKEN);
  if (tokens === null) return [];
  if (stopWords === undefined || stopWords.size === 0) return tokens;
  return tokens.filter((t) => !stopWords.has(t));
}

/**
 * Compares strings by Unicode code point, as Python sorts `str` (scikit-learn orders its
 * vocabulary this way). JavaScript's `<` compares UTF-16 code units, which differs only when
 * characters above U+FFFF meet characters in U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800..0xDFFF) stands for a code point above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
