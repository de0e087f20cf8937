/**
 * Ctrl-C in the long numeric loops of the TF-IDF path: the randomized SVD and the report's PCA
 * call the interrupt checkpoint, so SIGINT ends the spawned CLI with exit 130 within half a
 * second (the bound below adds slack for a loaded machine, as signals.test.ts does).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliTempDirs } from "../helpers.js";
import { REAL_ARCHIVE, TAG } from "../support/layers.js";
import { said, spawnCli } from "./server.js";

const tempDir = cliTempDirs("ngc-loops-");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** 500 ms asked for, plus slack for a machine shared with other test runs. */
const LATENCY_MS = 1_000;
const ALL = [
  "--data",
  REAL_ARCHIVE ?? "",
  "--embedder",
  "tfidf",
  "--categories",
  "all",
  "--k",
  "20",
  "--format",
  "csv",
];

// All 20 groups of the real corpus make an SVD long enough to interrupt: the full layer.
describe.skipIf(REAL_ARCHIVE === undefined)(`${TAG.full} SIGINT in the numeric loops`, () => {
  it("during the TF-IDF randomized SVD: exit 130 within the bound, nothing on stdout", async () => {
    // On an idle 2-core machine: reading the corpus ~1 s, counting terms ~1 s, then the SVD of
    // 18,846 x 24,164 for ~6.5 s (k-means only after that). At 5 s the SVD is running; on a
    // loaded machine every stage is slower, so it is the SVD or the term counting, which
    // yields too. Without the SVD's checkpoints the exit waits for the SVD's end (seconds).
    const run = spawnCli(ALL, { cacheDir: tempDir(), timeoutMs: 60_000 });
    await sleep(5_000);
    expect(run.child.exitCode).toBeNull();
    const sent = performance.now();
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.signal).toBeNull();
    expect(r.endedAt - sent).toBeLessThan(LATENCY_MS);
    expect(r.stdout).toBe("");
    expect(said(r.stderr)).toEqual(["newsgroup-cluster: interrupted"]);
  }, 60_000);

  it("during the report's PCA: exit 130 within the bound, no report written", async () => {
    // The assignments are written just before the PCA of the report starts, atomically (a
    // rename), so the file's appearance marks the PCA's start.
    const dir = tempDir();
    const assignments = join(dir, "assignments.csv");
    const report = join(dir, "report.html");
    const run = spawnCli(
      [...ALL, "--n-init", "1", "--assignments", assignments, "--report", report],
      { cacheDir: dir, timeoutMs: 90_000 },
    );
    while (!existsSync(assignments) && run.child.exitCode === null) await sleep(2);
    expect(run.child.exitCode).toBeNull();
    const sent = performance.now();
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.endedAt - sent).toBeLessThan(LATENCY_MS);
    expect(r.stdout).toBe("");
    expect(existsSync(report)).toBe(false);
  }, 90_000);
});
