/**
 * A model's content fingerprint: the sha256 of its files (weights actually loaded, config,
 * tokenizer), so that the embedding cache never serves vectors of other weights that happen to
 * sit under the same name. Hashing 90 MB of weights costs about 0.3 s, so each file's hash is
 * remembered in `<cacheDir>/model-hashes.json` by path, size, mtime and inode (written only after
 * the cache itself, see `saveFingerprintMemos`); a warm run only stats the files.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../atomic.js";

/** One remembered file hash. */
interface MemoEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

const MEMO = "model-hashes.json";
const HEX64 = /^[0-9a-f]{64}$/;

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function readMemo(path: string): Promise<Record<string, MemoEntry>> {
  try {
    const v = JSON.parse(await readFile(path, "utf8")) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return {};
    const out: Record<string, MemoEntry> = {};
    for (const [k, e] of Object.entries(v as Record<string, Partial<MemoEntry>>)) {
      if (
        typeof e?.size === "number" &&
        typeof e.mtimeMs === "number" &&
        typeof e.ino === "number" &&
        typeof e.sha256 === "string" &&
        HEX64.test(e.sha256)
      ) {
        out[k] = e as MemoEntry;
      }
    }
    return out;
  } catch {
    return {};
  }
}

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
  const memo = memoPath === undefined ? {} : await readMemo(memoPath);
  let changed = false;
  const total = createHash("sha256");
  for (const name of [...required, ...optional]) {
    const path = join(root, name);
    let s: Awaited<ReturnType<typeof stat>>;
    try {
      s = await stat(path);
    } catch {
      if (required.includes(name)) return undefined;
      continue;
    }
    const known = memo[path];
    let sha: string;
    if (known && known.size === s.size && known.mtimeMs === s.mtimeMs && known.ino === s.ino) {
      sha = known.sha256;
    } else {
      try {
        sha = await hashFile(path);
      } catch {
        if (required.includes(name)) return undefined;
        continue;
      }
      memo[path] = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, sha256: sha };
      changed = true;
    }
    total.update(`${name}\0${sha}\n`);
  }
  if (changed && memoPath !== undefined) pending.set(memoPath, memo);
  return total.digest("hex");
}

/** Memos with new hashes, written by `saveFingerprintMemos`. */
const pending = new Map<string, Record<string, MemoEntry>>();

/**
 * Writes the remembered hashes learnt since the last call. Called once the cache has been
 * written, so that a run that fails (bad model, bad corpus) leaves the cache directory as it was.
 * An unwritable memo is ignored: the next run hashes again.
 */
export async function saveFingerprintMemos(): Promise<void> {
  const all = [...pending];
  pending.clear();
  for (const [path, memo] of all) {
    await writeFileAtomic(path, `${JSON.stringify(memo)}\n`).catch(() => {});
  }
}
