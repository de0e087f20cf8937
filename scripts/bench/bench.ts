/**
 * `npm run bench`: embedding speed on the default four-group corpus with the exact
 * all-MiniLM-L6-v2 architecture (../shared/models/random-minilm-l6, random weights: same
 * arithmetic, so the same speed; never a quality figure). Prints, side by side: the naive
 * per-post loop, the CLI's embedder at fp32 and q8, and the whole CLI process cold; then k-means
 * times. Each variant runs in its own process so that its peak memory is its own.
 *
 *   npm run bench -- [--limit N] [--models DIR] [--model ID] [--data FILE] [--threads N]
 *                    [--batch-size N] [--only naive,fp32,q8,cli] [--skip-kmeans] [--device cpu|cuda]
 *
 * With --device cuda the embedder variants run on onnxruntime's CUDA execution provider (and fail
 * with the reason when it cannot load); the naive loop stays on the CPU, as the notebook's
 * baseline. scripts/gpu-bench.sh runs this on a GPU machine.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cluster } from "../../src/cluster/kmeans.js";
import { loadCorpus } from "../../src/dataset/corpus.js";
import { ALL_GROUPS, DEFAULT_GROUPS } from "../../src/dataset/groups.js";
import { decodeNpy, writeNpyAtomic } from "../../src/embed/npy.js";
import { TransformersEmbedder } from "../../src/embed/transformers.js";
import { mulberry32 } from "../../src/linalg/random.js";
import type { Embeddings } from "../../src/types.js";
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

async function sampleTexts(): Promise<string[]> {
  const corpus = await loadCorpus(
    readFileSync(args.data),
    { categories: [...DEFAULT_GROUPS], subset: "all", remove: [...REMOVE] },
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
  const keep = ["limit", "models", "model", "data", "threads", "batch-size", "device"] as const;
  return keep.flatMap((k) => (args[k] === undefined ? [] : [`--${k}`, String(args[k])]));
}

/** The whole CLI, cold (no cache), as a user runs it: process start to exit. */
function runCli(dir: string): { wall: number; maxRssMb: number } | undefined {
  if (args.limit !== undefined) return undefined;
  const cli = join(ROOT, "dist", "cli.js");
  const argv = [cli, "--k", "4", "--format", "csv", "--no-cache", "--quiet"];
  argv.push(
    "--data",
    args.data,
    "--models",
    args.models,
    "--model",
    args.model,
    "--cache-dir",
    dir,
  );
  argv.push("--batch-size", String(args["batch-size"]), "--threads", String(threads));
  argv.push("--device", args.device === "cuda" ? "cuda" : "cpu");
  // GNU time gives the child's peak RSS; without it, report the wall time only.
  const hasTime = spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status === 0;
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, ...argv], { encoding: "utf8" })
    : spawnSync(process.execPath, argv, { encoding: "utf8" });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`CLI failed: ${r.stderr}`);
  const rss = hasTime ? Number(r.stderr.trim().split("\n").at(-1)) / 1024 : Number.NaN;
  return { wall, maxRssMb: rss };
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

async function main(): Promise<void> {
  const only = new Set(args.only.split(","));
  const texts = await sampleTexts();
  const full = await tokenLengths(texts, 256);
  const pieces = full.reduce((a, b) => a + b, 0);
  // The naive loop truncates at 512 (transformers.js's default), so it computes more tokens.
  const lengths512 = await tokenLengths(texts, 512);
  const truncatedShare = full.filter((l) => l === 256).length / full.length;

  console.log(
    `newsgroup-cluster bench: ${texts.length} posts of the default four groups, model ${args.model}`,
  );
  console.log(
    `machine: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, onnxruntime threads ${threads}`,
  );
  console.log(
    `word pieces at 256: ${pieces} (mean ${fmt(pieces / texts.length)}), ${fmt(100 * truncatedShare)}% of posts truncated; at 512 (naive): ${lengths512.reduce((a, b) => a + b, 0)}`,
  );
  const peak = await measureMatmulGflops(threads);
  const clockGhz = cpuClockGhz();
  console.log(
    `fp32 peak, measured (onnxruntime MatMul 4096x384x1536, ${threads} threads): ${fmt(peak)} GFLOP/s; nominal clock ${fmt(clockGhz, 2)} GHz x ${availableParallelism()} cores`,
  );
  console.log("");

  const dir = mkdtempSync(join(tmpdir(), "ngc-bench-"));
  try {
    const rows: string[][] = [];
    const flops256 = full.reduce((s, l) => s + seqFlops(l), 0);
    const flops512 = lengths512.reduce((s, l) => s + seqFlops(l), 0);
    let naiveWall = Number.NaN;
    const results: Record<string, Embeddings> = {};
    for (const v of ["naive", "fp32", "fp16", "q8"]) {
      if (!only.has(v)) continue;
      process.stderr.write(`running ${v}...\n`);
      const r = runChild(v, dir);
      results[v] = r.emb;
      if (v === "naive") naiveWall = r.wall;
      const flops = v === "naive" ? flops512 : flops256;
      rows.push([
        v === "naive"
          ? "naive (per post, fp32, 512)"
          : `embedder ${v} (batched, 256, ${args.device})`,
        fmt(r.wall),
        fmt(texts.length / r.wall),
        fmt((v === "naive" ? lengths512.reduce((a, b) => a + b, 0) : pieces) / r.wall, 0),
        fmt(flops / r.wall / 1e9),
        fmt(r.maxRssMb, 0),
        fmt(naiveWall / r.wall, 2),
      ]);
    }
    if (only.has("cli")) {
      process.stderr.write("running the CLI cold...\n");
      const c = runCli(dir);
      if (c !== undefined) {
        rows.push([
          "CLI process, cold (auto=q8)",
          fmt(c.wall),
          fmt(texts.length / c.wall),
          fmt(pieces / c.wall, 0),
          fmt(flops256 / c.wall / 1e9),
          fmt(c.maxRssMb, 0),
          fmt(naiveWall / c.wall, 2),
        ]);
      }
    }
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
      const big = syntheticCorpus(18846, 384, ALL_GROUPS.length);
      const t1 = performance.now();
      await cluster(big, { k: 20, seed: 42, nInit: 10, maxIterations: 300 });
      console.log(
        `k-means k=20, n-init 10 on 18846 x 384 (all 20 groups' size; synthetic unit vectors around 20 centres): ${fmt((performance.now() - t1) / 1000, 2)} s`,
      );
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

/** Unit vectors scattered around `k` random centres: clustered like sentence embeddings. */
function syntheticCorpus(n: number, dims: number, k: number): Embeddings {
  const rand = mulberry32(1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: k }, () => Array.from({ length: dims }, gauss));
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const c = centres[i % k] as number[];
    let s = 0;
    for (let t = 0; t < dims; t++) {
      const v = 0.6 * (c[t] as number) + gauss();
      data[i * dims + t] = v;
      s += v * v;
    }
    const inv = 1 / Math.sqrt(s);
    for (let t = 0; t < dims; t++) data[i * dims + t] = (data[i * dims + t] as number) * inv;
  }
  return { rows: n, dims, data };
}

if (args.child !== undefined) {
  await child(args.child, args.out as string);
} else {
  await main();
}
