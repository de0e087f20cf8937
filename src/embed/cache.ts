/**
 * An on-disk cache of post embeddings, and `CachedEmbedder`, which wraps an `Embedder` so that
 * only posts not seen before reach the model.
 *
 * Layout, readable by other tools (e.g. `numpy.load` and `json.load`):
 *
 *     <cacheDir>/embeddings/<model>__<dtype>__<maxLength>/
 *       vectors.npy   float32 [rows, dims], C order, little-endian (NumPy .npy v1.0)
 *       index.json    { "version": 1, "model", "dtype", "maxLength", "dims", "rows",
 *                       "npySha256": sha256 (hex) of the whole vectors.npy file,
 *                       "hashes": [sha256 (hex) of the UTF-8 cleaned text of row i, ...] }
 *
 * `<model>` is the model id made safe for a file name (`/` becomes `--`); the index repeats the
 * exact key, so two ids that map to one folder never share vectors. The device is not part of the
 * key: CPU and CUDA runs of one model and dtype agree to about 1e-6. Both files are replaced
 * atomically (temp file + rename), vectors first; since the index names the checksum of its
 * vectors, a store caught between the two renames (or written by two runs at once) is seen as
 * damaged on the next load and rebuilt, never trusted.
 */
import { createHash } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { mkdirs, writeFileAtomic } from "../atomic.js";
import type { Embeddings } from "../types.js";
import type { Embedder, EmbedderInfo, EmbedProgress } from "./embedder.js";
import { JournalWriter, journalInUse, readJournals } from "./journal.js";
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

/** How to build a `CachedEmbedder`. */
export interface CachedEmbedderOptions {
  /** The cache key; the dtype the model is expected to run with. */
  info: EmbeddingCacheKey;
  /** Builds the real embedder; called at most once, and only when some text is not cached. */
  createInner: () => Promise<Embedder>;
  /**
   * The model's content fingerprint for a dtype, or undefined while its files are not all on disk
   * (a Hub model not downloaded yet). Without this option stores are keyed by name only.
   */
  fingerprint?: (dtype: string) => Promise<string | undefined>;
  /** The tool's cache directory; stores live under `<cacheDir>/embeddings/`. */
  cacheDir: string;
  /** One line for stderr (damaged or unwritable cache). */
  log: (line: string) => void;
}

const INDEX = "index.json";
const VECTORS = "vectors.npy";
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_NAME = 100;

