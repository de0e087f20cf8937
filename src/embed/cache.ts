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
import { rm } from "node:fs/promises";
import { mkdirs } from "../atomic.js";
import type { Embeddings } from "../types.js";
import type { Embedder, EmbedderInfo, EmbedProgress } from "./embedder.js";
import { JournalWriter, journalInUse, readJournals } from "./journal.js";
import {
  Damaged,
  type EmbeddingCacheKey,
  embeddingCacheDir,
  emptyStore,
  errText,
  merge,
  readStore,
  type Store,
  sameKey,
  sha256,
  Unreadable,
  union,
  withStoreLock,
  writeStore,
} from "./store.js";

export {
  type EmbeddingCacheIndex,
  type EmbeddingCacheKey,
  embeddingCacheDir,
  storesExist,
} from "./store.js";

/** How to build a `CachedEmbedder`. */
export interface CachedEmbedderOptions {
  /** The cache key; the dtype the model is expected to run with. */
  info: EmbeddingCacheKey;
  /** Builds the real embedder; called at most once, and only when some text is not cached. */
  createInner: () => Promise<Embedder>;
  /**
   * Called once every text was found cached, and by `dispose` when `createInner` never was
   * (stops a model host started early).
   */
  release?: () => void;
  /**
   * The model's content fingerprint for a dtype, or undefined while its files are not all on disk
   * (a Hub model not downloaded yet). Without this option stores are keyed by name only.
   */
  fingerprint?: (dtype: string) => Promise<string | undefined>;
  /** Called after each successful save of a store (e.g. to persist the fingerprint memo). */
  onSaved?: () => Promise<void>;
  /** The tool's cache directory; stores live under `<cacheDir>/embeddings/`. */
  cacheDir: string;
  /** One line for stderr (damaged or unwritable cache). */
  log: (line: string) => void;
}

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
  private readonly release: (() => void) | undefined;
  private readonly fingerprint: ((dtype: string) => Promise<string | undefined>) | undefined;
  private readonly onSaved: (() => Promise<void>) | undefined;
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
    this.release = opts.release;
    this.fingerprint = opts.fingerprint;
    this.onSaved = opts.onSaved;
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
      if (this.inner === undefined) this.release?.();
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

  /** Disposes the wrapped embedder, if it was created (else calls `release`). */
  async dispose(): Promise<void> {
    const inner = this.inner;
    this.inner = undefined;
    if (inner === undefined) this.release?.();
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

  /**
   * Saves the store, with whatever other runs saved or checkpointed since this one loaded, under
   * the store's lock; then deletes the journals it now holds. False when it could not (the
   * journals then stay for the next run).
   */
  private async save(key: EmbeddingCacheKey, store: Store): Promise<boolean> {
    if (!this.writable) return false;
    const dir = this.dirOf(key);
    let folded: { path: string; pid: number }[] = [];
    try {
      const saved = await withStoreLock(dir, async () => {
        let all = store;
        try {
          all = union(all, await readStore(dir, key));
        } catch {
          // Damaged or unreadable: this run's rows replace it.
        }
        const j = await readJournals(dir, all.dims, new Set(all.rowOf.keys()));
        folded = j.files;
        if (j.hashes.length > 0 && j.dims === all.dims) {
          all = merge(all, j.hashes, { rows: j.hashes.length, dims: j.dims, data: j.data });
        }
        await writeStore(dir, key, all);
        return true;
      });
      if (saved === undefined) return false;
    } catch (err) {
      this.writable = false;
      this.log(
        `cannot write the embedding cache at ${dir} (${errText(err)}); continuing without it`,
      );
      return false;
    }
    await this.onSaved?.();
    // A journal another run is still appending to stays: that run folds it in when it ends.
    for (const f of [...this.journals, ...folded]) {
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
    onProgress &&
      ((done, _, pieces) =>
        onProgress(doneAt[Math.min(done, missing.length)] as number, total, pieces)),
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
