/**
 * The posts' term ids (text/term-ids.ts) kept between runs: `<cacheDir>/terms/<sha256>.bin`,
 * keyed by the revision of the tokenisation and the exact texts, so that a re-run labels its
 * clusters without tokenising the posts again. Derived data: an entry that is missing, damaged
 * or unwritable costs only the tokenising, silently (an unusable cache folder is reported once
 * by the embedding cache).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { mkdirs, writeFileAtomic } from "./atomic.js";
import { interrupter } from "./interrupt.js";
import {
  decodeTermIds,
  encodeTermIds,
  TERM_IDS_REVISION,
  type TermIds,
  termIdsInterruptibly,
} from "./text/term-ids.js";

/** The entry's file name: sha256 over the revision and each text, length-prefixed. */
export function termIdsKey(texts: readonly string[]): string {
  const h = createHash("sha256").update(`term-ids ${TERM_IDS_REVISION}\n`);
  for (const t of texts) h.update(`${t.length}:`).update(t);
  return h.digest("hex");
}

/**
 * The term ids of `texts`: from `<cacheDir>/terms/` when an entry for exactly these texts is
 * there and sound, else tokenised now and stored. Never throws for the cache's sake.
 * @param cacheDir undefined: no cache (tokenise).
 * @throws the signal's reason once it is aborted (while tokenising).
 */
export async function cachedTermIds(
  cacheDir: string | undefined,
  texts: readonly string[],
  signal?: AbortSignal,
): Promise<TermIds> {
  const tokenise = () => termIdsInterruptibly(texts, interrupter(signal));
  if (cacheDir === undefined) return tokenise();
  const dir = join(cacheDir, "terms");
  const path = join(dir, `${termIdsKey(texts)}.bin`);
  try {
    const found = decodeTermIds(await readFile(path), texts.length);
    if (typeof found !== "string") return found;
  } catch {
    // missing or unreadable: tokenise below
  }
  const fresh = await tokenise();
  try {
    await mkdirs(dir);
    await writeFileAtomic(path, encodeTermIds(fresh));
  } catch {
    // not kept: the next run tokenises again
  }
  return fresh;
}
