/** Escaping and number formatting shared by the report's sections. Pure. */

/**
 * Escapes text for HTML element content and quoted attribute values. C0/C1 control characters
 * (other than tab and newline), which latin-1 posts contain and HTML forbids, become spaces.
 */
export function escapeHtml(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, " ")
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;")
      .replaceAll("'", "&#39;")
  );
}

/** A coordinate rounded to 0.1 SVG units, without "-0" or trailing ".0". */
export function num(x: number): string {
  const v = Math.round(x * 10) / 10;
  return String(v === 0 ? 0 : v);
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

export function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

export function thousands(x: number): string {
  return String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** At most `max` characters, cut at a word boundary where one is near, with an ellipsis. */
export function cut(s: string, max: number): string {
  const chars = Array.from(s); // code points: never split a surrogate pair
  if (chars.length <= max) return s;
  const head = chars.slice(0, max).join("");
  const space = head.lastIndexOf(" ");
  return `${space > max * 0.8 ? head.slice(0, space) : head}…`;
}
