#!/usr/bin/env node
import { resolve } from "node:path";
// How long embedding blocks the event loop (and with it the SIGINT handler): embeds synthetic
// posts with the built embedder and prints the longest event-loop stall, the longest model call
// (onnxruntime-node's InferenceSession.run is one synchronous native call on the calling thread),
// and throughput. Not a test: figures only.
//   node scripts/trust/embed-blocking.mjs <modelsDir> <model> [dtype=q8] [batch=16] [posts=160]
import { monitorEventLoopDelay } from "node:perf_hooks";

const root = resolve(import.meta.dirname, "..", "..");
const { TransformersEmbedder } = await import(resolve(root, "dist/embed/transformers.js"));
// Time each synchronous native run (the binding transformers.js ends up calling).
const { createRequire } = await import("node:module");
const req = createRequire(resolve(root, "package.json"));
const { binding } = req(req.resolve("onnxruntime-node/dist/binding.js"));
let worstRun = 0;
let runTotal = 0;
binding.InferenceSession = class extends binding.InferenceSession {
  run(...a) {
    const t = performance.now();
    try {
      return super.run(...a);
    } finally {
      const ms = performance.now() - t;
      worstRun = Math.max(worstRun, ms);
      runTotal += ms;
    }
  }
};
const [modelsDir, model, dtype = "q8", batch = "16", posts = "160"] = process.argv.slice(2);

const words = "the space shuttle orbit launch nasa moon station satellite rocket engine fuel".split(
  " ",
);
let seed = 1;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const texts = Array.from({ length: Number(posts) }, () =>
  Array.from(
    { length: 20 + Math.floor(rand() * 400) },
    () => words[Math.floor(rand() * words.length)],
  ).join(" "),
);
const tLoad = performance.now();
const emb = await TransformersEmbedder.create({
  model,
  modelsDir: resolve(modelsDir),
  cacheDir: "/tmp/ngc-unused",
  offline: true,
  dtype,
  device: "cpu",
  maxLength: 256,
  batchSize: Number(batch),
  threads: 0,
  log: (l) => console.error(l),
});
const loadSecs = (performance.now() - tLoad) / 1000;
const h = monitorEventLoopDelay({ resolution: 5 });
let lastTick = performance.now();
let worstGap = 0;
const tick = setInterval(() => {
  const t = performance.now();
  worstGap = Math.max(worstGap, t - lastTick);
  lastTick = t;
}, 5);
h.enable();
const t0 = performance.now();
await emb.embed(texts);
const secs = (performance.now() - t0) / 1000;
h.disable();
clearInterval(tick);
console.log(
  `${model} ${emb.info.dtype} batch ${batch}: loaded in ${loadSecs.toFixed(2)} s; ${texts.length} posts in ${secs.toFixed(2)} s ` +
    `(${(texts.length / secs).toFixed(1)} posts/s); worst event-loop stall ${worstGap.toFixed(0)} ms ` +
    `(longest native run ${worstRun.toFixed(0)} ms, ${((100 * runTotal) / (secs * 1000)).toFixed(0)} % of the time in runs; monitorEventLoopDelay max ${(h.max / 1e6).toFixed(0)} ms, p50 ${(h.percentile(50) / 1e6).toFixed(0)} ms)`,
);
await emb.dispose();
