/**
 * `npm run bench`: embedding speed on the default four-group corpus with the exact
 * all-MiniLM-L6-v2 architecture (../shared/models/random-minilm-l6, random weights: same
 * arithmetic, so the same speed; never a quality figure). Prints, side by side: the naive
 * per-post loop, the CLI's embedder at fp32 and q8, the whole CLI process cold and its warm
 * re-run (`--k 5` after `--k 4` over the cache the cold run left); the fixed costs (start-up,
 * corpus, model load); then k-means against scikit-learn and the previous implementation
 * (scripts/bench/kmeans.mjs). Each variant runs in its own process so that its peak memory is its
 * own.
 *
 *   npm run bench -- [--limit N] [--models DIR] [--model ID] [--data FILE] [--threads N]
 *                    [--batch-size N] [--only naive,fp32,q8,cli] [--skip-kmeans] [--device cpu|cuda]
 *                    [--categories LIST] [--subset all|train|test] [--kmeans-repeats N]
 *                    [--previous COMMIT] [--pairs N]
 *
 * A small selection, model load included (issue 11 goal 3), naive loop and CLI alternated 3 times:
 *   npm run bench -- --categories sci.space,comp.graphics --subset test --only naive,cli --skip-kmeans --pairs 3
 *
 * With --device cuda the embedder variants run on onnxruntime's CUDA execution provider (and fail
 * with the reason when it cannot load); the naive loop stays on the CPU, as the notebook's
 * baseline. scripts/gpu-bench.sh runs this on a GPU machine.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cluster } from "../../src/cluster/kmeans.js";
import { loadCorpus } from "../../src/dataset/corpus.js";
import { ALL_GROUPS, DEFAULT_GROUPS } from "../../src/dataset/groups.js";
import { decodeNpy, writeNpyAtomic } from "../../src/embed/npy.js";
import { ModelStart } from "../../src/embed/start.js";
import { TransformersEmbedder } from "../../src/embed/transformers.js";
import type { Embeddings } from "../../src/types.js";
import { type CliRun, coldAndWarm, fixedCosts } from "./cli-runs.js";
import { naiveEmbed } from "./naive.js";
import { measureMatmulGflops } from "./peak.js";

const HERE = dirname(fileURLToPath(import.meta.url));
// Built to build/bench/scripts/bench/ (scripts/bench/tsconfig.json): four levels below the root.
const ROOT = resolve(HERE, "..", "..", "..", "..");
const SHARED = resolve(process.env.NEWSGROUP_CLUSTER_SHARED ?? join(ROOT, "..", "shared"));

const { values: args } = parseArgs({
  options: {
    limit: { type: "string" },
    models: { type: "string", default: join(SHARED, "models") },
    model: { type: "string", default: "random-minilm-l6" },
    data: { type: "string", default: join(SHARED, "data", "20news-bydate.tar.gz") },
    threads: { type: "string", default: "0" },
    "batch-size": { type: "string", default: "16" },
    only: { type: "string", default: "naive,fp32,q8,cli" },
    "skip-kmeans": { type: "boolean", default: false },
    device: { type: "string", default: "cpu" },
    categories: { type: "string", default: DEFAULT_GROUPS.join(",") },
    subset: { type: "string", default: "all" },
    "kmeans-repeats": { type: "string", default: "3" },
    pairs: { type: "string", default: "1" },
    previous: { type: "string", default: "2ed3d06" },
    child: { type: "string" },
    out: { type: "string" },
  },
});

const REMOVE = ["headers", "footers", "quotes"] as const;
const threads = Number(args.threads) || availableParallelism();

/** Matrix-product multiply-adds of the encoder per token: 6 layers x (4 x 384^2 + 2 x 384 x 1536). */
const ENCODER_MACS_PER_TOKEN = 6 * (4 * 384 * 384 + 2 * 384 * 1536);
/** FLOPs of one sequence of L tokens: encoder matmuls plus QK^T and AV (6 layers x 2 x L^2 x 384). */
const seqFlops = (len: number) => 2 * (ENCODER_MACS_PER_TOKEN * len + 6 * 2 * 384 * len * len);

const categories = args.categories === "all" ? [...ALL_GROUPS] : args.categories.split(",");
const subset = args.subset as "all" | "train" | "test";

