/**
 * Issue 9, row 5 (in process): the stages owned here stop within half a second of an abort,
 * however long their work: corpus cleaning, the silhouette, and the pipeline's evaluation. A
 * timer aborts the signal, as the SIGINT handler does; without checkpoints it would never fire.
 */
import { describe, expect, it } from "vitest";
import { buildCorpusInterruptibly } from "../../src/dataset/corpus.js";
import type { RawPost } from "../../src/dataset/tarball.js";
import type { Embedder } from "../../src/embed/embedder.js";
import { silhouetteCosine, silhouetteCosineInterruptibly } from "../../src/evaluate/silhouette.js";
import { run } from "../../src/pipeline.js";
import type { Corpus, Embeddings } from "../../src/types.js";

/** Generous for a loaded 2-core machine; the budget without load is 0.5 s. */
const SLACK_MS = 1_500;

async function abortAfter<T>(ms: number, work: (signal: AbortSignal) => Promise<T>) {
  const controller = new AbortController();
  let abortedAt = 0;
  setTimeout(() => {
    abortedAt = performance.now();
    controller.abort();
  }, ms);
  let caught: unknown;
  try {
    await work(controller.signal);
  } catch (err) {
    caught = err;
  }
  return { caught: caught as Error | undefined, latency: performance.now() - abortedAt, abortedAt };
}

function randomMatrix(rows: number, dims: number, seed = 1): Float32Array {
  let x = seed;
  const out = new Float32Array(rows * dims);
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out[i] = x / 2 ** 31 - 0.5;
  }
  return out;
}

describe("row 5: abort checkpoints in the stages' long loops", () => {
  it("the silhouette of 6,000 posts stops within the budget", async () => {
    const rows = 6_000;
    const dims = 64;
    const data = randomMatrix(rows, dims);
    const labels = Int32Array.from({ length: rows }, (_, i) => i % 7);
    const r = await abortAfter(100, (s) =>
      silhouetteCosineInterruptibly(data, rows, dims, labels, s),
    );
    expect(r.abortedAt).toBeGreaterThan(0);
    expect(r.caught?.name).toBe("AbortError");
    expect(r.latency).toBeLessThan(SLACK_MS);
  });

  it("the interruptible silhouette gives the same score as the plain one", async () => {
    const data = randomMatrix(300, 8, 7);
    const labels = Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 5);
    const plain = silhouetteCosine(data, 300, 8, labels);
    expect(await silhouetteCosineInterruptibly(data, 300, 8, labels)).toBe(plain);
  });

  it("cleaning the corpus stops within the budget", async () => {
    const body = `From: a@b\nSubject: s\n\n${"word ".repeat(4000)}\n> quoted\n-- \nsig\n`;
    const raw: RawPost[] = Array.from({ length: 20_000 }, (_, i) => ({
      split: "train",
      group: "sci.space",
      id: String(i),
      bytes: Buffer.from(body, "latin1"),
    }));
    const selection = {
      categories: ["sci.space"],
      subset: "train" as const,
      remove: ["headers", "footers", "quotes"] as ("headers" | "footers" | "quotes")[],
    };
    const r = await abortAfter(100, (s) => buildCorpusInterruptibly(raw, selection, s));
    expect(r.abortedAt).toBeGreaterThan(0);
    expect(r.caught?.name).toBe("AbortError");
    expect(r.latency).toBeLessThan(SLACK_MS);
  });

  it("the pipeline's evaluation (silhouette of 6,000 posts) stops within the budget", async () => {
    const rows = 6_000;
    const dims = 64;
    const corpus: Corpus = {
      groups: ["a", "b"],
      docs: Array.from({ length: rows }, (_, i) => ({
        split: "train" as const,
        group: i % 2 === 0 ? "a" : "b",
        id: String(i),
        text: `post ${i}`,
      })),
    };
    const data = randomMatrix(rows, dims, 3);
    const embedder: Embedder = {
      info: { model: "fake", dtype: "fp32", device: "cpu", maxLength: 256, dims },
      async embed(): Promise<Embeddings> {
        return { rows, dims, data };
      },
      async dispose() {},
    };
    const controller = new AbortController();
    let abortedAt = 0;
    let caught: unknown;
    try {
      await run(
        {
          selection: { categories: ["a", "b"], subset: "all", remove: [] },
          embedder: "minilm",
          k: 2,
          seed: 1,
          nInit: 1,
          maxIterations: 5,
          order: "matched",
          topTerms: 0,
          silhouette: true,
        },
        {
          loadCorpus: async () => corpus,
          createEmbedder: async () => embedder,
          now: () => performance.now(),
          signal: controller.signal,
          onStage: (stage) => {
            if (stage !== "evaluate") return;
            setTimeout(() => {
              abortedAt = performance.now();
              controller.abort();
            }, 100);
          },
        },
      );
    } catch (err) {
      caught = err;
    }
    expect(abortedAt).toBeGreaterThan(0);
    expect((caught as Error).name).toBe("AbortError");
    expect(performance.now() - abortedAt).toBeLessThan(SLACK_MS);
  });
});
