/**
 * The embedding cache's on-disk store (layout in cache.ts): reading and verifying it, writing it,
 * and merging rows into it. No policy here: `CachedEmbedder` decides what to do with a damaged or
 * unreadable store.
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { open, readFile, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { mkdirs, registerTemp, writeFileAtomic } from "../atomic.js";
import type { Embeddings } from "../types.js";
import { decodeNpy, encodeNpy } from "./npy.js";

/**
 * What cached vectors depend on. `dtype` should be the resolved one (not `auto`); when the model
 * turns out to run as another dtype, its vectors are stored under that dtype instead.
 */
export interface EmbeddingCacheKey {
  model: string;
  dtype: string;
  maxLength: number;
  /** sha256 over the model's files (weights loaded, config, tokenizer); see fingerprint.ts. */
  fingerprint?: string | undefined;
}

/** The `index.json` of a store (see the module comment). */
export interface EmbeddingCacheIndex {
  version: 1;
  model: string;
  dtype: string;
  maxLength: number;
  fingerprint?: string;
  dims: number;
  rows: number;
  npySha256: string;
  hashes: string[];
}

export const INDEX = "index.json";
export const VECTORS = "vectors.npy";
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_NAME = 100;

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function safeName(s: string): string {
  let name = s.replace(/[\\/]/g, "--").replace(/[^A-Za-z0-9._-]/g, "_");
  if (name.startsWith(".")) name = `_${name}`;
  // Long names would break file-name limits; the hash keeps them distinct.
  if (name.length > MAX_NAME) name = `${name.slice(0, MAX_NAME - 17)}-${sha256(s).slice(0, 16)}`;
  return name;
}

/**
 * The store folder of one cache key: `<cacheDir>/embeddings/<model>__<dtype>__<maxLength>`, plus
 * `__<first 16 hex of the fingerprint>` when there is one, so that other weights under the same
 * name get a store of their own.
 */
export function embeddingCacheDir(
  cacheDir: string,
  model: string,
  dtype: string,
  maxLength: number,
  fingerprint?: string,
): string {
  const fp = fingerprint ? `__${fingerprint.slice(0, 16)}` : "";
  return join(
    cacheDir,
    "embeddings",
    `${safeName(model)}__${safeName(dtype)}__${safeName(String(maxLength))}${fp}`,
  );
}

/**
 * Whether the cache holds a store of this model, dtype and length, whatever the fingerprint:
 * a run over it most likely needs no model (read before anything is hashed or loaded).
 */
export function storesExist(
  cacheDir: string,
  model: string,
  dtype: string,
  maxLength: number,
): boolean {
  const name = basename(embeddingCacheDir(cacheDir, model, dtype, maxLength));
  try {
    return readdirSync(join(cacheDir, "embeddings")).some(
      (n) => n === name || n.startsWith(`${name}__`),
    );
  } catch {
    return false;
  }
}

/** A loaded store: row `rowOf.get(hash)` of `data` (`dims` values a row). */
export interface Store {
  dims: number;
  hashes: string[];
  rowOf: Map<string, number>;
  data: Float32Array;
}

export const emptyStore = (): Store => ({
  dims: 0,
  hashes: [],
  rowOf: new Map(),
  data: new Float32Array(0),
});

/** The store's content cannot be trusted. */
export class Damaged extends Error {}
/** The store cannot be read at all (permissions, I/O). */
export class Unreadable extends Error {}

export const errText = (err: unknown): string =>
  (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads and verifies a store; a store that does not exist yet is empty.
 * @throws Damaged, Unreadable
 */
export async function readStore(dir: string, key: EmbeddingCacheKey): Promise<Store> {
  let indexText: string;
  try {
    indexText = await readFile(join(dir, INDEX), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw new Unreadable(errText(err));
    if (await exists(join(dir, VECTORS))) throw new Damaged(`${INDEX} is missing`);
    return emptyStore();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(indexText);
  } catch {
    throw new Damaged(`${INDEX} is not valid JSON`);
  }
  const index = checkIndex(parsed, key);
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, VECTORS));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new Damaged(`${VECTORS} is missing`);
    throw new Unreadable(errText(err));
  }
  if (sha256(bytes) !== index.npySha256) {
    throw new Damaged(`${VECTORS} does not match the checksum in ${INDEX}`);
  }
  let e: Embeddings;
  try {
    e = decodeNpy(bytes);
  } catch (err) {
    throw new Damaged(`${VECTORS}: ${errText(err)}`);
  }
  if (e.rows !== index.rows || e.dims !== index.dims) {
    throw new Damaged(
      `${VECTORS} is (${e.rows}, ${e.dims}) but ${INDEX} says (${index.rows}, ${index.dims})`,
    );
  }
  const rowOf = new Map<string, number>();
  index.hashes.forEach((h, i) => {
    rowOf.set(h, i);
  });
  if (rowOf.size !== index.rows) throw new Damaged(`${INDEX} lists a text twice`);
  return { dims: e.dims, hashes: index.hashes, rowOf, data: e.data };
}

