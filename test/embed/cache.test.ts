/**
 * CachedEmbedder over a fake inner embedder whose vectors follow from the text, so that cached
 * and fresh rows can be checked exactly, and whose calls are counted.
 */
import { createHash } from "node:crypto";
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CachedEmbedder, embeddingCacheDir, storesExist } from "../../src/embed/cache.js";
import type { Embedder, EmbedderInfo, EmbedProgress } from "../../src/embed/embedder.js";
import { decodeNpy } from "../../src/embed/npy.js";
import type { Embeddings } from "../../src/types.js";

const DIMS = 4;
const MODEL = "Xenova/all-MiniLM-L6-v2";
const KEY = { model: MODEL, dtype: "q8", maxLength: 256 };

/** The fake's vector of a text: normalised, from the text's bytes. */
function vectorOf(text: string, dims = DIMS): number[] {
  const h = createHash("sha256").update(text).digest();
  const v = Array.from({ length: dims }, (_, j) => (h[j] as number) - 127.5);
  const n = Math.hypot(...v);
  return v.map((x) => Math.fround(x / n));
}

class FakeEmbedder implements Embedder {
  readonly info: EmbedderInfo;
  calls: string[][] = [];
  disposed = false;
  constructor(info: Partial<EmbedderInfo> = {}) {
    this.info = { ...KEY, device: "cpu", dims: DIMS, ...info };
  }
  get embedded(): number {
    return this.calls.reduce((n, c) => n + c.length, 0);
  }
  async embed(texts: readonly string[], onProgress?: EmbedProgress): Promise<Embeddings> {
    this.calls.push([...texts]);
    const dims = this.info.dims;
    const data = new Float32Array(texts.length * dims);
    onProgress?.(0, texts.length);
    texts.forEach((t, i) => {
      data.set(vectorOf(t, dims), i * dims);
      // Batches of two, as a real embedder reports them.
      if (i % 2 === 1 || i === texts.length - 1) onProgress?.(i + 1, texts.length);
    });
    return { rows: texts.length, dims, data };
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "embed-cache-test-"));
});
afterEach(async () => {
  await chmod(root, 0o700).catch(() => {});
  await rm(root, { recursive: true, force: true });
});

interface Run {
  out: Embeddings;
  fake: FakeEmbedder | undefined;
  created: number;
  logs: string[];
  cached: CachedEmbedder;
  progress: [number, number][];
}

/** One run with a fresh CachedEmbedder, as a fresh process would do. */
async function run(
  texts: string[],
  opts: { key?: typeof KEY; inner?: Partial<EmbedderInfo>; cacheDir?: string } = {},
): Promise<Run> {
  const logs: string[] = [];
  const progress: [number, number][] = [];
  let fake: FakeEmbedder | undefined;
  let created = 0;
  const cached = new CachedEmbedder({
    info: opts.key ?? KEY,
    cacheDir: opts.cacheDir ?? root,
    log: (l) => logs.push(l),
    createInner: async () => {
      created++;
      fake = new FakeEmbedder({ ...(opts.key ?? KEY), ...opts.inner });
      return fake;
    },
  });
  const out = await cached.embed(texts, (d, t) => progress.push([d, t]));
  return { out, fake, created, logs, cached, progress };
}

function expectVectors(out: Embeddings, texts: string[], dims = DIMS): void {
  expect(out.rows).toBe(texts.length);
  expect(out.dims).toBe(dims);
  expect(out.data.length).toBe(texts.length * dims);
  texts.forEach((t, i) => {
    expect(Array.from(out.data.subarray(i * dims, (i + 1) * dims))).toEqual(vectorOf(t, dims));
  });
}

