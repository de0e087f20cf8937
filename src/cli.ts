#!/usr/bin/env node
/**
 * The executable: parses the command line (program.ts), wires the real dependencies, writes the
 * report to stdout and maps every error to its exit code. Nothing imports this module.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { CommanderError } from "commander";
import { writeFileAtomic } from "./atomic.js";
import { loadCorpus } from "./dataset/corpus.js";
import { readInputFile } from "./dataset/input.js";
import { locateArchive, OFFICIAL_SHA256, OFFICIAL_URL } from "./dataset/locate.js";
import { CachedEmbedder } from "./embed/cache.js";
import type { Embedder } from "./embed/embedder.js";
import { writeNpyAtomic } from "./embed/npy.js";
import { PrecomputedEmbedder } from "./embed/precomputed.js";
import { TfidfLsaEmbedder } from "./embed/tfidf.js";
import { CliError, dataError, ExitCode } from "./errors.js";
import { pca2 } from "./evaluate/project.js";
import { type AnyOutput, runAny } from "./pipeline.js";
import { buildProgram, type ClusterConfig, type Config, type SourceConfig } from "./program.js";
import { createProgress } from "./progress.js";
import { formatAssignments } from "./report/assignments.js";
import { formatResult } from "./report/format.js";
import { renderHtmlReport } from "./report/html.js";
import { formatSweep } from "./report/sweep.js";
import { renderSweepSection, withSection } from "./report/sweep-html.js";
import { formatUnlabelled } from "./report/unlabelled.js";
import type { Corpus } from "./types.js";

const require = createRequire(import.meta.url);
const VERSION: string = (require("../package.json") as { version: string }).version;

/** Writes to stdout and resolves once flushed, so the exit code follows the data. */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

const note = (cfg: SourceConfig) => (line: string) => {
  if (!cfg.quiet) process.stderr.write(`newsgroup-cluster: ${line}\n`);
};

async function readCorpus(cfg: SourceConfig): Promise<Corpus> {
  const located = await locateArchive(
    {
      explicitPath: cfg.data?.path,
      explicitFrom: cfg.data?.from,
      cacheDir: cfg.cacheDir,
      offline: cfg.offline,
      url: process.env.NEWSGROUP_CLUSTER_DATA_URL ?? OFFICIAL_URL,
      sha256: process.env.NEWSGROUP_CLUSTER_DATA_SHA256 ?? OFFICIAL_SHA256,
      timeoutMs: downloadTimeoutMs(process.env.NEWSGROUP_CLUSTER_TIMEOUT_MS),
    },
    { fetch: globalThis.fetch, log: note(cfg) },
  );
  let bytes: Buffer;
  try {
    bytes = await readFile(located.path);
  } catch (err) {
    throw dataError(`cannot read ${located.path}: ${(err as Error).message}`, err);
  }
  return loadCorpus(bytes, cfg.selection, located.path);
}

/** NEWSGROUP_CLUSTER_TIMEOUT_MS: unset or empty = 60 s; anything but a positive integer is a usage error. */
function downloadTimeoutMs(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 60_000;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0) {
    throw new CliError(
      "usage",
      `NEWSGROUP_CLUSTER_TIMEOUT_MS must be a positive integer of milliseconds, got '${raw}'`,
    );
  }
  return Number(raw);
}

async function runCorpus(cfg: SourceConfig): Promise<void> {
  const corpus = await readCorpus(cfg);
  const lines = corpus.docs.map((d) =>
    JSON.stringify({ split: d.split, group: d.group, id: d.id, text: d.text }),
  );
  await writeOut(lines.length > 0 ? `${lines.join("\n")}\n` : "");
}

async function createEmbedder(cfg: ClusterConfig, log: (line: string) => void): Promise<Embedder> {
  // TF-IDF vectors depend on the whole corpus, so per-text caching does not apply.
  if (cfg.embedder === "tfidf") return new TfidfLsaEmbedder({ seed: cfg.seed });
  // Loaded here, not at start-up: importing transformers.js and onnxruntime costs ~150 ms that
  // `corpus`, `--help`, usage errors and the TF-IDF path do not need.
  const { modelLabel, plannedDtype, TransformersEmbedder } = await import(
    "./embed/transformers.js"
  );
  const model = () =>
    TransformersEmbedder.create({
      model: cfg.model,
      modelsDir: cfg.modelsDir,
      cacheDir: cfg.cacheDir,
      offline: cfg.offline,
      remoteHost: process.env.NEWSGROUP_CLUSTER_HF_ENDPOINT,
      dtype: cfg.dtype,
      device: cfg.device,
      maxLength: cfg.maxLength,
      batchSize: cfg.batchSize,
      threads: cfg.threads,
      log,
    });
  if (!cfg.cache) return model();
  return new CachedEmbedder({
    info: {
      model: modelLabel(cfg),
      dtype: plannedDtype(cfg.dtype, cfg.device),
      maxLength: cfg.maxLength,
    },
    createInner: model,
    cacheDir: cfg.cacheDir,
    log,
  });
}

