/**
 * The model host (src/embed/model-host.ts): the built CLI runs CPU batches in a child process,
 * which must compute the very bytes the model computes in process (the TypeScript sources under
 * test have no built host, so `TransformersEmbedder` from src runs in process).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../../src/dataset/corpus.js";
import { decodeNpy } from "../../src/embed/npy.js";
import { TransformersEmbedder } from "../../src/embed/transformers.js";
import { runCli } from "../reliability/server.js";
import { fixtures } from "../support/fixtures.js";
import { TINY_MODEL } from "../support/tiny-model.js";

const { archive, models } = fixtures();
const dir = mkdtempSync(join(tmpdir(), "ngc-host-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the model host of the built CLI", () => {
  it.each(["fp32", "q8"])(
    "computes the same %s vectors as the model in process",
    async (dtype) => {
      const npy = join(dir, `${dtype}.npy`);
      const r = await runCli(
        [
          ...["--data", archive, "--categories", "sci.space", "--subset", "test", "--k", "2"],
          ...["--models", models, "--model", TINY_MODEL, "--device", "cpu", "--dtype", dtype],
          ...["--batch-size", "3", "--threads", "1", "--no-cache", "--quiet"],
          ...["--save-embeddings", npy],
        ],
        { cacheDir: dir },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const host = decodeNpy(readFileSync(npy));

      const corpus = await loadCorpus(
        readFileSync(archive),
        {
          categories: ["sci.space"],
          subset: "test",
          remove: ["headers", "footers", "quotes"],
        },
        archive,
      );
      const emb = await TransformersEmbedder.create({
        model: TINY_MODEL,
        modelsDir: models,
        cacheDir: dir,
        offline: true,
        dtype,
        device: "cpu",
        maxLength: 256,
        batchSize: 3,
        threads: 1,
        log: () => {},
      });
      const own = await emb.embed(corpus.docs.map((d) => d.text));
      await emb.dispose();
      expect(host.rows).toBeGreaterThan(3); // several batches
      expect([host.rows, host.dims]).toEqual([own.rows, own.dims]);
      const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      expect(bytes(host.data).equals(bytes(own.data))).toBe(true);
    },
    30_000,
  );
});
