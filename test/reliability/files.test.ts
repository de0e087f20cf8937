/**
 * Bad local inputs: corpus archives that are missing, unreadable, not gzip, truncated, of the wrong
 * layout or empty, and model folders without weights or with corrupt weights. Each must end in its
 * exit code with one line on stderr that names the file, nothing on stdout, and nothing written
 * into the cache directory. The cluster command is used (not `corpus`), so that a run that got
 * further would have written the embedding cache; a control run shows that it does.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, type ExpectStatic, it } from "vitest";
import { CLI, packTarGz } from "../helpers.js";
import { fixtures } from "../support/fixtures.js";
import { TINY_MODEL, TOKENIZER_ONLY } from "../support/tiny-model.js";
import { type CliRun, listTree, runCli, said } from "./server.js";

const temps: string[] = [];
function tempDir(prefix = "ngc-files-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) {
    try {
      chmodSync(join(d, "unreadable.tar.gz"), 0o644);
    } catch {}
    rmSync(d, { recursive: true, force: true });
  }
});

/** Whether chmod 000 stops this process from reading a file (not so for root). */
const chmodBlocksReads = (() => {
  const d = tempDir();
  const f = join(d, "probe");
  writeFileSync(f, "x");
  chmodSync(f, 0);
  try {
    readFileSync(f);
    return false;
  } catch {
    return true;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
})();

const SMALL = ["--categories", "sci.space", "--subset", "test", "--k", "2", "--device", "cpu"];
/** The synthetic corpus and the fixture models folder of test/support. */
const { archive: ARCHIVE, models: MODELS } = fixtures();
const TINY = ["--models", MODELS, "--model", TINY_MODEL];

let inputs: string;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  inputs = tempDir();
  const real = readFileSync(ARCHIVE);
  writeFileSync(join(inputs, "truncated.tar.gz"), real.subarray(0, Math.floor(real.length / 2)));
  writeFileSync(join(inputs, "empty.tar.gz"), "");
  writeFileSync(join(inputs, "plain.txt"), "From: someone\n\nnot an archive\n");
  writeFileSync(
    join(inputs, "wrong-layout.tar.gz"),
    await packTarGz({
      "20news-18828/sci.space/60000": "From: a\n\nbody\n",
      "data/README": "nothing here",
    }),
  );
  writeFileSync(
    join(inputs, "other-groups.tar.gz"),
    await packTarGz({
      "20news-bydate-train/alt.atheism/1": "From: a\n\nbody\n",
      "20news-bydate-test/alt.atheism/2": "From: a\n\nbody\n",
    }),
  );
  writeFileSync(
    join(inputs, "train-only.tar.gz"),
    await packTarGz({ "20news-bydate-train/sci.space/1": "From: a\n\nbody\n" }),
  );
  // gzip around bytes that are not a tar.
  const { gzipSync } = await import("node:zlib");
  writeFileSync(join(inputs, "gzip-not-tar.tar.gz"), gzipSync(Buffer.alloc(4096, 0x41)));
  const unreadable = join(inputs, "unreadable.tar.gz");
  copyFileSync(ARCHIVE, unreadable);
  chmodSync(unreadable, 0);
});

/** One error line, naming `what`; nothing on stdout; nothing in the cache. */
function expectFailure(
  expect: ExpectStatic,
  r: CliRun,
  cache: string,
  code: number,
  what: string,
  why: RegExp,
): void {
  expect(r.stdout).toBe("");
  expect(r.code).toBe(code);
  // One error line, after the stage lines of what did work (issue 10).
  const errs = said(r.stderr);
  expect(errs).toHaveLength(1);
  expect(errs[0]).toMatch(/^newsgroup-cluster: error: /);
  expect(errs[0]).toContain(what);
  expect(errs[0]).toMatch(why);
  expect(listTree(cache)).toEqual([]);
}

