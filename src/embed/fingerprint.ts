/**
 * A model's content fingerprint: the sha256 of its files (weights actually loaded, config,
 * tokenizer), so that the embedding cache never serves vectors of other weights that happen to
 * sit under the same name. Hashing 90 MB of weights costs about 0.3 s, so each file's hash is
 * remembered in `<cacheDir>/model-hashes.json` by path, size, mtime and inode (written only after
 * the cache itself, see `saveFingerprintMemos`); a warm run only stats the files.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { type HashMemo, memoHash, openHashMemo, saveHashMemo } from "../file-hash.js";

const MEMO = "model-hashes.json";

/**
 * The fingerprint of a set of files: sha256 over each file's name (relative to `root`) and
 * content hash, in the given order. Files that do not exist are left out only when `optional`
 * lists them; a missing required file makes the whole fingerprint `undefined` (e.g. a Hub model
 * not downloaded yet).
 * @param memoDir where `model-hashes.json` lives; undefined = hash every time. An unwritable memo
 * is ignored.
 */
export async function fingerprintFiles(
  root: string,
  required: readonly string[],
  optional: readonly string[],
  memoDir: string | undefined,
): Promise<string | undefined> {
  const memoPath = memoDir === undefined ? undefined : join(memoDir, MEMO);
  const memo = pending.get(memoPath ?? "") ?? (await openHashMemo(memoPath));
  const total = createHash("sha256");
  for (const name of [...required, ...optional]) {
    const path = join(root, name);
    let sha: string;
    try {
      sha = await memoHash(memo, path, await stat(path));
    } catch {
      if (required.includes(name)) return undefined;
      continue;
    }
    total.update(`${name}\0${sha}\n`);
  }
  if (memo.changed && memoPath !== undefined) pending.set(memoPath, memo);
  return total.digest("hex");
}

/** Memos with new hashes, written by `saveFingerprintMemos`. */
const pending = new Map<string, HashMemo>();

/**
 * Writes the remembered hashes learnt since the last call. Called once the cache has been
 * written, so that a run that fails (bad model, bad corpus) leaves the cache directory as it was.
 * An unwritable memo is ignored: the next run hashes again.
 */
export async function saveFingerprintMemos(): Promise<void> {
  const all = [...pending];
  pending.clear();
  for (const [, memo] of all) await saveHashMemo(memo);
}