async function sampleTexts(): Promise<string[]> {
  const corpus = await loadCorpus(
    readFileSync(args.data),
    { categories, subset, remove: [...REMOVE] },
    args.data,
  );
  const texts = corpus.docs.map((d) => d.text);
  if (args.limit === undefined) return texts;
  const n = Math.min(texts.length, Number(args.limit));
  // An even stride keeps the corpus's length distribution.
  return Array.from({ length: n }, (_, i) => texts[Math.floor((i * texts.length) / n)] as string);
}

interface ChildResult {
  wall: number;
  maxRssMb: number;
  rows: number;
}

/** Child process: run one variant, write its result (and vectors) where the parent said. */
async function child(variant: string, out: string): Promise<void> {
  const texts = await sampleTexts();
  const t0 = performance.now();
  let emb: Embeddings;
  if (variant === "naive") {
    emb = await naiveEmbed(args.models, args.model, texts);
  } else {
    const e = await TransformersEmbedder.create({
      model: args.model,
      modelsDir: args.models,
      cacheDir: tmpdir(),
      offline: true,
      dtype: variant,
      device: args.device === "cuda" ? "cuda" : "cpu",
      maxLength: 256,
      batchSize: Number(args["batch-size"]),
      threads,
      log: () => {},
    });
    emb = await e.embed(texts);
    await e.dispose();
  }
  const wall = (performance.now() - t0) / 1000;
  await writeNpyAtomic(`${out}.npy`, emb);
  const result: ChildResult = {
    wall,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    rows: emb.rows,
  };
  writeFileSync(out, JSON.stringify(result));
}