/** Every file under a folder, relative; temp files would show up here. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const TEXTS = ["alpha post", "beta post", "gamma post", "delta post", "épsilon ☃"];
const storeDir = () => embeddingCacheDir(root, MODEL, "q8", 256);

describe("embeddingCacheDir", () => {
  it("names the store by a file-safe model, dtype and max length", () => {
    expect(embeddingCacheDir("/c", MODEL, "q8", 256)).toBe(
      "/c/embeddings/Xenova--all-MiniLM-L6-v2__q8__256",
    );
    expect(embeddingCacheDir("/c", "../evil/x y", "fp32", 128)).toBe(
      "/c/embeddings/_..--evil--x_y__fp32__128",
    );
    const long = embeddingCacheDir("/c", "m".repeat(300), "q8", 256).split("/").pop() as string;
    expect(long.length).toBeLessThan(120);
    expect(long).not.toBe(
      embeddingCacheDir("/c", `${"m".repeat(299)}n`, "q8", 256)
        .split("/")
        .pop(),
    );
  });
});

describe("storesExist", () => {
  it("sees a store of the model, dtype and length under any fingerprint, and nothing else", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ngc-stores-"));
    try {
      expect(storesExist(dir, MODEL, "q8", 256)).toBe(false); // no embeddings/ folder
      await mkdir(join(dir, "embeddings", "other__q8__256__0123456789abcdef"), { recursive: true });
      await mkdir(`${embeddingCacheDir(dir, MODEL, "q8", 2560)}`, { recursive: true });
      expect(storesExist(dir, MODEL, "q8", 256)).toBe(false);
      await mkdir(embeddingCacheDir(dir, MODEL, "q8", 256, "0123456789abcdef0123"), {
        recursive: true,
      });
      expect(storesExist(dir, MODEL, "q8", 256)).toBe(true);
      expect(storesExist(dir, MODEL, "fp32", 256)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("CachedEmbedder", () => {
  it("embeds everything on the first run and nothing on the second", async () => {
    const first = await run(TEXTS);
    expectVectors(first.out, TEXTS);
    expect(first.fake?.embedded).toBe(5);
    expect(first.fake?.calls.length).toBe(1);
    expect(first.cached.info.device).toBe("cpu");
    expect(first.logs).toEqual([]);
    expect(await tree(root)).toEqual([
      "embeddings/Xenova--all-MiniLM-L6-v2__q8__256/index.json",
      "embeddings/Xenova--all-MiniLM-L6-v2__q8__256/vectors.npy",
    ]);

    const second = await run(TEXTS);
    expectVectors(second.out, TEXTS);
    expect(second.created).toBe(0);
    expect(second.cached.info).toEqual({ ...KEY, device: "cache", dims: DIMS });
    expect(second.progress).toEqual([[5, 5]]);
    expect(second.logs).toEqual([]);
  });

  it("writes a documented index that matches the vectors", async () => {
    await run(TEXTS);
    const index = JSON.parse(await readFile(join(storeDir(), "index.json"), "utf8"));
    const npy = await readFile(join(storeDir(), "vectors.npy"));
    expect(index).toEqual({
      version: 1,
      model: MODEL,
      dtype: "q8",
      maxLength: 256,
      dims: DIMS,
      rows: 5,
      npySha256: createHash("sha256").update(npy).digest("hex"),
      hashes: TEXTS.map((t) => createHash("sha256").update(t, "utf8").digest("hex")),
    });
    const e = decodeNpy(npy);
    expectVectors(e, TEXTS);
  });

  it("embeds only the new texts, in one call, and serves the rest in the caller's order", async () => {
    await run(TEXTS.slice(0, 3));
    const texts = ["new one", TEXTS[2] as string, "new two", TEXTS[0] as string, "new three"];
    const second = await run(texts);
    expect(second.fake?.calls).toEqual([["new one", "new two", "new three"]]);
    expectVectors(second.out, texts);
    expect(second.cached.info.device).toBe("cpu");
    // Cached rows at once, then the inner embedder's progress (batches of two) on top.
    expect(second.progress).toEqual([
      [2, 5],
      [2, 5],
      [4, 5],
      [5, 5],
    ]);

    const all = [...texts, ...TEXTS.slice(0, 3)];
    const third = await run(all);
    expect(third.created).toBe(0);
    expectVectors(third.out, all);
    const index = JSON.parse(await readFile(join(storeDir(), "index.json"), "utf8"));
    expect(index.rows).toBe(6);
  });

  it("embeds a repeated text once", async () => {
    const texts = ["same", "other", "same"];
    const r = await run(texts);
    expect(r.fake?.calls).toEqual([["same", "other"]]);
    expectVectors(r.out, texts);
    expect(r.progress.at(-1)).toEqual([3, 3]);
  });

  it("keeps separate stores per model, dtype and max length", async () => {
    await run(TEXTS);
    for (const key of [
      { ...KEY, dtype: "fp32" },
      { ...KEY, maxLength: 128 },
      { ...KEY, model: "Xenova/other-model" },
    ]) {
      const r = await run(TEXTS, { key });
      expect(r.fake?.embedded).toBe(5);
      expect((await run(TEXTS, { key })).created).toBe(0);
    }
    expect((await run(TEXTS)).created).toBe(0);
    expect(await readdir(join(root, "embeddings"))).toHaveLength(4);
  });

  it("stores under what the model actually ran as when it differs from the key", async () => {
    const r = await run(TEXTS, { key: { ...KEY, dtype: "fp32" }, inner: { dtype: "q8" } });
    expect(r.fake?.embedded).toBe(5);
    expect(r.cached.info.dtype).toBe("q8");
    await expect(stat(join(storeDir(), "index.json"))).resolves.toBeDefined();
    await expect(stat(embeddingCacheDir(root, MODEL, "fp32", 256))).rejects.toThrow();
    expect((await run(TEXTS)).created).toBe(0);
  });

  it("rebuilds a store whose width no longer matches the model's", async () => {
    await run(TEXTS.slice(0, 2));
    const r = await run(TEXTS, { inner: { dims: 8 } });
    expect(r.logs).toEqual([
      `embedding cache at ${storeDir()} holds 4-dim vectors but the model gives 8; rebuilding`,
    ]);
    expectVectors(r.out, TEXTS, 8);
    expect(r.fake?.calls.map((c) => c.length)).toEqual([3, 5]);
    const again = await run(TEXTS);
    expect(again.created).toBe(0);
    expectVectors(again.out, TEXTS, 8);
  });

  it("never loads the model for an empty input", async () => {
    const r = await run([]);
    expect(r.created).toBe(0);
    expect(r.out).toEqual({ rows: 0, dims: 0, data: new Float32Array(0) });
  });

  it("disposes the inner embedder only if it was created", async () => {
    const r = await run(TEXTS);
    await r.cached.dispose();
    expect(r.fake?.disposed).toBe(true);
    const again = await run(TEXTS);
    await again.cached.dispose();
    expect(again.created).toBe(0);
  });

  describe("damage", () => {
    const damages: [string, () => Promise<void>, RegExp][] = [
      [
        "a truncated vectors.npy",
        async () => {
          const p = join(storeDir(), "vectors.npy");
          const b = await readFile(p);
          await writeFile(p, b.subarray(0, b.length - 4));
        },
        /checksum/,
      ],
      [
        "a flipped byte in vectors.npy",
        async () => {
          const p = join(storeDir(), "vectors.npy");
          const b = await readFile(p);
          b[b.length - 7] = (b[b.length - 7] as number) ^ 0x01;
          await writeFile(p, b);
        },
        /checksum/,
      ],
      [
        "a corrupt index.json",
        async () => {
          const p = join(storeDir(), "index.json");
          const s = await readFile(p, "utf8");
          await writeFile(p, s.slice(0, s.length / 2));
        },
        /not valid JSON/,
      ],
      [
        "an index.json of the wrong shape",
        async () => {
          const p = join(storeDir(), "index.json");
          const index = JSON.parse(await readFile(p, "utf8"));
          index.hashes.pop();
          await writeFile(p, JSON.stringify(index));
        },
        /hashes/,
      ],
      [
        "a deleted index.json",
        () => unlink(join(storeDir(), "index.json")),
        /index\.json is missing/,
      ],
      [
        "a deleted vectors.npy",
        () => unlink(join(storeDir(), "vectors.npy")),
        /vectors\.npy is missing/,
      ],
      [
        "vectors replaced without their index (a crash between the renames)",
        async () => {
          const p = join(storeDir(), "index.json");
          const old = await readFile(p);
          await run([...TEXTS, "one more"]);
          await writeFile(p, old);
        },
        /checksum/,
      ],
      [
        "a well-formed .npy of the wrong shape behind a matching checksum",
        async () => {
          const p = join(storeDir(), "index.json");
          const index = JSON.parse(await readFile(p, "utf8"));
          index.dims = DIMS + 1;
          await writeFile(p, JSON.stringify(index));
        },
        /\(5, 4\) but index\.json says \(5, 5\)/,
      ],
    ];

    it.each(damages)("detects %s, logs one line and rebuilds", async (_name, damage, reason) => {
      await run(TEXTS);
      await damage();
      const r = await run(TEXTS);
      expect(r.logs).toHaveLength(1);
      expect(r.logs[0]).toMatch(/^embedding cache at .* is damaged \(.*\); rebuilding$/);
      expect(r.logs[0]).toContain(storeDir());
      expect(r.logs[0]).toMatch(reason);
      expect(r.fake?.embedded).toBe(5);
      expectVectors(r.out, TEXTS);

      const clean = await run(TEXTS);
      expect(clean.logs).toEqual([]);
      expect(clean.created).toBe(0);
      expectVectors(clean.out, TEXTS);
      expect(await tree(storeDir())).toEqual(["index.json", "vectors.npy"]);
    });
  });

  describe("an unwritable cache", () => {
    it("under a read-only folder: warns once, returns the vectors", async () => {
      const ro = join(root, "ro");
      await mkdir(ro);
      await chmod(ro, 0o500);
      let cacheDir = ro;
      const probe = join(ro, "probe");
      const writesDespiteChmod = await writeFile(probe, "x").then(
        () => true,
        () => false,
      );
      if (writesDespiteChmod) {
        // Root ignores permissions: a path under a regular file cannot be created by anyone.
        await unlink(probe);
        await writeFile(join(root, "file"), "x");
        cacheDir = join(root, "file", "cache");
      }
      const r = await run(TEXTS, { cacheDir });
      expect(r.logs).toHaveLength(1);
      expect(r.logs[0]).toMatch(/^cannot write the embedding cache at .*; continuing without it$/);
      expectVectors(r.out, TEXTS);
      expect(r.fake?.embedded).toBe(5);
      // A second embed on the same embedder neither retries nor warns again.
      await r.cached.embed(["x"]);
      expect(r.logs).toHaveLength(1);
      await chmod(ro, 0o700);
      expect(await tree(root)).toEqual(writesDespiteChmod ? ["file"] : []);
    });

    it("whose files cannot be replaced: warns once, leaves no temp file", async () => {
      // vectors.npy's path is taken by a folder, so its rename fails after the temp file exists.
      await mkdir(join(storeDir(), "vectors.npy", "x"), { recursive: true });
      const r = await run(TEXTS);
      expectVectors(r.out, TEXTS);
      expect(r.logs).toHaveLength(2);
      expect(r.logs[0]).toMatch(/damaged \(index\.json is missing\)/);
      expect(r.logs[1]).toMatch(/^cannot write the embedding cache at .* \(EISDIR\); continuing/);
      expect((await readdir(storeDir(), { recursive: true })).sort()).toEqual([
        "vectors.npy",
        "vectors.npy/x",
      ]);
    });

    it("that cannot be read: warns once, neither trusts nor overwrites it", async () => {
      await mkdir(join(storeDir(), "index.json"), { recursive: true });
      const r = await run(TEXTS);
      expectVectors(r.out, TEXTS);
      expect(r.logs).toEqual([
        `cannot read the embedding cache at ${storeDir()} (EISDIR); continuing without it`,
      ]);
      expect(await readdir(storeDir())).toEqual(["index.json"]);
    });
  });
});
