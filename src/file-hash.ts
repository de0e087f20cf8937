/**
 * File content hashes remembered between runs: the sha256 of a file is stored in a small JSON
 * memo by path, size, mtime and inode, so that a warm run only stats the file. Used for the
 * model's weights (embed/fingerprint.ts) and for the corpus archive (dataset/corpus-cache.ts).
 * A memo that is missing, damaged or unwritable only costs a re-hash.
 */
import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "./atomic.js";

/** One remembered file hash. */
interface MemoEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

/** A memo file's entries, loaded; `changed` once a new hash was learnt. */
export interface HashMemo {
  /** Where the memo lives; undefined = remember nothing. */
  readonly path: string | undefined;
  readonly entries: Record<string, MemoEntry>;
  changed: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The sha256 (hex) of a file's bytes, streamed. @throws the file system's error. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Loads the memo at `path`; a missing or damaged memo is empty. */
export async function openHashMemo(path: string | undefined): Promise<HashMemo> {
  const memo: HashMemo = { path, entries: {}, changed: false };
  if (path === undefined) return memo;
  try {
    const v = JSON.parse(await readFile(path, "utf8")) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return memo;
    for (const [k, e] of Object.entries(v as Record<string, Partial<MemoEntry>>)) {
      if (
        typeof e?.size === "number" &&
        typeof e.mtimeMs === "number" &&
        typeof e.ino === "number" &&
        typeof e.sha256 === "string" &&
        HEX64.test(e.sha256)
      ) {
        memo.entries[k] = e as MemoEntry;
      }
    }
  } catch {
    // Missing or unreadable: start empty.
  }
  return memo;
}

/**
 * The sha256 of the file at `path`, whose `stat` is `s`: the remembered one when size, mtime and
 * inode still match, else hashed now and remembered in `memo`.
 * @throws the file system's error when the file cannot be read.
 */
export async function memoHash(memo: HashMemo, path: string, s: Stats): Promise<string> {
  const known = memo.entries[path];
  if (known && known.size === s.size && known.mtimeMs === s.mtimeMs && known.ino === s.ino) {
    return known.sha256;
  }
  const sha256 = await hashFile(path);
  memo.entries[path] = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, sha256 };
  memo.changed = true;
  return sha256;
}

/** Writes the memo when it learnt something; an unwritable memo is ignored (re-hash next time). */
export async function saveHashMemo(memo: HashMemo): Promise<void> {
  if (!memo.changed || memo.path === undefined) return;
  memo.changed = false;
  await writeFileAtomic(memo.path, `${JSON.stringify(memo.entries)}\n`).catch(() => {});
}