function runChild(variant: string, dir: string): ChildResult & { emb: Embeddings } {
  const out = join(dir, variant);
  const argv = [fileURLToPath(import.meta.url), "--child", variant, "--out", out, ...passThrough()];
  const r = spawnSync(process.execPath, argv, { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`variant ${variant} failed (exit ${r.status})`);
  const res = JSON.parse(readFileSync(out, "utf8")) as ChildResult;
  return { ...res, emb: decodeNpy(readFileSync(`${out}.npy`)) };
}

function passThrough(): string[] {
  const keep = [
    ...["limit", "models", "model", "data", "threads", "batch-size", "device"],
    ...["categories", "subset"],
  ] as const;
  return keep.flatMap((k) => (args[k] === undefined ? [] : [`--${k}`, String(args[k])]));
}

function cosineMean(a: Embeddings, b: Embeddings): number {
  let s = 0;
  for (let i = 0; i < a.rows; i++) {
    let d = 0;
    for (let t = 0; t < a.dims; t++)
      d += (a.data[i * a.dims + t] as number) * (b.data[i * b.dims + t] as number);
    s += d;
  }
  return s / a.rows;
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
const pad = (s: string, n: number) => s.padStart(n);

/** Word pieces per text at a truncation length, [CLS] and [SEP] included. */
async function tokenLengths(texts: readonly string[], maxLength: number): Promise<number[]> {
  const e = await TransformersEmbedder.create({
    model: args.model,
    modelsDir: args.models,
    cacheDir: tmpdir(),
    offline: true,
    dtype: "q8",
    device: "cpu",
    maxLength,
    batchSize: 16,
    threads: 1,
    log: () => {},
  });
  const lengths = e.tokenLengths(texts);
  await e.dispose();
  return lengths;
}

/**
 * Seconds the CLI's model start takes, median of three: on the CPU, forking the model host until
 * tokenizer and q8 weights are loaded there (Node and transformers.js start included); on CUDA,
 * the load in this process (transformers.js already imported).
 */
async function modelLoadSeconds(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = new ModelStart({
      model: args.model,
      modelsDir: args.models,
      cacheDir: tmpdir(),
      offline: true,
      dtype: "q8",
      device: args.device === "cuda" ? "cuda" : "cpu",
      maxLength: 256,
      batchSize: 16,
      threads,
      log: () => {},
    });
    start.begin();
    const e = await start.claim();
    times.push(start.loadSeconds);
    await e.dispose();
  }
  return median(times);
}

/** Useful work of the texts: word pieces and FLOPs at 256 (batched) and 512 (naive). */
interface Work {
  posts: number;
  pieces: number;
  pieces512: number;
  flops256: number;
  flops512: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * The embedder variants and the CLI runs; returns the table rows and the vectors made. The naive
 * loop and the CLI run `--pairs` times, one after the other, so that both see the same machine
 * (its load drifts over minutes here); their rows give the medians, and `pairRatios` each pair's
 * naive / cold CLI ratio.
 */
function measureRows(only: Set<string>, work: Work, dir: string) {
  const rows: string[][] = [];
  const results: Record<string, Embeddings> = {};
  let naiveWall = Number.NaN;
  // wall, posts/s, pieces/s, GFLOP/s, peak MB, speed-up over the naive loop
  const push = (name: string, wall: number, rss: number, naive: boolean) => {
    const pieces = naive ? work.pieces512 : work.pieces;
    const flops = naive ? work.flops512 : work.flops256;
    rows.push([
      name,
      fmt(wall),
      fmt(work.posts / wall),
      fmt(pieces / wall, 0),
      fmt(flops / wall / 1e9),
      fmt(rss, 0),
      fmt(naiveWall / wall, 2),
    ]);
  };
  const pairs = Math.max(1, Number(args.pairs) || 1);
  const cli = only.has("cli") && args.limit === undefined;
  const naive: { wall: number; rss: number }[] = [];
  const colds: CliRun[] = [];
  const warms: CliRun[] = [];
  for (let p = 0; p < pairs; p++) {
    const tag = pairs > 1 ? ` (pair ${p + 1} of ${pairs})` : "";
    if (only.has("naive")) {
      process.stderr.write(`running naive${tag}...\n`);
      const r = runChild("naive", dir);
      results.naive = r.emb;
      naive.push({ wall: r.wall, rss: r.maxRssMb });
    }
    if (cli) {
      process.stderr.write(`running the CLI cold, then warm${tag}...\n`);
      const { cold, warm } = coldAndWarm({
        cli: join(ROOT, "dist", "cli.js"),
        data: args.data,
        models: args.models,
        model: args.model,
        categories: args.categories,
        subset: args.subset,
        batchSize: String(args["batch-size"]),
        threads,
        device: args.device === "cuda" ? "cuda" : "cpu",
      });
      colds.push(cold);
      warms.push(warm);
    }
  }
  if (naive.length > 0) {
    naiveWall = median(naive.map((r) => r.wall));
    const name = `naive (per post, fp32, 512)${pairs > 1 ? `, median of ${pairs}` : ""}`;
    push(name, naiveWall, median(naive.map((r) => r.rss)), true);
  }
  for (const v of ["fp32", "fp16", "q8"]) {
    if (!only.has(v)) continue;
    process.stderr.write(`running ${v}...\n`);
    const r = runChild(v, dir);
    results[v] = r.emb;
    push(`embedder ${v} (batched, 256, ${args.device})`, r.wall, r.maxRssMb, false);
  }
  let warmRatio: string | undefined;
  let pairRatios: string | undefined;
  if (cli) {
    const of = pairs > 1 ? `, median of ${pairs}` : "";
    const cold = median(colds.map((r) => r.wall));
    const warm = median(warms.map((r) => r.wall));
    push(
      `CLI process, cold (empty cache dir, --k 4)${of}`,
      cold,
      median(colds.map((r) => r.maxRssMb)),
      false,
    );
    push(
      `CLI process, warm re-run (--k 5 after --k 4)${of}`,
      warm,
      median(warms.map((r) => r.maxRssMb)),
      false,
    );
    const t = warms.at(-1)?.timings ?? {};
    const stages = Object.entries(t)
      .map(([k, v]) => `${k} ${fmt(v, 2)}`)
      .join(", ");
    warmRatio = `warm/cold: ${fmt(warm / cold, 4)} (last warm run's stages, s: ${stages})`;
    if (naive.length === colds.length) {
      const each = naive.map((n, i) => n.wall / (colds[i] as CliRun).wall);
      pairRatios = `naive / cold CLI, each pair in order: ${each.map((r) => fmt(r, 2)).join(", ")} (median ${fmt(median(each), 2)})`;
    }
  }
  return { rows, results, warmRatio, pairRatios };
}

function printTable(rows: string[][]): void {
  const head = ["variant", "wall s", "posts/s", "pieces/s", "GFLOP/s", "peak MB", "x naive"];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[0] as number) : pad(c, widths[i] as number)))
      .join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(
    "(times include model load; GFLOP/s counts useful work: encoder matmuls + attention, no padding)",
  );
}

