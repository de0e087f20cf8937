#!/usr/bin/env node
// Dev-only cross-check (not run by the tests): newsgroup-cluster's tfidf-lsa embedder + k-means
// on a corpus, printing the same figures as sklearn_tfidf.py beside it. Needs `npm run build`.
//
//   node dist/cli.js corpus --data ARCHIVE > posts.jsonl
//   node scripts/crosscheck/tfidf_ours.mjs posts.jsonl [--k 4] [--seeds 1,2,3,4,5] [--n-init 1]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { cluster } from "../../dist/cluster/kmeans.js";
import { TfidfLsaEmbedder } from "../../dist/embed/tfidf.js";
import { adjustedRandIndex, contingencyMatrix, vMeasure } from "../../dist/evaluate/metrics.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    k: { type: "string", default: "4" },
    seeds: { type: "string", default: "1,2,3,4,5" },
    "n-init": { type: "string", default: "1" },
  },
});
if (positionals.length !== 1) {
  console.error("usage: tfidf_ours.mjs POSTS.jsonl [--k 4] [--seeds 1,2,3,4,5] [--n-init 1]");
  process.exit(2);
}
const k = Number(values.k);
const nInit = Number(values["n-init"]);
const posts = readFileSync(positionals[0], "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l));
const texts = posts.map((p) => p.text);
const groups = [...new Set(posts.map((p) => p.group))].sort();
const truth = posts.map((p) => groups.indexOf(p.group));

const aris = [];
const vms = [];
for (const seed of values.seeds.split(",").map(Number)) {
  const t0 = performance.now();
  const embedder = new TfidfLsaEmbedder({ seed });
  const emb = await embedder.embed(texts);
  const tEmbed = (performance.now() - t0) / 1000;
  const { labels } = await cluster(emb, { k, seed, nInit, maxIterations: 300 });
  const counts = contingencyMatrix(truth, labels, groups.length, k);
  const ari = adjustedRandIndex(counts);
  const vm = vMeasure(counts);
  aris.push(ari);
  vms.push(vm);
  console.log(
    `seed ${seed}  ARI ${ari.toFixed(4)}  V-measure ${vm.toFixed(4)}  ` +
      `(posts ${emb.rows}, dims ${emb.dims}, embed ${tEmbed.toFixed(2)}s)`,
  );
}
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
console.log(`mean    ARI ${mean(aris).toFixed(4)}  V-measure ${mean(vms).toFixed(4)}`);
