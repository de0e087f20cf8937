/**
 * Issue 9, rows 6 and 7: the embedding cache is keyed on the model's content, and checkpointed
 * batch by batch so that an interrupted run keeps what it finished.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CachedEmbedder } from "../../src/embed/cache.js";
import type { Embedder, EmbedderInfo, EmbedProgress, EmbedRows } from "../../src/embed/embedder.js";
import { fingerprintFiles, saveFingerprintMemos } from "../../src/embed/fingerprint.js";
import type { Embeddings } from "../../src/types.js";

const DIMS = 3;
const KEY = { model: "m", dtype: "q8", maxLength: 256 };

function vectorOf(text: string): number[] {
  const h = createHash("sha256").update(text).digest();
  return Array.from({ length: DIMS }, (_, j) => Math.fround(((h[j] as number) - 127.5) / 128));
}

/** Embeds in batches of 2, reporting each batch; aborts (as Ctrl-C would) after `stopAfter` batches. */
class BatchFake implements Embedder {
  readonly info: EmbedderInfo = { ...KEY, device: "cpu", dims: DIMS };
  embedded = 0;
  constructor(private readonly stopAfter = Number.POSITIVE_INFINITY) {}
  async embed(
    texts: readonly string[],
    _p?: EmbedProgress,
    _s?: AbortSignal,
    onRows?: EmbedRows,
  ): Promise<Embeddings> {
    const data = new Float32Array(texts.length * DIMS);
    let batches = 0;
    for (let i = 0; i < texts.length; i += 2) {
      if (batches === this.stopAfter) throw new DOMException("aborted", "AbortError");
      const rows = [i, i + 1].filter((r) => r < texts.length);
      const part = new Float32Array(rows.length * DIMS);
      rows.forEach((r, b) => {
        part.set(vectorOf(texts[r] as string), b * DIMS);
        data.set(vectorOf(texts[r] as string), r * DIMS);
      });
      this.embedded += rows.length;
      batches++;
      await onRows?.(rows, part, DIMS);
    }
    return { rows: texts.length, dims: DIMS, data };
  }
  async dispose(): Promise<void> {}
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "ngc-trust-cache-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const TEXTS = Array.from({ length: 10 }, (_, i) => `post number ${i}`);

function cached(inner: BatchFake, fingerprint = "a".repeat(64), logs: string[] = []) {
  return new CachedEmbedder({
    info: KEY,
    cacheDir: root,
    log: (l) => logs.push(l),
    createInner: async () => inner,
    fingerprint: async () => fingerprint,
  });
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

describe("row 7: the cache is checkpointed while embedding", () => {
  it("an interrupted run keeps its finished batches; the next embeds only the rest", async () => {
    const first = new BatchFake(3);
    await expect(cached(first).embed(TEXTS)).rejects.toThrow("aborted");
    expect(first.embedded).toBe(6);
    const second = new BatchFake();
    const out = await cached(second).embed(TEXTS);
    expect(second.embedded).toBe(4);
    TEXTS.forEach((t, i) => {
      expect(Array.from(out.data.subarray(i * DIMS, (i + 1) * DIMS))).toEqual(vectorOf(t));
    });
    // Folded into the store: the journal is gone and a third run embeds nothing.
    expect((await files(root)).filter((f) => f.startsWith("journal."))).toEqual([]);
    const third = new BatchFake();
    await cached(third).embed(TEXTS);
    expect(third.embedded).toBe(0);
  });

  it("a journal cut short mid-record (kill -9 during a write) keeps its whole records", async () => {
    await expect(cached(new BatchFake(2)).embed(TEXTS)).rejects.toThrow("aborted");
    const dir = join(root, "embeddings");
    const store = join(dir, (await readdir(dir))[0] as string);
    const journal = join(store, (await readdir(store)).find((n) => n.startsWith("journal.")) ?? "");
    await truncate(journal, (await stat(journal)).size - 5);
    const next = new BatchFake();
    await cached(next).embed(TEXTS);
    expect(next.embedded).toBe(7);
  });

  it("two runs at once on one cache directory: right vectors, and the store keeps both runs' rows", async () => {
    const a = new BatchFake();
    const b = new BatchFake();
    const [x, y] = await Promise.all([cached(a).embed(TEXTS), cached(b).embed(TEXTS.slice(3))]);
    expect(Array.from(x.data)).toEqual(TEXTS.flatMap(vectorOf));
    expect(Array.from(y.data)).toEqual(TEXTS.slice(3).flatMap(vectorOf));
    const logs: string[] = [];
    const c = new BatchFake();
    const z = await cached(c, undefined, logs).embed(TEXTS);
    expect(Array.from(z.data)).toEqual(TEXTS.flatMap(vectorOf));
    // The store's lock makes each save read, merge and write in turn: neither run's rows are lost.
    expect(logs).toEqual([]);
    expect(c.embedded).toBe(0);
  });
});

describe("row 6: the cache is keyed on the model's content", () => {
  it("other weights under the same name are embedded again, not served from the cache", async () => {
    await cached(new BatchFake(), "a".repeat(64)).embed(TEXTS);
    const same = new BatchFake();
    await cached(same, "a".repeat(64)).embed(TEXTS);
    expect(same.embedded).toBe(0);
    const other = new BatchFake();
    const emb = cached(other, "b".repeat(64));
    await emb.embed(TEXTS);
    expect(other.embedded).toBe(TEXTS.length);
    expect(emb.info.device).toBe("cpu");
  });

  it("fingerprintFiles follows the bytes, and remembers hashes by size, mtime and inode", async () => {
    const model = join(root, "model");
    const memo = join(root, "cache");
    await rm(model, { recursive: true, force: true });
    await mkdir(join(model, "onnx"), { recursive: true });
    await mkdir(memo, { recursive: true });
    await writeFile(join(model, "config.json"), "{}");
    await writeFile(join(model, "w.onnx"), "weights one");
    const req = ["config.json", "w.onnx"];
    const one = await fingerprintFiles(model, req, ["tokenizer_config.json"], memo);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(join(model, "w.onnx"), "weights two");
    const two = await fingerprintFiles(model, req, ["tokenizer_config.json"], memo);
    expect(two).not.toBe(one);
    // Each file's hash is remembered by path, size, mtime and inode, for warm runs to skip.
    await saveFingerprintMemos();
    const remembered = JSON.parse(await readFile(join(memo, "model-hashes.json"), "utf8"));
    const w = remembered[join(model, "w.onnx")];
    expect(w.sha256).toBe(createHash("sha256").update("weights two").digest("hex"));
    expect(w.size).toBe(11);
    expect(await fingerprintFiles(model, req, ["tokenizer_config.json"], memo)).toBe(two);
    // ...and a missing required file means no fingerprint at all.
    expect(await fingerprintFiles(model, [...req, "tokenizer.json"], [], memo)).toBeUndefined();
  });
});
