/**
 * The built CLI's model start (src/embed/start.ts): the model host forked before the corpus is
 * read tokenizes and embeds in its own process, computing the bytes the in-process embedder
 * computes, while the CLI process loads neither transformers.js nor onnxruntime; a host nobody
 * claimed is stopped. Run through dist/ in a plain node process (the sources have no built host).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TransformersEmbedder } from "../../src/embed/transformers.js";
import { runCli } from "../reliability/server.js";
import { fixtures, tinyArgs } from "../support/fixtures.js";
import { TINY_MODEL } from "../support/tiny-model.js";

const { models } = fixtures();
const dir = mkdtempSync(join(tmpdir(), "ngc-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXTS = [
  "The shuttle launch was delayed by weather.",
  "",
  `${"ray tracing renders reflections and shadows ".repeat(80)}END`,
  "JPEG and GIF files",
  "Orbit insertion burn nominal.",
];

const OPTIONS = {
  model: TINY_MODEL,
  modelsDir: models,
  cacheDir: dir,
  offline: true,
  dtype: "q8",
  device: "cpu" as const,
  maxLength: 256,
  batchSize: 2,
  threads: 1,
};

/** Runs `body` (async JavaScript with `start` and `texts` in scope) in a fresh node process. */
function harness(body: string): { out: Record<string, unknown>; stderr: string; code: number } {
  const startJs = pathToFileURL(resolve("dist/embed/start.js")).href;
  const code = `
    const { ModelStart } = await import(${JSON.stringify(startJs)});
    const log = [];
    const start = new ModelStart({ ...JSON.parse(process.env.OPTIONS), log: (l) => log.push(l) });
    const texts = JSON.parse(process.env.TEXTS);
    const out = { log };
    ${body}
    out.native = process.report.getReport().sharedObjects.filter((s) => /onnxruntime|sharp/.test(s));
    process.stdout.write(JSON.stringify(out));
  `;
  const script = join(dir, `harness-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, code);
  const r = spawnSync(process.execPath, [script], {
    encoding: "utf8",
    env: { ...process.env, OPTIONS: JSON.stringify(OPTIONS), TEXTS: JSON.stringify(TEXTS) },
    timeout: 30_000,
  });
  return { out: r.stdout ? JSON.parse(r.stdout) : {}, stderr: r.stderr, code: r.status ?? -1 };
}

describe("the model host started early (built CLI)", { timeout: 30_000 }, () => {
  it("embeds in the host the bytes the in-process embedder computes; this process loads no onnxruntime", async () => {
    const r = harness(`
      start.begin();
      const emb = await start.claim();
      out.info = emb.info;
      out.progress = [];
      const e = await emb.embed(texts, (d, t, p) => out.progress.push([d, t, p?.done, p?.total]));
      out.rows = e.rows; out.dims = e.dims; out.data = Array.from(e.data);
      await emb.dispose();
    `);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const own = await TransformersEmbedder.create({ ...OPTIONS, log: () => {} });
    const expected = await own.embed(TEXTS);
    const pieces = own.encode(TEXTS).reduce((sum, s) => sum + s.length, 0);
    await own.dispose();

    expect(r.out.info).toMatchObject({ dtype: "q8", device: "cpu", maxLength: 256 });
    expect([r.out.rows, r.out.dims]).toEqual([expected.rows, expected.dims]);
    expect(Float32Array.from(r.out.data as number[])).toEqual(expected.data);
    // planned (0 of the pieces), then one entry per batch of 2, ending with every piece done
    const progress = r.out.progress as number[][];
    expect(progress[0]).toEqual([0, TEXTS.length, 0, pieces]);
    expect(progress.at(-1)).toEqual([TEXTS.length, TEXTS.length, pieces, pieces]);
    expect(progress).toHaveLength(1 + Math.ceil(TEXTS.length / 2));
    expect(r.out.native).toEqual([]);
    expect(r.out.log).toEqual([]);
  });

  it("release() stops a host nobody claimed: a later claim fails at once, saying so", () => {
    const r = harness(`
      start.begin();
      start.release();
      try { await start.claim(); out.claimed = true; } catch (err) { out.error = err.message; }
    `);
    expect(r.code).toBe(0);
    expect(r.out.claimed).toBeUndefined();
    expect(r.out.error).toBe("the model host was stopped");
  });

  it("without begin(), claim() starts the host then: same vectors", () => {
    const r = harness(`
      const emb = await start.claim();
      const e = await emb.embed(texts);
      out.data = Array.from(e.data);
      await emb.dispose();
    `);
    expect(r.code).toBe(0);
    expect((r.out.data as number[]).length).toBeGreaterThan(0);
    expect(r.out.native).toEqual([]);
  });
});

/**
 * A preload for the CLI (NODE_OPTIONS=--require) that writes the module of every
 * `child_process.fork` to $NGC_FORK_LOG: the CLI imports `fork` as an ES module binding,
 * which `syncBuiltinESMExports` points at the wrapper.
 */
function forkLogger(): string {
  const file = join(dir, "fork-log.cjs");
  writeFileSync(
    file,
    `const cp = require("node:child_process");
const { appendFileSync } = require("node:fs");
const fork = cp.fork;
cp.fork = function (modulePath, ...rest) {
  appendFileSync(process.env.NGC_FORK_LOG, String(modulePath) + "\\n");
  return fork.call(this, modulePath, ...rest);
};
require("node:module").syncBuiltinESMExports();
`,
  );
  return file;
}

describe("when the CLI forks the model host", { timeout: 60_000 }, () => {
  it("a cold run forks it once; a warm re-run over that cache forks none; new posts fork it on demand", async () => {
    const cache = mkdtempSync(join(dir, "cache-"));
    const preload = forkLogger();
    const run = async (name: string, categories: string, k: string) => {
      const log = join(dir, `${name}.log`);
      const r = await runCli(
        [...tinyArgs(), "--categories", categories, "--subset", "test", "--k", k, "--quiet"],
        { cacheDir: cache, env: { NODE_OPTIONS: `--require ${preload}`, NGC_FORK_LOG: log } },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
    };
    const cold = await run("cold", "sci.space", "2");
    expect(cold).toHaveLength(1);
    expect(cold[0]).toMatch(/model-host\.js$/);
    expect(await run("warm", "sci.space", "3")).toEqual([]);
    // The cache holds this model's vectors, so no early start; comp.graphics' posts are missing,
    // and the host is forked when the cache asks for them.
    expect(await run("more", "sci.space,comp.graphics", "2")).toEqual(cold);
  });
});
