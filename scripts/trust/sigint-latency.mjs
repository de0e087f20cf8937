#!/usr/bin/env node
// SIGINT-to-exit latency of the built CLI, per stage: each scenario is run N times (default 5),
// SIGINT is sent after a delay spread over the stage, and the time from kill() to the process's
// exit is measured. Prints one line per run and the worst per scenario. Not a test: figures only.
//   node scripts/trust/sigint-latency.mjs [runs] [scenario...]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");
const CLI = join(root, "dist", "cli.js");
const shared = resolve(process.env.NEWSGROUP_CLUSTER_SHARED ?? join(root, "..", "shared"));
const DATA = join(shared, "data", "20news-bydate.tar.gz");
const MODELS = join(shared, "models");
const runs = Number(process.argv[2] ?? 5);
const only = process.argv.slice(3);

const model = ["--models", MODELS, "--model", "random-minilm-l6", "--device", "cpu"];
const scenarios = {
  // Reading and cleaning all 18,846 posts takes ~2-3 s.
  "corpus load": { args: ["corpus", "--data", DATA, "--categories", "all"], from: 200, to: 1800 },
  // random-minilm-l6 on sci.space (987 posts, ~20 s): from 3 s on, batches are running.
  embedding: {
    args: ["--data", DATA, "--categories", "sci.space", "--k", "3", ...model],
    from: 3000,
    to: 8000,
  },
  // The silhouette of all 18,846 posts (tiny-random-bert vectors from a warm cache): SIGINT is
  // sent while it runs; its start is found by a calibration run (timings in the JSON output).
  silhouette: {
    args: [
      "--data",
      DATA,
      "--categories",
      "all",
      "--k",
      "2",
      "--n-init",
      "1",
      "--top-terms",
      "0",
      "--silhouette",
      "--models",
      MODELS,
      "--model",
      "tiny-random-bert",
      "--device",
      "cpu",
    ],
    calibrate: (t) => [1000 * (t.corpus + t.model + t.embed + t.cluster), 1000 * t.evaluate],
    sharedCache: true,
  },
};

function calibrate(args, cache) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args, "--format", "json"], {
      env: { PATH: process.env.PATH, HOME: cache, NEWSGROUP_CLUSTER_CACHE: cache },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.on("exit", () => done(JSON.parse(out).timings));
  });
}

function once(args, delay, cache) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: cache, NEWSGROUP_CLUSTER_CACHE: cache },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let sent = 0;
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    setTimeout(() => {
      sent = performance.now();
      child.kill("SIGINT");
    }, delay);
    child.on("exit", (code) => done({ code, ms: performance.now() - sent, stderr }));
  });
}

for (const [name, s] of Object.entries(scenarios)) {
  if (only.length > 0 && !only.includes(name)) continue;
  let worst = 0;
  const shared = mkdtempSync(join(tmpdir(), "ngc-lat-"));
  if (s.calibrate) {
    await calibrate(s.args, shared); // fills the cache
    const t = await calibrate(s.args, shared);
    const [start, length] = s.calibrate(t);
    console.log(`${name}\tstage from ${start.toFixed(0)} ms for ${length.toFixed(0)} ms`);
    s.from = start + 0.2 * length;
    s.to = start + 0.6 * length;
  }
  for (let i = 0; i < runs; i++) {
    const cache = s.sharedCache ? shared : mkdtempSync(join(tmpdir(), "ngc-lat-"));
    const delay = Math.round(s.from + ((s.to - s.from) * i) / Math.max(1, runs - 1));
    const r = await once(s.args, delay, cache);
    if (!s.sharedCache) rmSync(cache, { recursive: true, force: true });
    worst = Math.max(worst, r.ms);
    console.log(`${name}\tSIGINT at ${delay} ms\texit ${r.code}\t${r.ms.toFixed(0)} ms`);
  }
  rmSync(shared, { recursive: true, force: true });
  console.log(`${name}\tworst of ${runs}: ${worst.toFixed(0)} ms`);
}