/** scripts/bench/kmeans.mjs: the tool against scikit-learn and the previous implementation. */
function kmeansRows(): void {
  const argv = [join(ROOT, "scripts", "bench", "kmeans.mjs"), "--data", args.data];
  argv.push("--repeats", args["kmeans-repeats"]);
  if (args.previous !== "") argv.push("--previous", args.previous);
  const r = spawnSync(process.execPath, argv, { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) console.log(`(scripts/bench/kmeans.mjs failed: exit ${r.status})`);
}

async function main(): Promise<void> {
  const only = new Set(args.only.split(","));
  const texts = await sampleTexts();
  const full = await tokenLengths(texts, 256);
  // The naive loop truncates at 512 (transformers.js's default), so it computes more tokens.
  const lengths512 = await tokenLengths(texts, 512);
  const work: Work = {
    posts: texts.length,
    pieces: full.reduce((a, b) => a + b, 0),
    pieces512: lengths512.reduce((a, b) => a + b, 0),
    flops256: full.reduce((s, l) => s + seqFlops(l), 0),
    flops512: lengths512.reduce((s, l) => s + seqFlops(l), 0),
  };
  const truncatedShare = full.filter((l) => l === 256).length / full.length;
  console.log(
    `newsgroup-cluster bench: ${texts.length} posts (${args.categories}; ${args.subset}), model ${args.model}`,
  );
  console.log(
    `machine: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, onnxruntime threads ${threads}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    `word pieces at 256: ${work.pieces} (mean ${fmt(work.pieces / texts.length)}), ${fmt(100 * truncatedShare)}% of posts truncated; at 512 (naive): ${work.pieces512}`,
  );
  const peak = await measureMatmulGflops(threads);
  console.log(
    `fp32 peak, measured (onnxruntime MatMul 4096x384x1536, ${threads} threads): ${fmt(peak)} GFLOP/s; nominal clock ${fmt(cpuClockGhz(), 2)} GHz x ${availableParallelism()} cores`,
  );
  const fixed = fixedCosts({
    cli: join(ROOT, "dist", "cli.js"),
    data: args.data,
    categories: args.categories,
    subset: args.subset,
  });
  console.log(
    `fixed costs (median of 3): process start-up (--version) ${fmt(fixed.startup, 2)} s; corpus, whole process: read and cleaned ${fmt(fixed.corpusCold, 2)} s, from the corpus cache ${fmt(fixed.corpusWarm, 2)} s; model start (${args.device === "cuda" ? "q8 session" : "host process forked to tokenizer and q8 session loaded"}) ${fmt(await modelLoadSeconds(), 2)} s`,
  );
  console.log("");

  const dir = mkdtempSync(join(tmpdir(), "ngc-bench-"));
  try {
    const { rows, results, warmRatio, pairRatios } = measureRows(only, work, dir);
    printTable(rows);
    if (warmRatio !== undefined) console.log(warmRatio);
    if (pairRatios !== undefined) console.log(pairRatios);
    if (results.fp32 && results.q8) {
      console.log(`q8 vs fp32: mean cosine ${fmt(cosineMean(results.fp32, results.q8), 5)}`);
    }
    if (!args["skip-kmeans"]) {
      console.log("");
      const emb = results.q8 ?? results.fp32;
      if (emb !== undefined) {
        const t0 = performance.now();
        await cluster(emb, { k: 4, seed: 42, nInit: 10, maxIterations: 300 });
        console.log(
          `k-means k=4, n-init 10 on ${emb.rows} x ${emb.dims} (these posts): ${fmt((performance.now() - t0) / 1000, 2)} s`,
        );
      }
      kmeansRows();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Nominal clock: os.cpus() reports 0 MHz in some VMs, /proc/cpuinfo still knows. */
function cpuClockGhz(): number {
  const mhz = cpus()[0]?.speed ?? 0;
  if (mhz > 0) return mhz / 1000;
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    return m ? Number(m[1]) / 1000 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

if (args.child !== undefined) {
  await child(args.child, args.out as string);
} else {
  await main();
}
