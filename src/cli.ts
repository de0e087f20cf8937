#!/usr/bin/env node
/**
 * The executable: parses the command line (program.ts), wires the real dependencies, writes the
 * report to stdout and maps every error to its exit code. Nothing imports this module.
 */
import { readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CommanderError } from "commander";
import { outputTarget, removeTempFilesSync, writeOutputFile, writeStdout } from "./atomic.js";
import { loadCorpus } from "./dataset/corpus.js";
import { lookupCorpus, saveCorpusCache } from "./dataset/corpus-cache.js";
import { readInputFile } from "./dataset/input.js";
import { ARCHIVE_NAME, locateArchive, OFFICIAL_SHA256, OFFICIAL_URL } from "./dataset/locate.js";
import { CachedEmbedder } from "./embed/cache.js";
import type { Embedder } from "./embed/embedder.js";
import { saveFingerprintMemos } from "./embed/fingerprint.js";
import { encodeNpy } from "./embed/npy.js";
import { modelFingerprint, modelLabel, plannedDtype } from "./embed/plan.js";
import { PrecomputedEmbedder } from "./embed/precomputed.js";
import { TfidfLsaEmbedder } from "./embed/tfidf.js";
import { CliError, dataError, ExitCode, usageError } from "./errors.js";
import { pca2 } from "./evaluate/project.js";
import { type AnyOutput, runAny } from "./pipeline.js";
import { buildProgram, type ClusterConfig, type Config, type SourceConfig } from "./program.js";
import { createProgress } from "./progress.js";
import { formatAssignments } from "./report/assignments.js";
import { formatResult } from "./report/format.js";
import { renderHtmlReport } from "./report/html/page.js";
import { formatSweep } from "./report/sweep.js";
import { renderSweepSection, withSection } from "./report/sweep-html.js";
import { formatUnlabelled } from "./report/unlabelled.js";
import type { Corpus } from "./types.js";

const require = createRequire(import.meta.url);
const VERSION: string = (require("../package.json") as { version: string }).version;

/** stdout went away (`| head -1`): not an error, exit 0 quietly. */
class StdoutClosed extends Error {}

const stdoutError = (err: unknown) =>
  (err as NodeJS.ErrnoException).code === "EPIPE"
    ? new StdoutClosed()
    : new CliError("output", `cannot write stdout: ${(err as Error).message}`, { cause: err });

/** Writes to stdout, every byte. @throws CliError(output); StdoutClosed on EPIPE. */
function writeOut(text: string): Promise<void> {
  return writeStdout(text).catch((err) => {
    throw stdoutError(err);
  });
}

/** The width the boxed table must fit: the terminal's, or COLUMNS when stdout is not one. */
function terminalColumns(): number | undefined {
  if (process.stdout.isTTY) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}

const note = (cfg: SourceConfig) => (line: string) => {
  if (!cfg.quiet) process.stderr.write(`newsgroup-cluster: ${line}\n`);
};