async function writeOutput(
  option: string,
  path: string,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write();
  } catch (err) {
    throw new CliError("output", `cannot write ${option} ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** What the posts need for the options given: labels for the quality gates and the report. */
function labelsNeededBy(cfg: ClusterConfig): string | undefined {
  if (cfg.minAri !== undefined) return "--min-ari";
  if (cfg.minNmi !== undefined) return "--min-nmi";
  // The HTML page is drawn around the newsgroup table; posts without labels are not wired yet.
  if (cfg.report !== undefined) return "--report";
  return undefined;
}

async function runCluster(cfg: ClusterConfig, signal: AbortSignal): Promise<void> {
  const log = note(cfg);
  const progress = createProgress(process.stderr, !cfg.quiet && process.stderr.isTTY === true);
  try {
    const { input, embeddings } = cfg;
    const out = await runAny(
      {
        selection: cfg.selection,
        embedder: cfg.embedder,
        k: cfg.k,
        seed: cfg.seed,
        nInit: cfg.nInit,
        maxIterations: cfg.maxIterations,
        order: cfg.order,
        topTerms: cfg.topTerms,
        silhouette: cfg.silhouette,
        sweep: cfg.sweep,
        input: input?.path,
        labelsNeededBy: labelsNeededBy(cfg),
      },
      {
        loadCorpus: () =>
          input === undefined
            ? readCorpus(cfg)
            : readInputFile(input.path, input.format, input.fields, process.stdin, signal),
        createEmbedder: () =>
          embeddings === undefined
            ? createEmbedder(cfg, log)
            : PrecomputedEmbedder.load(embeddings, signal),
        now: () => performance.now(),
        onEmbedProgress: (done, total) => progress.update(done, total),
        onSweepProgress: (done, total, k) => log(`k-means k=${k} done (${done}/${total})`),
        signal,
      },
    );
    progress.stop();
    await writeOutputs(cfg, out);
  } finally {
    progress.stop();
  }
}

/** Writes the files asked for, then the report to stdout, then applies the quality gates. */
async function writeOutputs(cfg: ClusterConfig, out: AnyOutput): Promise<void> {
  const best = out.kind === "sweep" ? out.best : out;
  if (cfg.saveEmbeddings !== undefined) {
    await writeOutput("--save-embeddings", cfg.saveEmbeddings, () =>
      writeNpyAtomic(cfg.saveEmbeddings as string, best.embeddings),
    );
  }
  if (cfg.assignments !== undefined) {
    const { path, format } = cfg.assignments;
    const text = formatAssignments(best.corpus.docs, best.labels, best.distances, format);
    await writeOutput("--assignments", path, () => writeFileAtomic(path, text));
  }
  if (cfg.report !== undefined && best.kind === "labelled") {
    const html = renderHtmlReport({
      result: best.result,
      version: VERSION,
      posts: best.corpus.docs,
      labels: best.labels,
      distances: best.distances,
      points: pca2(best.embeddings),
    });
    const page = out.kind === "sweep" ? withSection(html, renderSweepSection(out.sweep)) : html;
    const path = cfg.report;
    await writeOutput("--report", path, () => writeFileAtomic(path, page));
  }
  if (out.kind === "sweep") {
    if (out.sweep.silhouetteSample !== undefined && cfg.format !== "table") {
      note(cfg)(`silhouette estimated on a seeded sample of ${out.sweep.silhouetteSample} posts`);
    }
    await writeOut(formatSweep(out.sweep, cfg.format, VERSION));
    return;
  }
  if (out.kind === "unlabelled") {
    await writeOut(formatUnlabelled(out.result, cfg.format, VERSION));
    return;
  }
  const { result } = out;
  await writeOut(formatResult(result, cfg.format, VERSION));
  const failed = [
    cfg.minAri !== undefined && result.metrics.ari < cfg.minAri
      ? `ARI ${result.metrics.ari.toFixed(4)} is below --min-ari ${cfg.minAri}`
      : "",
    cfg.minNmi !== undefined && result.metrics.nmi < cfg.minNmi
      ? `NMI ${result.metrics.nmi.toFixed(4)} is below --min-nmi ${cfg.minNmi}`
      : "",
  ].filter((s) => s !== "");
  if (failed.length > 0) throw new CliError("gate", `quality gate failed: ${failed.join("; ")}`);
}

async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let debug = argv.includes("--debug");
  process.once("SIGINT", () => {
    controller.abort();
    process.stderr.write("\nnewsgroup-cluster: interrupted\n");
    process.exit(ExitCode.interrupted);
  });
  // `newsgroup-cluster ... | head -1`: the reader went away; that is not an error.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(ExitCode.ok);
  });

  const program = buildProgram(VERSION, process.env, async (cfg: Config) => {
    debug = cfg.debug;
    switch (cfg.command) {
      case "corpus":
        return runCorpus(cfg);
      case "cluster":
        return runCluster(cfg, controller.signal);
    }
  });
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error is a usage error (commander printed it).
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`newsgroup-cluster: error: ${err.message}\n`);
      if (debug && err.cause)
        process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
      return err.exitCode;
    }
    if (err instanceof Error && err.name === "AbortError") return ExitCode.interrupted;
    process.stderr.write(
      `newsgroup-cluster: internal error: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    else
      process.stderr.write(
        "newsgroup-cluster: run again with --debug for the stack trace, and please report it\n",
      );
    return ExitCode.internal;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
