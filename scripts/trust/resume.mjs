#!/usr/bin/env node
// The checkpointed embedding cache across an interrupt: run 1 embeds sci.space (987 posts) with
// random-minilm-l6 q8 and gets SIGINT once its journal holds about half the posts; run 2 then
// completes the cache. Prints the rows run 1 kept, the largest journal run 2 was seen to write
// (= posts it embedded, to within one batch), and both wall times. Figures only, not a test.
//   node scripts/trust/resume.mjs [fraction=0.5]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");
const CLI = join(root, "dist", "cli.js");
const shared = resolve(process.env.NEWSGROUP_CLUSTER_SHARED ?? join(root, "..", "shared"));
const args = [
  "--data",
  join(shared, "data", "20news-bydate.tar.gz"),
  "--categories",
  "sci.space",
  "--k",
  "3",
  "--models",
  join(shared, "models"),
  "--model",
  "random-minilm-l6",
  "--device",
  "cpu",
  "--dtype",
  "q8",
  "--format",
  "csv",
];
const fraction = Number(process.argv[2] ?? 0.5);
const TOTAL = 987;
const RECORD = 32 + 384 * 4 + 8;
const cache = mkdtempSync(join(tmpdir(), "ngc-resume-"));

function journalRows() {
  let rows = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^journal\.\d+\.[0-9a-f]+\.bin$/.test(e.name)) {
        try {
          rows += Math.floor((statSync(p).size - 12) / RECORD);
        } catch {}
      }
    }
  };
  walk(cache);
  return rows;
}

function start(onTick) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: cache, NEWSGROUP_CLUSTER_CACHE: cache },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const timer = setInterval(() => onTick(child), 20);
  return new Promise((done) =>
    child.on("exit", (code) => {
      clearInterval(timer);
      done({ code, s: (performance.now() - t0) / 1000 });
    }),
  );
}

let sent = false;
const first = await start((child) => {
  if (!sent && journalRows() >= fraction * TOTAL) {
    sent = true;
    child.kill("SIGINT");
  }
});
const kept = journalRows();
console.log(
  `run 1: exit ${first.code} after ${first.s.toFixed(1)} s; journal keeps ${kept} of ${TOTAL} posts`,
);
let seen = 0;
const second = await start(() => {
  seen = Math.max(seen, journalRows() - kept);
});
console.log(
  `run 2: exit ${second.code} after ${second.s.toFixed(1)} s; embedded ${TOTAL - kept} posts (its journal was seen at ${seen}); journal left: ${journalRows()}`,
);
rmSync(cache, { recursive: true, force: true });
