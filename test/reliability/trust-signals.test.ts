/**
 * Issue 9, rows 4, 5 and 7 through the built CLI: Ctrl-C while the corpus loads and while the
 * model embeds exits 130 promptly, leaves no temp file and no partial stdout, and keeps the
 * batches embedded so far for the next run. Plus the temp-file registry the SIGINT path uses.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { removeTempFilesSync, writeFileAtomic } from "../../src/atomic.js";
import { decodeNpy } from "../../src/embed/npy.js";
import { cliTempDirs } from "../helpers.js";
import { fixtureTotal, writeLargeArchive } from "../support/corpus.js";
import { fixtures } from "../support/fixtures.js";
import { SLOW_MODEL, TINY_DIMS } from "../support/tiny-model.js";
import { lines, listTree, runCli, spawnCli } from "./server.js";

const tempDir = cliTempDirs("ngc-trust-sig-");

/** Generous for a loaded 2-core machine; the budget without load is 0.5 s. */
const SLACK_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(test: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  while (!test()) {
    if (performance.now() - t0 > timeoutMs) throw new Error("condition not reached");
    await sleep(20);
  }
}

describe("row 4: the temp files of writes in flight are removed synchronously", () => {
  it("removeTempFilesSync deletes a half-written temp file; no file is left", async () => {
    const dir = tempDir();
    const write = writeFileAtomic(join(dir, "big.npy"), new Uint8Array(64 * 1024 * 1024));
    await until(() => readdirSync(dir).length > 0, 10_000);
    expect(readdirSync(dir)[0]).toMatch(/^\.big\.npy\.\d+\.[0-9a-f]+\.tmp$/);
    removeTempFilesSync();
    expect(readdirSync(dir)).toEqual([]);
    await write.catch(() => {});
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("row 5: SIGINT while the corpus loads", () => {
  // 96,000 synthetic posts: about 2 s to read and clean on an idle machine (the real archive,
  // 18,846 posts, takes 0.5 s), so the signal lands mid-load even when startup is timed high.
  let large = "";
  beforeAll(async () => {
    large = join(tempDir(), "20news-bydate.tar.gz");
    await writeLargeArchive(large, 12_000);
  }, 60_000);

  it("corpus of 96,000 posts: exit 130 promptly, nothing on stdout", async () => {
    const cache = tempDir();
    // How long the process takes to start here and now (its SIGINT handler is installed before
    // the corpus loads): a run over the small fixture corpus, whose load takes milliseconds.
    const t0 = performance.now();
    expect((await runCli(["corpus", "--data", fixtures().archive], { cacheDir: cache })).code).toBe(
      0,
    );
    const startup = performance.now() - t0;
    for (const delay of [300, 900]) {
      const run = spawnCli(["corpus", "--data", large], {
        cacheDir: cache,
      });
      await sleep(startup + delay);
      expect(run.child.exitCode).toBeNull();
      const sent = performance.now();
      run.child.kill("SIGINT");
      const r = await run.done;
      expect(r.code).toBe(130);
      expect(r.endedAt - sent).toBeLessThan(SLACK_MS);
      expect(r.stdout).toBe("");
      expect(lines(r.stderr).filter((l) => l !== "")).toEqual(["newsgroup-cluster: interrupted"]);
    }
  }, 30_000);
});

/** The journal's records: 32 + dims * 4 + 8 bytes each, after a 12-byte header. */
const RECORD = 32 + TINY_DIMS * 4 + 8;
/** Posts of the synthetic corpus (both splits, the four default groups). */
const POSTS = fixtureTotal("all");

describe("rows 4, 5, 7: SIGINT while embedding, with every output asked for", () => {
  it("exits 130, leaves no output or temp file, keeps the finished batches, and the next run completes them", async () => {
    const cache = tempDir();
    const out = tempDir();
    const args = [
      "--data",
      fixtures().archive,
      "--k",
      "3",
      "--models",
      fixtures().models,
      "--model",
      SLOW_MODEL,
      "--device",
      "cpu",
      // The slow fixture model: about 0.1 s a post with one thread, one post a call, 64 pieces,
      // so the whole corpus takes ~20 s. onnxruntime runs a batch on the main thread: Ctrl-C acts
      // between batches, so small batches keep the latency within bounds on a loaded machine.
      ...["--threads", "1", "--batch-size", "1", "--max-length", "64"],
      "--format",
      "json",
    ];
    const outputs = [
      "--save-embeddings",
      join(out, "e.npy"),
      "--assignments",
      join(out, "a.csv"),
      "--report",
      join(out, "r.html"),
    ];
    const run = spawnCli([...args, ...outputs], { cacheDir: cache, timeoutMs: 60_000 });
    // Wait until some batches are checkpointed: the journal has grown past its header.
    const journal = () =>
      listTree(cache)
        .filter((f) => /journal\.\d+\.[0-9a-f]+\.bin$/.test(f))
        .map((f) => join(cache, f));
    await until(() => journal().some((f) => statSync(f).size > 12 + 3 * RECORD), 45_000);
    expect(run.child.exitCode).toBeNull();
    const sent = performance.now();
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.endedAt - sent).toBeLessThan(SLACK_MS);
    expect(r.stdout).toBe("");
    expect(readdirSync(out)).toEqual([]);
    expect(listTree(cache).filter((f) => f.includes(".tmp"))).toEqual([]);
    const kept = (statSync(journal()[0] as string).size - 12) / RECORD;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(POSTS);

    // The next run embeds the rest; its vectors match a run without the cache.
    const next = await runCli([...args, "--save-embeddings", join(out, "e.npy")], {
      cacheDir: cache,
      timeoutMs: 60_000,
    });
    expect(next.code).toBe(0);
    expect(journal()).toEqual([]);
    const fresh = await runCli([...args, "--no-cache", "--save-embeddings", join(out, "f.npy")], {
      cacheDir: cache,
      timeoutMs: 60_000,
    });
    expect(fresh.code).toBe(0);
    const a = decodeNpy(readFileSync(join(out, "e.npy")));
    const b = decodeNpy(readFileSync(join(out, "f.npy")));
    expect([a.rows, a.dims]).toEqual([POSTS, TINY_DIMS]);
    // q8 quantizes activations per batch, so a vector may depend on its batch mates: rows must
    // agree to a cosine of 0.999, not bit for bit.
    let worst = 1;
    for (let i = 0; i < a.rows; i++) {
      let [dot, aa, bb] = [0, 0, 0];
      for (let j = 0; j < a.dims; j++) {
        const [x, y] = [a.data[i * a.dims + j] as number, b.data[i * b.dims + j] as number];
        [dot, aa, bb] = [dot + x * y, aa + x * x, bb + y * y];
      }
      worst = Math.min(worst, dot / Math.sqrt(aa * bb));
    }
    expect(worst).toBeGreaterThan(0.999);
  }, 180_000);
});