export function checkIndex(v: unknown, key: EmbeddingCacheKey): EmbeddingCacheIndex {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new Damaged(`${INDEX} is not an object`);
  }
  const o = v as Record<string, unknown>;
  const count = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (o.version !== 1) throw new Damaged(`${INDEX} has version ${String(o.version)}, not 1`);
  if (
    o.model !== key.model ||
    o.dtype !== key.dtype ||
    o.maxLength !== key.maxLength ||
    (o.fingerprint ?? "") !== (key.fingerprint ?? "")
  ) {
    throw new Damaged(`${INDEX} belongs to another model, dtype or max length`);
  }
  if (!count(o.rows) || !count(o.dims)) throw new Damaged(`${INDEX} has a bad rows or dims`);
  if (typeof o.npySha256 !== "string" || !HEX64.test(o.npySha256)) {
    throw new Damaged(`${INDEX} has a bad npySha256`);
  }
  const hashes = o.hashes;
  if (
    !Array.isArray(hashes) ||
    hashes.length !== o.rows ||
    !hashes.every((h) => typeof h === "string" && HEX64.test(h))
  ) {
    throw new Damaged(`${INDEX} has a bad hashes list`);
  }
  return o as unknown as EmbeddingCacheIndex;
}

/** Writes vectors, then the index naming their checksum. @throws the file system's error. */
export async function writeStore(dir: string, key: EmbeddingCacheKey, store: Store): Promise<void> {
  await mkdirs(dir);
  const rows = store.hashes.length;
  const npy = encodeNpy({ rows, dims: store.dims, data: store.data });
  await writeFileAtomic(join(dir, VECTORS), npy);
  const index: EmbeddingCacheIndex = {
    version: 1,
    model: key.model,
    dtype: key.dtype,
    maxLength: key.maxLength,
    ...(key.fingerprint ? { fingerprint: key.fingerprint } : {}),
    dims: store.dims,
    rows,
    npySha256: sha256(npy),
    hashes: store.hashes,
  };
  await writeFileAtomic(join(dir, INDEX), `${JSON.stringify(index)}\n`);
}

export const sameKey = (a: EmbeddingCacheKey | undefined, b: EmbeddingCacheKey | undefined) =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a.model === b.model &&
    a.dtype === b.dtype &&
    a.maxLength === b.maxLength &&
    a.fingerprint === b.fingerprint);

/** The store with `fresh`'s rows (one per hash in `newHashes`) appended. */
export function merge(store: Store, newHashes: string[], fresh: Embeddings): Store {
  const dims = fresh.dims;
  const oldRows = store.hashes.length;
  const data = new Float32Array((oldRows + newHashes.length) * dims);
  data.set(store.data.subarray(0, oldRows * dims));
  data.set(fresh.data.subarray(0, newHashes.length * dims), oldRows * dims);
  const rowOf = new Map(store.rowOf);
  newHashes.forEach((h, i) => {
    rowOf.set(h, oldRows + i);
  });
  return { dims, hashes: [...store.hashes, ...newHashes], rowOf, data };
}

/** `a` with the rows of `b` whose hashes it lacks (same width only). */
export function union(a: Store, b: Store): Store {
  if (b.hashes.length === 0 || (a.hashes.length > 0 && a.dims !== b.dims)) return a;
  const extra = b.hashes.filter((h) => !a.rowOf.has(h));
  if (extra.length === 0) return a;
  const dims = b.dims;
  const data = new Float32Array(extra.length * dims);
  extra.forEach((h, i) => {
    const r = b.rowOf.get(h) as number;
    data.set(b.data.subarray(r * dims, (r + 1) * dims), i * dims);
  });
  return merge(a, extra, { rows: extra.length, dims, data });
}

const LOCK = "lock";
/** A lock older than this was left by a run that died holding it. */
const STALE_LOCK_MS = 60_000;

/**
 * Runs `f` while holding `<dir>/lock` (created exclusively), so that concurrent runs read, merge
 * and write the store one at a time and none loses another's rows. The lock is registered as a
 * temp file: Ctrl-C removes it.
 * @returns f's result, or undefined when the lock stayed taken for `waitMs`.
 * @throws the file system's error (other than the lock being taken), or f's.
 */
export async function withStoreLock<T>(
  dir: string,
  f: () => Promise<T>,
  waitMs = 10_000,
): Promise<T | undefined> {
  await mkdirs(dir);
  const lock = join(dir, LOCK);
  const t0 = Date.now();
  for (;;) {
    try {
      await (await open(lock, "wx")).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      else if (Date.now() - t0 > waitMs) return undefined;
      else await new Promise((r) => setTimeout(r, 25));
    }
  }
  const unregister = registerTemp(lock);
  try {
    return await f();
  } finally {
    await rm(lock, { force: true }).catch(() => {});
    unregister();
  }
}
