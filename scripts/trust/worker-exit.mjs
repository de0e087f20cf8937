#!/usr/bin/env node
// Why the model does not run in a worker thread: a process whose worker thread is inside
// onnxruntime's synchronous InferenceSession.run is asked to exit (process.exit(130)) 0.5 s
// into a long batch; prints how long the exit took and the exit code or signal. On Node 20 with
// onnxruntime-node 1.30 it waited for the whole native call (17 s here), then aborted
// ("terminate called after throwing an instance of 'Napi::Error'", signal SIGABRT): Node joins
// worker threads on exit, and the torn-down worker cannot take the call's result.
//   node scripts/trust/worker-exit.mjs [modelsDir=../shared/models]
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");
const models = resolve(process.argv[2] ?? resolve(root, "..", "shared", "models"));
const onnx = resolve(models, "random-minilm-l6", "onnx", "model.onnx");

// The worker: one session, batches of 64 x 256 word pieces (seconds each), forever.
const worker = `
const { parentPort } = require("node:worker_threads");
const ort = require(${JSON.stringify(resolve(root, "node_modules", "onnxruntime-node"))});
(async () => {
  const s = await ort.InferenceSession.create(${JSON.stringify(onnx)}, { intraOpNumThreads: 2 });
  const n = 64 * 256;
  const t = (v) => new ort.Tensor("int64", new BigInt64Array(n).fill(v), [64, 256]);
  const feeds = { input_ids: t(1000n), attention_mask: t(1n), token_type_ids: t(0n) };
  parentPort.postMessage("loaded");
  for (;;) await s.run(feeds);
})();`;
// The main thread: exits 0.5 s after the worker starts its first batch.
const main = `
const { Worker } = require("node:worker_threads");
const w = new Worker(${JSON.stringify(worker)}, { eval: true });
w.on("message", () => setTimeout(() => { console.error("exit"); process.exit(130); }, 500));
setInterval(() => {}, 1000);`;

const child = spawn(process.execPath, ["-e", main], { stdio: ["ignore", "inherit", "pipe"] });
let asked = 0;
child.stderr.on("data", (c) => {
  if (String(c).includes("exit") && asked === 0) asked = performance.now();
  else process.stderr.write(c);
});
child.on("exit", (code, signal) => {
  const ms = (performance.now() - asked).toFixed(0);
  console.log(
    `process.exit(130) with the worker mid-run: exited after ${ms} ms, code ${code}, signal ${signal}`,
  );
});
