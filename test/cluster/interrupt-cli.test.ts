/**
 * Ctrl-C during k-means: the built CLI (dist/cli.js) on the synthetic fixture corpus (174 posts)
 * with the TF-IDF embedder, so that k-means is the long stage (`--k 170 --n-init 1000`: well over
 * 20 s).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers.js";
import { fixtureTotal } from "../support/corpus.js";
import { fixtures } from "../support/fixtures.js";

let cache: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  cache = mkdtempSync(join(tmpdir(), "ngc-kmeans-int-"));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const env = () => ({ PATH: process.env.PATH ?? "", HOME: cache, NEWSGROUP_CLUSTER_CACHE: cache });
const BASE = ["--data", fixtures().archive, "--embedder", "tfidf", "--format", "csv", "--quiet"];
/** Nearly one cluster a post: k-means++ and every Lloyd step are at their dearest. */
const K = String(fixtureTotal("all") - 4);

describe("SIGINT during k-means (spawned)", () => {
  it("exits 130 within half a second plus slack", async () => {
    // How long everything before k-means takes here and now: the same run with a trivial k.
    const t0 = performance.now();
    const quick = spawnSync(process.execPath, [CLI, ...BASE, "--k", "2", "--n-init", "1"], {
      env: env(),
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(quick.status, quick.stderr).toBe(0);
    const before = performance.now() - t0;

    const child = spawn(process.execPath, [CLI, ...BASE, "--k", K, "--n-init", "1000"], {
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => {
      child.on("exit", (code) => resolve({ code, at: performance.now() }));
    });
    // Well into k-means: 1,000 restarts at k = 170 take well over 20 s.
    await new Promise((r) => setTimeout(r, before + Math.max(1500, before)));
    expect(child.exitCode, stderr).toBeNull();
    const sent = performance.now();
    child.kill("SIGINT");
    const { code, at } = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("interrupted");
    // 0.5 s budget (50 ms slices) plus slack for a loaded 2-core machine.
    expect(at - sent).toBeLessThan(1500);
  }, 180_000);
});
