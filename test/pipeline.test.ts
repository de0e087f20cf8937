import { describe, expect, it } from "vitest";
import type { Embedder } from "../src/embed/embedder.js";
import { CliError } from "../src/errors.js";
import { run } from "../src/pipeline.js";
import type { Corpus, Embeddings } from "../src/types.js";

const groups = ["a.alpha", "b.beta", "c.gamma"];

/** `count` training posts, post i in group i % 3, its text ending with the group's name. */
function corpusOf(count: number, words: (i: number) => string): Corpus {
  return {
    groups,
    docs: Array.from({ length: count }, (_, i) => ({
      split: "train" as const,
      group: groups[i % 3] as string,
      id: String(i),
      text: `${words(i)} ${groups[i % 3]}`,
    })),
  };
}

const corpus = corpusOf(30, (i) => `post ${i} of`);

/** A fake embedder: each group's posts sit near one axis, so k-means must recover the groups. */
function fakeEmbedder(): Embedder & { calls: number; disposed: boolean } {
  return {
    info: { model: "fake", dtype: "fp32", device: "cpu", maxLength: 256, dims: 3 },
    calls: 0,
    disposed: false,
    async embed(texts): Promise<Embeddings> {
      this.calls++;
      const data = new Float32Array(texts.length * 3);
      texts.forEach((t, i) => {
        const g = groups.findIndex((name) => t.endsWith(name));
        data[i * 3 + g] = 1;
        data[i * 3 + ((g + 1) % 3)] = 0.01 * (i % 5);
      });
      return { rows: texts.length, dims: 3, data };
    },
    async dispose() {
      this.disposed = true;
    },
  };
}

const config = {
  selection: { categories: groups, subset: "all" as const, remove: [] },
  embedder: "minilm" as const,
  k: undefined,
  seed: 1,
  nInit: 2,
  maxIterations: 50,
  order: "matched" as const,
  topTerms: 3,
  silhouette: true,
};

describe("pipeline.run with a fake embedder", () => {
  it("wires corpus -> embed -> cluster -> contingency", async () => {
    const emb = fakeEmbedder();
    let t = 0;
    const stages: string[] = [];
    const out = await run(config, {
      loadCorpus: async () => corpus,
      createEmbedder: async () => emb,
      now: () => (t += 1000),
      onStage: (s) => stages.push(s),
    });
    expect(stages).toEqual(["corpus", "model", "embed", "cluster", "evaluate"]);
    expect(emb.calls).toBe(1);
    expect(emb.disposed).toBe(true);
    const { table } = out.result;
    expect(table.groups).toEqual(groups);
    expect(out.result.config.k).toBe(3); // one cluster per group by default
    // Every group lands whole in its own cluster, and matched order puts it on the diagonal.
    expect(table.counts).toEqual([
      [10, 0, 0],
      [0, 10, 0],
      [0, 0, 10],
    ]);
    expect(out.result.metrics).toMatchObject({ ari: 1, nmi: 1, purity: 1, accuracy: 1 });
    expect(out.result.metrics.silhouette).toBeGreaterThan(0.9);
    // Labels: cluster j's top terms include its group's name words.
    expect(out.result.labels.map((l) => l.size)).toEqual([10, 10, 10]);
    expect(out.result.labels[1]?.terms[0]).toBe("beta");
    // Exports agree with the table's ids.
    out.corpus.docs.forEach((d, i) => {
      expect(out.labels[i]).toBe(groups.indexOf(d.group));
    });
    expect(out.distances.every((x) => x >= 0 && x < 0.1)).toBe(true);
    expect(out.result.timings.embed).toBe(1);
    expect(out.labels).toHaveLength(30);
  });

  it("rejects k larger than the corpus before loading the model", async () => {
    const emb = fakeEmbedder();
    let created = false;
    const err = await run(
      { ...config, k: 31 },
      {
        loadCorpus: async () => corpus,
        createEmbedder: async () => {
          created = true;
          return emb;
        },
        now: () => 0,
      },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain("--k 31");
    expect(created).toBe(false);
  });

  it("disposes the embedder when embedding fails", async () => {
    const emb = fakeEmbedder();
    emb.embed = async () => {
      throw new Error("boom");
    };
    await expect(
      run(config, {
        loadCorpus: async () => corpus,
        createEmbedder: async () => emb,
        now: () => 0,
      }),
    ).rejects.toThrow("boom");
    expect(emb.disposed).toBe(true);
  });

  it("stops labelling the clusters promptly on abort (tokenising is interruptible)", async () => {
    // 20,000 posts of 300 words: tokenising them for the labels takes over a second.
    const words = Array.from({ length: 500 }, (_, w) => `word${w}`);
    const big = corpusOf(20_000, (i) =>
      Array.from({ length: 300 }, (_, j) => words[(i * 7 + j * 13) % 500]).join(" "),
    );
    const controller = new AbortController();
    // When the abort is due: a blocked event loop fires the timer late, and that counts too.
    let due = 0;
    const err = await run(
      { ...config, nInit: 1, silhouette: false },
      {
        loadCorpus: async () => big,
        createEmbedder: async () => fakeEmbedder(),
        now: () => performance.now(),
        onStage: (s) => {
          if (s !== "evaluate") return;
          due = performance.now() + 100;
          setTimeout(() => controller.abort(new Error("interrupted")), 100);
        },
        signal: controller.signal,
      },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("interrupted");
    expect(due).toBeGreaterThan(0);
    // The budget is 50 ms slices; generous for a loaded machine.
    expect(performance.now() - due).toBeLessThan(400);
  }, 30_000);
});
