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
};

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
  for (let i = 0; i < runs; i++) {
    const cache = mkdtempSync(join(tmpdir(), "ngc-lat-"));
    const delay = Math.round(s.from + ((s.to - s.from) * i) / Math.max(1, runs - 1));
    const r = await once(s.args, delay, cache);
    rmSync(cache, { recursive: true, force: true });
    worst = Math.max(worst, r.ms);
    console.log(`${name}\tSIGINT at ${delay} ms\texit ${r.code}\t${r.ms.toFixed(0)} ms`);
  }
  console.log(`${name}\tworst of ${runs}: ${worst.toFixed(0)} ms`);
}
