/**
 * The model host: a child process that owns the CPU tokenizer and model, forked by
 * `model-runner.ts` (which describes the messages).
 *
 * Why a process: onnxruntime-node's `InferenceSession.run` is one synchronous native call that
 * holds its thread for the whole batch (0.2 to 3 s on a loaded machine). On the CLI's main thread
 * it keeps the SIGINT handler from running; in a worker thread it keeps `process.exit` waiting,
 * since Node joins worker threads on exit (and the torn-down worker then aborts the process).
 * A child process can be killed at once, so Ctrl-C stops embedding within milliseconds.
 * The CLI starts it early, so that Node, transformers.js and the model load while the CLI reads
 * the corpus; and the posts are tokenized here, so the CLI never loads transformers.js.
 */
import type { PreTrainedModel } from "@huggingface/transformers";
import { CliError } from "../errors.js";
import { PostEncoder } from "./encoder.js";
import { pieceCount, runBatches, runPooled } from "./model-call.js";
import { configureEnv, hiddenSize, loadModel, loadTokenizer } from "./model-load.js";
import type { HostOptions, HostReply, HostRequest } from "./model-runner.js";

const send = (reply: HostReply) => process.send?.(reply);

function failed(err: unknown): HostReply {
  const kind = err instanceof CliError ? err.kind : "model";
  const message = err instanceof Error ? err.message : String(err);
  return { type: "failed", kind, message };
}

let loaded: { encoder: PostEncoder; model: PreTrainedModel; batchSize: number } | undefined;

/** Tokenizer and model, loaded side by side; the tokenizer's errors are reported first. */
async function load(options: HostOptions): Promise<HostReply> {
  const opts = { ...options, log: () => {} };
  configureEnv(opts);
  const loading = loadModel(opts, "cpu");
  loading.catch(() => {});
  const encoder = PostEncoder.of(await loadTokenizer(opts), opts.maxLength, opts.model);
  const { model, dtype } = await loading;
  loaded = { encoder, model, batchSize: opts.batchSize };
  return { type: "ready", dtype, dims: hiddenSize(model) };
}

async function embed(texts: readonly string[]): Promise<HostReply> {
  if (loaded === undefined) throw new CliError("internal", "model host: embed before load");
  const { encoder, model, batchSize } = loaded;
  const seqs = encoder.encode(texts);
  send({ type: "planned", pieces: pieceCount(seqs) });
  await runBatches(
    seqs,
    encoder.padId,
    batchSize,
    (batch) => runPooled(model, batch),
    (done) => {
      send({ type: "batch", ...done });
    },
  );
  return { type: "done" };
}

process.on("message", (req: HostRequest) => {
  (req.type === "load" ? load(req.options) : embed(req.texts)).then(send, (err) =>
    send(failed(err)),
  );
});
// Ctrl-C at a terminal reaches the whole process group: the CLI decides, and kills this process
// (SIGKILL) when it stops embedding. Dying here first would race the CLI's own handler.
process.on("SIGINT", () => {});
// The CLI went away (it exited, or was killed): nothing is left to compute for.
process.on("disconnect", () => process.exit(0));
