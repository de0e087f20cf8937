/**
 * Whole-process timings of the built CLI (dist/cli.js) for `npm run bench`: the cold run, the
 * warm re-run over the cache it left, and the fixed costs every run pays (process start-up,
 * reading the corpus cold and from the corpus cache, loading the model).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What one CLI process cost. */
export interface CliRun {
  /** Wall seconds, spawn to exit. */
  wall: number;
  /** Peak RSS in MB (GNU time), NaN without /usr/bin/time. */
  maxRssMb: number;
  /** The run's stage timings in seconds (`--format json`), when it printed them. */
  timings: Record<string, number> | undefined;
}

const hasGnuTime = () => spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status === 0;

/** Runs `node cli ...argv` once. @throws when it exits non-zero. */
export function runCliProcess(cli: string, argv: readonly string[]): CliRun {
  const gnuTime = hasGnuTime();
  const t0 = performance.now();
  const r = gnuTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, cli, ...argv], {
        encoding: "utf8",
        maxBuffer: 1 << 28,
      })
    : spawnSync(process.execPath, [cli, ...argv], { encoding: "utf8", maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`CLI ${argv.join(" ")} failed: ${r.stderr}`);
  const rss = gnuTime ? Number(r.stderr.trim().split("\n").at(-1)) / 1024 : Number.NaN;
  let timings: Record<string, number> | undefined;
  if (argv.includes("json")) {
    timings = (JSON.parse(r.stdout) as { timings?: Record<string, number> }).timings;
  }
  return { wall, maxRssMb: rss, timings };
}

/** The arguments every cluster run of the bench shares. */
export interface ClusterArgs {
  cli: string;
  data: string;
  models: string;
  model: string;
  categories: string;
  subset: string;
  batchSize: string;
  threads: number;
  device: string;
}

function clusterArgv(a: ClusterArgs, cacheDir: string): string[] {
  return [
    "--data",
    a.data,
    "--models",
    a.models,
    "--model",
    a.model,
    "--categories",
    a.categories,
    "--subset",
    a.subset,
    "--cache-dir",
    cacheDir,
    "--batch-size",
    a.batchSize,
    "--threads",
    String(a.threads),
    "--device",
    a.device,
    "--format",
    "json",
    "--quiet",
  ];
}

/**
 * The CLI cold (an empty cache directory: nothing cached, the cache written on the way) with
 * `--k 4`, then warm with `--k 5` over the cache it left, as a user re-runs it.
 */
export function coldAndWarm(a: ClusterArgs): { cold: CliRun; warm: CliRun } {
  const dir = mkdtempSync(join(tmpdir(), "ngc-bench-cache-"));
  try {
    const cold = runCliProcess(a.cli, [...clusterArgv(a, dir), "--k", "4"]);
    const warm = runCliProcess(a.cli, [...clusterArgv(a, dir), "--k", "5"]);
    return { cold, warm };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fixed costs in seconds. */
export interface FixedCosts {
  /** `--version`: node start-up plus the CLI's imports. */
  startup: number;
  /** `corpus` reading and cleaning the archive (no corpus cache), whole process. */
  corpusCold: number;
  /** `corpus` again, served by the corpus cache, whole process. */
  corpusWarm: number;
}

/** Start-up and corpus costs, each the median of three processes. */
export function fixedCosts(
  a: Pick<ClusterArgs, "cli" | "data" | "categories" | "subset">,
): FixedCosts {
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1] as number;
  const startup = median([0, 1, 2].map(() => runCliProcess(a.cli, ["--version"]).wall));
  const corpus = (dir: string) =>
    runCliProcess(a.cli, [
      "corpus",
      "--data",
      a.data,
      "--categories",
      a.categories,
      "--subset",
      a.subset,
      "--cache-dir",
      dir,
    ]).wall;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = mkdtempSync(join(tmpdir(), "ngc-bench-corpus-"));
    try {
      cold.push(corpus(dir));
      warm.push(corpus(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { startup, corpusCold: median(cold), corpusWarm: median(warm) };
}
