#!/usr/bin/env node
/**
 * The executable: parses the command line (program.ts), wires the real dependencies, writes the
 * report to stdout and maps every error to its exit code. Nothing imports this module.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { CommanderError } from "commander";
import { outputTarget, removeTempFilesSync, writeOutputFile, writeStdout } from "./atomic.js";
import { saveCorpusCache } from "./dataset/corpus-cache.js";
import { ARCHIVE_NAME } from "./dataset/locate.js";
import {
  ENV,
  isModelFolder,
  note,
  pipelineDeps,
  progressOf,
  readCorpus,
  shownPath,
  TOOL_ENV,
} from "./deps.js";
import { encodeNpy } from "./embed/npy.js";
import { CliError, ExitCode, usageError } from "./errors.js";
import { pca2 } from "./evaluate/project.js";
import { type AnyOutput, runAny } from "./pipeline.js";
import { buildProgram, type ClusterConfig, type Config, type SourceConfig } from "./program.js";
import type { Progress } from "./progress.js";
import { formatAssignments } from "./report/assignments.js";
import { formatResult } from "./report/format.js";
import { formatSweep } from "./report/sweep.js";
import { formatUnlabelled } from "./report/unlabelled.js";

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
  return ENV.columns;
}

async function runCorpus(cfg: SourceConfig, signal: AbortSignal): Promise<void> {
  const corpus = await readCorpus(cfg, signal);
  const lines = corpus.docs.map((d) =>
    JSON.stringify({ split: d.split, group: d.group, id: d.id, text: d.text }),
  );
  await writeOut(lines.length > 0 ? `${lines.join("\n")}\n` : "");
}

/** "0.65 MB", "12.3 kB", "512 B". */
function size(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** Writes one output file, then says so. @throws CliError(output) naming the option and path. */
async function writeOutput(
  option: string,
  path: string,
  data: string | Uint8Array,
  progress: Progress,
): Promise<void> {
  try {
    await writeOutputFile(path, data);
  } catch (err) {
    throw new CliError("output", `cannot write ${option} ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const bytes = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
  progress.line(`wrote ${shownPath(path)} (${size(bytes)})`);
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

/** What the posts need for the options given: labels for the quality gates. */
function labelsNeededBy(cfg: ClusterConfig): string | undefined {
  if (cfg.minAri !== undefined) return "--min-ari";
  if (cfg.minNmi !== undefined) return "--min-nmi";
  return undefined;
}

async function runCluster(cfg: ClusterConfig, signal: AbortSignal): Promise<void> {
  await checkOutputPaths(cfg);
  const progress = progressOf(cfg);
  try {
    const { input } = cfg;
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
      pipelineDeps(cfg, signal, progress),
    );
    progress.stop();
    await writeOutputs(cfg, out, signal, progress);
  } finally {
    progress.stop();
  }
}

const HELP_HINT = " (see --help)";

/**
 * A commander error (`error: unknown option '--catgories'\n(Did you mean --categories?)`) as one
 * line in the tool's style: `newsgroup-cluster: error: unknown option '--catgories'; did you mean
 * --categories? (see --help)`.
 */
function usageLine(str: string): string {
  const text = str
    .trim()
    .replace(/^error: /, "")
    .replace(/\s*\n\s*\(Did you mean (.*)\?\)$/s, "; did you mean $1?")
    .replace(/\s*\n\s*/g, " ");
  return `newsgroup-cluster: error: ${text}${text.includes("--help") ? "" : HELP_HINT}\n`;
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
  progress: Progress,
): Promise<void> {
  const best = out.kind === "sweep" ? out.best : out;
  const emptyClusters = best.result.labels.filter((l) => l.size === 0).length;
  if (emptyClusters > 0) {
    note(cfg)(
      `${emptyClusters} of ${best.result.labels.length} clusters ended up empty (no post is nearest their centre); try a smaller --k`,
    );
  }
  if (best.result.metrics.silhouetteOmitted !== undefined)
    note(cfg)(`silhouette omitted: it ${best.result.metrics.silhouetteOmitted}`);
  if (cfg.saveEmbeddings !== undefined) {
    const npy = encodeNpy(best.embeddings);
    await writeOutput("--save-embeddings", cfg.saveEmbeddings, npy, progress);
  }
  if (cfg.assignments !== undefined) {
    const { path, format } = cfg.assignments;
    const text = formatAssignments(best.corpus.docs, best.labels, best.distances, format);
    await writeOutput("--assignments", path, text, progress);
  }
  if (cfg.report !== undefined) {
    // The model as the user named it: an id, or its folder relative to the working directory.
    const config = { ...best.result.config, model: shownPath(best.result.config.model) };
    // The HTML report's modules load only with --report (25 ms of every start-up otherwise).
    const { renderHtmlReport } = await import("./report/html/page.js");
    const { renderSweepSection, withSection } = await import("./report/sweep-html.js");
    const html = renderHtmlReport({
      result: { ...best.result, config },
      version: VERSION,
      posts: best.corpus.docs,
      labels: best.labels,
      distances: best.distances,
      points: await pca2(best.embeddings, signal),
    });
    const page = out.kind === "sweep" ? withSection(html, renderSweepSection(out.sweep)) : html;
    const path = cfg.report;
    await writeOutput("--report", path, page, progress);
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

  const program = buildProgram(
    VERSION,
    TOOL_ENV,
    async (cfg: Config) => {
      debug = cfg.debug;
      switch (cfg.command) {
        case "corpus":
          return runCorpus(cfg, controller.signal);
        case "cluster":
          return runCluster(cfg, controller.signal);
      }
    },
    { isModelFolder },
  );
  // Commander's own usage errors in the tool's one-line style (see usageLine).
  const outputError = (str: string) => process.stderr.write(usageLine(str));
  for (const c of [program, ...program.commands]) {
    c.exitOverride();
    c.configureOutput({ outputError });
  }
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
      const hint = err.kind === "usage" && !err.message.includes("--help") ? HELP_HINT : "";
      process.stderr.write(`newsgroup-cluster: error: ${err.message}${hint}\n`);
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