function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function safeName(s: string): string {
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

/** A loaded store: row `rowOf.get(hash)` of `data` (`dims` values a row). */
interface Store {
  dims: number;
  hashes: string[];
  rowOf: Map<string, number>;
  data: Float32Array;
}

const emptyStore = (): Store => ({
  dims: 0,
  hashes: [],
  rowOf: new Map(),
  data: new Float32Array(0),
});

/** The store's content cannot be trusted. */
class Damaged extends Error {}
/** The store cannot be read at all (permissions, I/O). */
class Unreadable extends Error {}

const errText = (err: unknown): string =>
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
async function readStore(dir: string, key: EmbeddingCacheKey): Promise<Store> {
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

function checkIndex(v: unknown, key: EmbeddingCacheKey): EmbeddingCacheIndex {
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
async function writeStore(dir: string, key: EmbeddingCacheKey, store: Store): Promise<void> {
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

const sameKey = (a: EmbeddingCacheKey | undefined, b: EmbeddingCacheKey | undefined) =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a.model === b.model &&
    a.dtype === b.dtype &&
    a.maxLength === b.maxLength &&
    a.fingerprint === b.fingerprint);

/**
 * An `Embedder` that serves rows from the on-disk cache and sends only the other texts, in one
 * call, to the wrapped embedder, which it creates on first need. Each batch the wrapped embedder
 * finishes is appended to this run's journal (journal.ts) at once, so an interrupted run loses
 * nothing it finished. A damaged store is reported in one line and rebuilt; an unwritable cache is
 * reported in one line and skipped for the rest of this embedder's life. Neither fails the run.
 */
export class CachedEmbedder implements Embedder {
  private readonly key: EmbeddingCacheKey;
  private readonly createInner: () => Promise<Embedder>;
  private readonly fingerprint: ((dtype: string) => Promise<string | undefined>) | undefined;
  private readonly cacheDir: string;
  private readonly log: (line: string) => void;
  private inner: Embedder | undefined;
  private dims = 0;
  private writable = true;
  /** Journals folded into the last store loaded: deleted once that store is saved. */
  private journals: { path: string; pid: number }[] = [];

  constructor(opts: CachedEmbedderOptions) {
    this.key = { model: opts.info.model, dtype: opts.info.dtype, maxLength: opts.info.maxLength };
    this.createInner = opts.createInner;
    this.fingerprint = opts.fingerprint;
    this.cacheDir = opts.cacheDir;
    this.log = opts.log;
  }

  /** The wrapped embedder's info once it exists; before that (all rows cached) device `cache`. */
  get info(): EmbedderInfo {
    return this.inner?.info ?? { ...this.key, device: "cache", dims: this.dims };
  }

  async embed(
    texts: readonly string[],
    onProgress?: EmbedProgress,
    signal?: AbortSignal,
  ): Promise<Embeddings> {
    const total = texts.length;
    const hashes = texts.map((t) => sha256(t));
    let key = await this.currentKey();
    let store = await this.load(key);
    let missing = missingOf(hashes, store);
    if (missing.length > 0 && this.inner === undefined) {
      this.inner = await this.createInner();
      // What actually runs: e.g. a CUDA load failure fell back to the CPU and its default dtype,
      // or a Hub model's files were only now downloaded and can be fingerprinted.
      const actual = await this.currentKey();
      if (!sameKey(actual, key)) {
        key = actual;
        store = await this.load(key);
        missing = missingOf(hashes, store);
      }
    }
    signal?.throwIfAborted();

    if (missing.length > 0) {
      const inner = this.inner as Embedder;
      const journal = key !== undefined && this.writable ? this.journalOf(key) : undefined;
      try {
        let fresh = await embedMissing(inner, texts, hashes, missing, onProgress, signal, journal);
        if (store.hashes.length > 0 && fresh.dims !== store.dims) {
          this.log(
            `embedding cache at ${key ? this.dirOf(key) : this.cacheDir} holds ${store.dims}-dim vectors but the model gives ${fresh.dims}; rebuilding`,
          );
          store = emptyStore();
          missing = missingOf(hashes, store);
          fresh = await embedMissing(inner, texts, hashes, missing, onProgress, signal, journal);
        }
        store = merge(
          store,
          missing.map((i) => hashes[i] as string),
          fresh,
        );
        if (key !== undefined && (await this.save(key, store))) await journal?.remove();
      } finally {
        await journal?.close();
      }
    } else {
      onProgress?.(total, total);
    }
    if (store.hashes.length > 0) this.dims = store.dims;

    const dims = store.dims;
    const data = new Float32Array(total * dims);
    hashes.forEach((h, i) => {
      const r = store.rowOf.get(h) as number;
      data.set(store.data.subarray(r * dims, (r + 1) * dims), i * dims);
    });
    return { rows: total, dims, data };
  }

  /** Disposes the wrapped embedder, if it was created. */
  async dispose(): Promise<void> {
    const inner = this.inner;
    this.inner = undefined;
    await inner?.dispose();
  }

  /** The key of what runs now; undefined when the model cannot be fingerprinted (yet). */
  private async currentKey(): Promise<EmbeddingCacheKey | undefined> {
    const base = this.inner !== undefined ? keyOf(this.inner.info) : this.key;
    if (this.fingerprint === undefined) return base;
    const fingerprint = await this.fingerprint(base.dtype);
    return fingerprint === undefined ? undefined : { ...base, fingerprint };
  }

  private dirOf(key: EmbeddingCacheKey): string {
    return embeddingCacheDir(this.cacheDir, key.model, key.dtype, key.maxLength, key.fingerprint);
  }

  /** A journal for this run's batches, or undefined once the folder cannot be made. */
  private journalOf(key: EmbeddingCacheKey): Journal {
    const dir = this.dirOf(key);
    const writer = new JournalWriter(dir);
    let usable = true;
    return {
      append: async (newHashes, data, dims) => {
        if (!usable) return;
        try {
          await mkdirs(dir);
          await writer.append(newHashes, data, dims);
        } catch {
          // The store's save reports an unwritable cache; the journal just stops.
          usable = false;
        }
      },
      close: () => writer.close(),
      remove: () => writer.remove(),
    };
  }

  private async load(key: EmbeddingCacheKey | undefined): Promise<Store> {
    this.journals = [];
    if (key === undefined) return emptyStore();
    const dir = this.dirOf(key);
    let store: Store;
    try {
      store = await readStore(dir, key);
    } catch (err) {
      if (err instanceof Unreadable) {
        this.writable = false;
        this.log(
          `cannot read the embedding cache at ${dir} (${err.message}); continuing without it`,
        );
        return emptyStore();
      }
      if (!(err instanceof Damaged)) throw err;
      this.log(`embedding cache at ${dir} is damaged (${err.message}); rebuilding`);
      store = emptyStore();
    }
    const width = store.hashes.length > 0 ? store.dims : undefined;
    const j = await readJournals(dir, width, new Set(store.rowOf.keys()));
    this.journals = j.files;
    if (j.hashes.length === 0) return store;
    return merge(store, j.hashes, { rows: j.hashes.length, dims: j.dims, data: j.data });
  }

  /** Saves the store and deletes the journals it now holds; false when it could not. */
  private async save(key: EmbeddingCacheKey, store: Store): Promise<boolean> {
    if (!this.writable) return false;
    const dir = this.dirOf(key);
    try {
      await writeStore(dir, key, store);
    } catch (err) {
      this.writable = false;
      this.log(
        `cannot write the embedding cache at ${dir} (${errText(err)}); continuing without it`,
      );
      return false;
    }
    // A journal another run is still appending to stays: that run folds it in when it ends.
    for (const f of this.journals) {
      if (!journalInUse(f)) await rm(f.path, { force: true }).catch(() => {});
    }
    return true;
  }
}

/** Where `embedMissing` checkpoints finished batches. */
interface Journal {
  append(hashes: readonly string[], data: Float32Array, dims: number): Promise<void>;
  close(): Promise<void>;
  remove(): Promise<void>;
}

function keyOf(info: EmbedderInfo): EmbeddingCacheKey {
  return { model: info.model, dtype: info.dtype, maxLength: info.maxLength };
}

/** Indices of the first text of each hash absent from the store, in text order. */
function missingOf(hashes: readonly string[], store: Store): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  hashes.forEach((h, i) => {
    if (store.rowOf.has(h) || seen.has(h)) return;
    seen.add(h);
    out.push(i);
  });
  return out;
}

/**
 * Embeds the first text of each missing hash in one call. Progress counts texts: the cached ones
 * at once, then each embedded text with its repeats.
 */
async function embedMissing(
  inner: Embedder,
  texts: readonly string[],
  hashes: readonly string[],
  missing: readonly number[],
  onProgress: EmbedProgress | undefined,
  signal: AbortSignal | undefined,
  journal: Journal | undefined,
): Promise<Embeddings> {
  const total = texts.length;
  const repeats = new Map<string, number>();
  for (const h of hashes) repeats.set(h, (repeats.get(h) ?? 0) + 1);
  // doneAt[j]: texts covered once the first j missing texts are embedded.
  const weights = missing.map((i) => repeats.get(hashes[i] as string) as number);
  let done = total - weights.reduce((a, b) => a + b, 0);
  const doneAt = [done];
  for (const w of weights) {
    done += w;
    doneAt.push(done);
  }
  onProgress?.(doneAt[0] as number, total);
  const fresh = await inner.embed(
    missing.map((i) => texts[i] as string),
    onProgress && ((done) => onProgress(doneAt[Math.min(done, missing.length)] as number, total)),
    signal,
    journal &&
      ((rows, data, dims) =>
        journal.append(
          rows.map((r) => hashes[missing[r] as number] as string),
          data,
          dims,
        )),
  );
  if (fresh.rows !== missing.length || fresh.data.length !== fresh.rows * fresh.dims) {
    throw new Error(
      `embedder returned ${fresh.rows} rows of ${fresh.dims} for ${missing.length} texts`,
    );
  }
  return fresh;
}

/** The store with `fresh`'s rows (one per hash in `newHashes`) appended. */
function merge(store: Store, newHashes: string[], fresh: Embeddings): Store {
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