async function readCorpus(cfg: SourceConfig, signal: AbortSignal): Promise<Corpus> {
  const located = await locateArchive(
    {
      explicitPath: cfg.data?.path,
      explicitFrom: cfg.data?.from,
      cacheDir: cfg.cacheDir,
      offline: cfg.offline,
      url: process.env.NEWSGROUP_CLUSTER_DATA_URL || OFFICIAL_URL,
      // Any case; empty means the default.
      sha256: (process.env.NEWSGROUP_CLUSTER_DATA_SHA256?.trim() || OFFICIAL_SHA256).toLowerCase(),
      // Checked only when a download happens: a bad value must not fail runs that download nothing.
      timeoutMs: () => downloadTimeoutMs(process.env.NEWSGROUP_CLUSTER_TIMEOUT_MS),
    },
    { fetch: globalThis.fetch, log: note(cfg) },
  );
  // The cleaned corpus is cached like the vectors: not with --no-cache or a throw-away download.
  const noCache = ("cache" in cfg && cfg.cache === false) || located.temporary !== undefined;
  const cached = await lookupCorpus(
    noCache ? undefined : cfg.cacheDir,
    located.path,
    cfg.selection,
    note(cfg),
  );
  if (cached.corpus !== undefined) return cached.corpus;
  let bytes: Buffer;
  try {
    bytes = await readFile(located.path);
  } catch (err) {
    throw dataError(`cannot read ${located.path}: ${(err as Error).message}`, err);
  } finally {
    if (located.temporary !== undefined)
      await rm(located.temporary, { recursive: true, force: true }).catch(() => {});
  }
  const corpus = await loadCorpus(bytes, cfg.selection, located.path, signal);
  cached.stage(corpus);
  return corpus;
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

async function runCorpus(cfg: SourceConfig, signal: AbortSignal): Promise<void> {
  const corpus = await readCorpus(cfg, signal);
  const lines = corpus.docs.map((d) =>
    JSON.stringify({ split: d.split, group: d.group, id: d.id, text: d.text }),
  );
  await writeOut(lines.length > 0 ? `${lines.join("\n")}\n` : "");
}

async function createEmbedder(cfg: ClusterConfig, log: (line: string) => void): Promise<Embedder> {
  // TF-IDF vectors depend on the whole corpus, so per-text caching does not apply.
  if (cfg.embedder === "tfidf") return new TfidfLsaEmbedder({ seed: cfg.seed });
  // Loaded only when a text needs the model: importing transformers.js and onnxruntime costs
  // ~0.3 s that `corpus`, `--help`, usage errors, TF-IDF and fully cached runs do not need.
  const model = async () => {
    const { TransformersEmbedder } = await import("./embed/transformers.js");
    return TransformersEmbedder.create({
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
      timeoutMs: () => downloadTimeoutMs(process.env.NEWSGROUP_CLUSTER_TIMEOUT_MS),
    });
  };
  if (!cfg.cache) return model();
  return new CachedEmbedder({
    info: {
      model: modelLabel(cfg),
      dtype: plannedDtype(cfg.dtype, cfg.device),
      maxLength: cfg.maxLength,
    },
    createInner: model,
    fingerprint: (dtype) => modelFingerprint(cfg, dtype),
    onSaved: saveFingerprintMemos,
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

/**
 * Outputs must not overwrite an input or each other: compared by real path (links resolved),
 * before any work. Devices (`/dev/null`) may be named twice.
 * @throws CliError(usage) naming both options.
 */
async function checkOutputPaths(cfg: ClusterConfig): Promise<void> {
  const outputs: [string, string | undefined][] = [
    ["--save-embeddings", cfg.saveEmbeddings],
    ["--assignments", cfg.assignments?.path],
    ["--report", cfg.report],
  ];
  const seen: [string, string][] = [];
  if (cfg.data !== undefined) seen.push([cfg.data.from, (await outputTarget(cfg.data.path)).path]);
  seen.push(["the cached corpus", (await outputTarget(join(cfg.cacheDir, ARCHIVE_NAME))).path]);
  if (cfg.input !== undefined && cfg.input.path !== "-") {
    seen.push(["--input", (await outputTarget(cfg.input.path)).path]);
  }
  if (cfg.embeddings !== undefined) {
    seen.push(["--embeddings", (await outputTarget(cfg.embeddings)).path]);
  }
  for (const [option, path] of outputs) {
    if (path === undefined) continue;
    const target = await outputTarget(path);
    if (!target.regular) continue;
    const clash = seen.find(([, p]) => p === target.path);
    if (clash !== undefined) {
      throw usageError(
        `${option} ${path} is the same file as ${clash[0]}; writing it would overwrite that file`,
      );
    }
    seen.push([option, target.path]);
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
  await checkOutputPaths(cfg);
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
            ? readCorpus(cfg, signal)
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
    await writeOutputs(cfg, out, signal);
  } finally {
    progress.stop();
  }
}

/** Ends the process at once: in-flight temp files removed first (nothing else is left behind). */
function exitNow(code: number): never {
  removeTempFilesSync();
  process.exit(code);
}

/** How long stages get to unwind after Ctrl-C before the process exits anyway. */
const UNWIND_MS = 250;

/**
 * Ctrl-C: aborts the run's signal, so that every stage stops at its next checkpoint (within
 * 50 ms) and unwinds; the process then exits 130. A stage that does not unwind within UNWIND_MS,
 * or a second Ctrl-C, ends it at once. Either way no temp file is left.
 */
function onInterrupt(controller: AbortController): void {
  let count = 0;
  process.on("SIGINT", () => {
    count++;
    if (count > 1) exitNow(ExitCode.interrupted);
    controller.abort();
    process.stderr.write("\nnewsgroup-cluster: interrupted\n");
    setTimeout(() => exitNow(ExitCode.interrupted), UNWIND_MS).unref();
  });
}

/** Writes the files asked for, then the report to stdout, then applies the quality gates. */
async function writeOutputs(
  cfg: ClusterConfig,
  out: AnyOutput,
  signal: AbortSignal,
): Promise<void> {
  const best = out.kind === "sweep" ? out.best : out;
  if (best.result.metrics.silhouetteOmitted !== undefined)
    note(cfg)(`silhouette omitted: it ${best.result.metrics.silhouetteOmitted}`);
  if (cfg.saveEmbeddings !== undefined) {
    await writeOutput("--save-embeddings", cfg.saveEmbeddings, () =>
      writeOutputFile(cfg.saveEmbeddings as string, encodeNpy(best.embeddings)),
    );
  }
  if (cfg.assignments !== undefined) {
    const { path, format } = cfg.assignments;
    const text = formatAssignments(best.corpus.docs, best.labels, best.distances, format);
    await writeOutput("--assignments", path, () => writeOutputFile(path, text));
  }
  if (cfg.report !== undefined && best.kind === "labelled") {
    const html = renderHtmlReport({
      result: best.result,
      version: VERSION,
      posts: best.corpus.docs,
      labels: best.labels,
      distances: best.distances,
      points: await pca2(best.embeddings, signal),
    });
    const page = out.kind === "sweep" ? withSection(html, renderSweepSection(out.sweep)) : html;
    const path = cfg.report;
    await writeOutput("--report", path, () => writeOutputFile(path, page));
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
  await writeOut(formatResult(result, cfg.format, VERSION, terminalColumns()));
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
  onInterrupt(controller);
  // `newsgroup-cluster ... | head -1`: the reader went away; that is not an error.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") exitNow(ExitCode.ok);
  });

  const program = buildProgram(VERSION, process.env, async (cfg: Config) => {
    debug = cfg.debug;
    switch (cfg.command) {
      case "corpus":
        return runCorpus(cfg, controller.signal);
      case "cluster":
        return runCluster(cfg, controller.signal);
    }
  });
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
    await saveCorpusCache();
    return ExitCode.ok;
  } catch (err) {
    if (controller.signal.aborted) exitNow(ExitCode.interrupted);
    if (err instanceof StdoutClosed) exitNow(ExitCode.ok);
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