// Each test spawns its own process on its own files: run them side by side to save wall time.
describe.concurrent("--data pointing at a bad corpus archive: exit 3", { timeout: 30_000 }, () => {
  const cases: [string, () => string, RegExp][] = [
    ["a missing file", () => join(inputs, "missing.tar.gz"), /does not exist/],
    ["a directory", () => inputs, /is a directory, not the corpus archive/],
    ["a non-gzip file", () => join(inputs, "plain.txt"), /incorrect header check/],
    ["the first half of a good archive", () => join(inputs, "truncated.tar.gz"), /end of file/],
    ["an empty file", () => join(inputs, "empty.tar.gz"), /end of file/],
    [
      "gzip around something that is not a tar",
      () => join(inputs, "gzip-not-tar.tar.gz"),
      /Invalid tar header/,
    ],
    [
      "a tarball of another layout",
      () => join(inputs, "wrong-layout.tar.gz"),
      /holds no posts in the 20news-bydate layout/,
    ],
    [
      "a tarball without the selected group",
      () => join(inputs, "other-groups.tar.gz"),
      /has no posts for newsgroup sci\.space: wrong archive\?/,
    ],
    [
      "a tarball without the selected split",
      () => join(inputs, "train-only.tar.gz"),
      /has no test posts for the selected newsgroups/,
    ],
  ];
  it.for(cases)("%s", async ([_name, file, why], { expect }) => {
    const cache = tempDir();
    const r = await runCli([...SMALL, ...TINY, "--data", file()], { cacheDir: cache });
    expectFailure(expect, r, cache, 3, file(), why);
  });

  it.skipIf(!chmodBlocksReads)("an unreadable file (chmod 000)", async ({ expect }) => {
    const cache = tempDir();
    const file = join(inputs, "unreadable.tar.gz");
    const r = await runCli([...SMALL, ...TINY, "--data", file], { cacheDir: cache });
    expectFailure(expect, r, cache, 3, file, /cannot read .*EACCES/);
  });

  it("NEWSGROUP_CLUSTER_DATA is named as the source when it points at a directory", async ({
    expect,
  }) => {
    const cache = tempDir();
    const r = await runCli([...SMALL, ...TINY], {
      cacheDir: cache,
      env: { NEWSGROUP_CLUSTER_DATA: inputs },
    });
    expectFailure(expect, r, cache, 3, inputs, /NEWSGROUP_CLUSTER_DATA .* is a directory/);
  });

  it("control: a good archive succeeds and does write the embedding and term caches", async ({
    expect,
  }) => {
    const cache = tempDir();
    const r = await runCli([...SMALL, ...TINY, "--data", ARCHIVE, "--quiet"], {
      cacheDir: cache,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("sci.space");
    // The cleaned corpus, cached with the archive's remembered hash (src/dataset/corpus-cache.ts).
    const corpus = listTree(join(cache, "corpus"));
    expect(corpus).toHaveLength(2);
    expect(corpus).toContain("archive-hashes.json");
    const files = listTree(cache).filter((f) => !f.startsWith("corpus/"));
    // The store is named by the model's content too (issue 9 row 6), whose file hashes are
    // remembered in model-hashes.json; the cluster labels' term ids are kept by the texts' hash.
    expect(files).toHaveLength(4);
    expect(files[0]).toMatch(
      new RegExp(`^embeddings/.*${TINY_MODEL}__q8__256__[0-9a-f]{16}/index\\.json$`),
    );
    expect(files[1]).toMatch(
      new RegExp(`^embeddings/.*${TINY_MODEL}__q8__256__[0-9a-f]{16}/vectors\\.npy$`),
    );
    expect(files[2]).toBe("model-hashes.json");
    expect(files[3]).toMatch(/^terms\/[0-9a-f]{64}\.bin$/);
  });
});

// One at a time: each loads the corpus and onnxruntime, which is heavy on a small machine.
describe("bad model folders: exit 4", { timeout: 30_000 }, () => {
  /** A models folder with the tiny model's tokenizer and config and `onnx` bytes as weights. */
  function fakeModel(onnx: Uint8Array): string {
    const dir = tempDir("ngc-models-");
    const model = join(dir, "broken-bert");
    mkdirSync(join(model, "onnx"), { recursive: true });
    for (const f of [
      "config.json",
      "tokenizer.json",
      "tokenizer_config.json",
      "special_tokens_map.json",
    ]) {
      copyFileSync(join(MODELS, TINY_MODEL, f), join(model, f));
    }
    writeFileSync(join(model, "onnx", "model_quantized.onnx"), onnx);
    return dir;
  }

  it("a tokenizer-only folder (no weights) names onnx/model_quantized.onnx (q8 on CPU)", async ({
    expect,
  }) => {
    const cache = tempDir();
    const r = await runCli(
      [...SMALL, "--data", ARCHIVE, "--models", MODELS, "--model", TOKENIZER_ONLY],
      { cacheDir: cache },
    );
    expectFailure(
      expect,
      r,
      cache,
      4,
      join(MODELS, TOKENIZER_ONLY, "onnx", "model_quantized.onnx"),
      /has no weights for --dtype q8: missing /,
    );
  });

  it.for<[string, () => Buffer]>([
    ["garbage bytes", () => Buffer.from("this is not an onnx model\n".repeat(200))],
    [
      "the first half of a good model",
      () => {
        const real = readFileSync(join(MODELS, TINY_MODEL, "onnx", "model_quantized.onnx"));
        return real.subarray(0, Math.floor(real.length / 2));
      },
    ],
    ["an empty file", () => Buffer.alloc(0)],
  ])(
    "a corrupt model_quantized.onnx (%s): one line naming it, no stack trace",
    async ([_n, bytes], { expect }) => {
      const models = fakeModel(bytes());
      const cache = tempDir();
      const r = await runCli(
        [...SMALL, "--data", ARCHIVE, "--models", models, "--model", "broken-bert"],
        { cacheDir: cache },
      );
      expectFailure(
        expect,
        r,
        cache,
        4,
        join(models, "broken-bert", "onnx", "model_quantized.onnx"),
        /^newsgroup-cluster: error: cannot load model broken-bert \(q8\): /,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it("a model id that is not in --models", async ({ expect }) => {
    const cache = tempDir();
    const r = await runCli(
      [...SMALL, "--data", ARCHIVE, "--models", MODELS, "--model", "no-such-model"],
      { cacheDir: cache },
    );
    expectFailure(expect, r, cache, 4, join(MODELS, "no-such-model"), /not found in/);
  });
});
