/**
 * Posts as term ids: what the cluster labels (evaluate/terms.ts) count, kept apart so that a run
 * can take it from the cache (term-cache.ts) instead of tokenising the posts again (about 100 ms
 * of a one-second warm re-run of the default corpus). Pure; imports nothing outside this folder.
 */
import { analyze } from "./analyze.js";
import { ENGLISH_STOP_WORDS } from "./stopwords.js";

/**
 * Every post's tokens (scikit-learn's analyzer, English stop words dropped) as ids into `terms`:
 * post i's are `tokens[start[i]..start[i+1])`, in order.
 */
export interface TermIds {
  /** Term of each id, in order of first appearance. */
  terms: string[];
  tokens: Int32Array;
  /** posts + 1 offsets into `tokens`. */
  start: Int32Array;
}

/** Bumped whenever the analyzer, the stop words or the encoding change: old entries then miss. */
export const TERM_IDS_REVISION = 1;

/** Tokenises posts one at a time (`add`), so that a caller can yield between them. */
export class TermIdsBuilder {
  private readonly ids = new Map<string, number>();
  private readonly terms: string[] = [];
  private tokens = new Int32Array(1 << 16);
  private used = 0;
  private readonly start: Int32Array;
  private posts = 0;

  /** @param posts how many posts will be added. */
  constructor(posts: number) {
    this.start = new Int32Array(posts + 1);
  }

  /** Tokenises the next post. */
  add(text: string): void {
    const { ids, terms } = this;
    for (const token of analyze(text, ENGLISH_STOP_WORDS)) {
      let id = ids.get(token);
      if (id === undefined) {
        id = terms.length;
        ids.set(token, id);
        terms.push(token);
      }
      if (this.used === this.tokens.length) {
        const grown = new Int32Array(this.tokens.length * 2);
        grown.set(this.tokens);
        this.tokens = grown;
      }
      this.tokens[this.used++] = id;
    }
    this.posts++;
    this.start[this.posts] = this.used;
  }

  /** The term ids of the posts added (all that the constructor was told of). */
  finish(): TermIds {
    if (this.posts !== this.start.length - 1) {
      throw new RangeError(`${this.posts} posts added, ${this.start.length - 1} announced`);
    }
    return { terms: this.terms, tokens: this.tokens.slice(0, this.used), start: this.start };
  }
}

/** Tokenises the posts. */
export function termIds(texts: readonly string[]): TermIds {
  const b = new TermIdsBuilder(texts.length);
  for (const text of texts) b.add(text);
  return b.finish();
}

/**
 * `termIds`, awaiting `checkpoint` after each post: all 20 groups take about a second, which
 * Ctrl-C must not wait for (the caller's checkpoint throws once its signal is aborted).
 */
export async function termIdsInterruptibly(
  texts: readonly string[],
  checkpoint: () => Promise<void>,
): Promise<TermIds> {
  const b = new TermIdsBuilder(texts.length);
  for (const text of texts) {
    b.add(text);
    await checkpoint();
  }
  return b.finish();
}

const MAGIC = 0x4e474354; // "NGCT"

/** The platform stores int32 little-endian, as the file does: arrays then copy as bytes. */
const LITTLE_ENDIAN = new Uint8Array(Int32Array.of(1).buffer)[0] === 1;

/** `a` as little-endian bytes. */
function int32Bytes(a: Int32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setInt32(i * 4, a[i] as number, true);
  return out;
}

/** `count` little-endian int32 of `bytes` from byte `at`, copied into their own array. */
function int32sAt(bytes: Uint8Array, at: number, count: number): Int32Array {
  const from = bytes.byteOffset + at;
  if (LITTLE_ENDIAN) return new Int32Array(bytes.buffer.slice(from, from + count * 4));
  const view = new DataView(bytes.buffer, from, count * 4);
  return Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
}

/**
 * Bytes of `t`: a header of four little-endian uint32 (magic, revision, posts, tokens), then
 * `start` and `tokens` as int32, then the terms as a JSON array in UTF-8.
 */
export function encodeTermIds(t: TermIds): Uint8Array {
  const posts = t.start.length - 1;
  const terms = new TextEncoder().encode(JSON.stringify(t.terms));
  const ints = 4 + t.start.length + t.tokens.length;
  const out = new Uint8Array(ints * 4 + terms.length);
  const view = new DataView(out.buffer);
  [MAGIC, TERM_IDS_REVISION, posts, t.tokens.length].forEach((v, i) => {
    view.setUint32(i * 4, v, true);
  });
  out.set(int32Bytes(t.start), 16);
  out.set(int32Bytes(t.tokens), 16 + t.start.byteLength);
  out.set(terms, 16 + t.start.byteLength + t.tokens.byteLength);
  return out;
}

/**
 * Reads what `encodeTermIds` wrote, checked throughout (offsets ascending to the token count,
 * every id a term), for `posts` posts.
 * @returns the term ids, or a reason they cannot be used.
 */
export function decodeTermIds(bytes: Uint8Array, posts: number): TermIds | string {
  if (bytes.length < 16) return "truncated";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [magic, revision, n, count] = [0, 1, 2, 3].map((i) => view.getUint32(i * 4, true));
  if (magic !== MAGIC || revision !== TERM_IDS_REVISION)
    return "not a term-ids file of this revision";
  if (n !== posts) return `${n} posts, not ${posts}`;
  const ints = 4 + (n as number) + 1 + (count as number);
  if (bytes.length < ints * 4) return "truncated";
  const start = int32sAt(bytes, 16, n + 1);
  const tokens = int32sAt(bytes, 16 + (n + 1) * 4, count as number);
  const at = ints * 4;
  let terms: unknown;
  try {
    terms = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(at)));
  } catch {
    return "unreadable terms";
  }
  if (!Array.isArray(terms) || !terms.every((t) => typeof t === "string")) return "bad terms";
  if (start[0] !== 0 || start[n] !== tokens.length) return "bad offsets";
  for (let i = 0; i < n; i++)
    if ((start[i + 1] as number) < (start[i] as number)) return "bad offsets";
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i] as number;
    if (id < 0 || id >= terms.length) return "bad term id";
  }
  return { terms: terms as string[], tokens, start };
}
