/**
 * scikit-learn's 20 Newsgroups cleaning (`sklearn/datasets/_twenty_newsgroups.py`), ported exactly.
 * Pure string functions: no I/O. A change to what they return must bump CLEANING_REVISION in
 * corpus-cache.ts, so that cached corpora of the old cleaning are not served.
 */
import type { RemovePart } from "../types.js";

/**
 * Every character for which Python's `str.isspace()` is true. Python's `str.strip()` with no
 * argument strips these; JavaScript's `trim()` uses a different set (it keeps \x1c-\x1f and \x85,
 * and strips \ufeff), so it must not be used here.
 */
const PY_WHITESPACE = new Set(
  "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
);

/** Python's `s.strip(chars)`; with `chars` undefined, strips Python whitespace. */
export function pyStrip(s: string, chars?: string): string {
  const drop =
    chars === undefined ? (c: string) => PY_WHITESPACE.has(c) : (c: string) => chars.includes(c);
  let start = 0;
  let end = s.length;
  while (start < end && drop(s.charAt(start))) start++;
  while (end > start && drop(s.charAt(end - 1))) end--;
  return s.slice(start, end);
}

/** `strip_newsgroup_header`: everything after the first blank line ("\n\n"), or "" if none. */
export function stripHeader(text: string): string {
  const at = text.indexOf("\n\n");
  return at === -1 ? "" : text.slice(at + 2);
}

/**
 * `_QUOTE_RE`, searched within each line. Without the multiline flag `^` anchors at the start
 * of the line, as in Python (each line is searched on its own).
 */
const QUOTE_RE = /(writes in|writes:|wrote:|says:|said:|^In article|^Quoted from|^\||^>)/;

/** `strip_newsgroup_quoting`: drops every line that looks like a quote or an attribution. */
export function stripQuoting(text: string): string {
  return text
    .split("\n")
    .filter((line) => !QUOTE_RE.test(line))
    .join("\n");
}

/**
 * `strip_newsgroup_footer`: cuts the text at the last line that is blank or only dashes,
 * if that line is not the first. Note the quirks kept from Python: the search runs on the
 * stripped text, but when no cut is made the original, unstripped text is returned.
 */
export function stripFooter(text: string): string {
  const lines = pyStrip(text).split("\n");
  let lineNum = lines.length - 1;
  for (; lineNum >= 0; lineNum--) {
    if (pyStrip(pyStrip(lines[lineNum] as string), "-") === "") break;
  }
  // Python's loop variable stays at 0 when no line matched; -1 here means the same.
  if (lineNum > 0) return lines.slice(0, lineNum).join("\n");
  return text;
}

/** Applies the requested removals in scikit-learn's order: headers, footers, quotes. */
export function cleanPost(text: string, remove: readonly RemovePart[]): string {
  let out = text;
  if (remove.includes("headers")) out = stripHeader(out);
  if (remove.includes("footers")) out = stripFooter(out);
  if (remove.includes("quotes")) out = stripQuoting(out);
  return out;
}

/** Decodes bytes as latin-1 (ISO-8859-1: byte n is code point n), as scikit-learn does. */
export function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
