/**
 * The model host: a child process that owns the CPU model, forked by `model-runner.ts`.
 *
 * Why a process: onnxruntime-node's `InferenceSession.run` is one synchronous native call that
 * holds its thread for the whole batch (0.2 to 3 s on a loaded machine). On the CLI's main thread
 * it keeps the SIGINT handler from running; in a worker thread it keeps `process.exit` waiting,
 * since Node joins worker threads on exit (and the torn-down worker then aborts the process).
 * A child process can be killed at once, so Ctrl-C stops embedding within milliseconds.
 *
 * Messages (advanced serialization, typed arrays travel as they are): `load` once, then `run`
 * per batch; each answered by `ready` / `pooled`, or by `failed`.
 */
import { CliError } from "../errors.js";
import { runPooled } from "./model-call.js";
import { hiddenSize, loadModel } from "./model-load.js";
import type { HostReply, HostRequest } from "./model-runner.js";
import { configureEnv } from "./transformers.js";

const send = (reply: HostReply) => process.send?.(reply);

function failed(err: unknown): HostReply {
  const kind = err instanceof CliError ? err.kind : "model";
  const message = err instanceof Error ? err.message : String(err);
  return { type: "failed", kind, message };
}

let model: Awaited<ReturnType<typeof loadModel>>["model"] | undefined;

process.on("message", (req: HostRequest) => {
  if (req.type === "load") {
    configureEnv(req.options);
    loadModel({ ...req.options, log: () => {} }, "cpu").then(
      (loaded) => {
        model = loaded.model;
        send({ type: "ready", dtype: loaded.dtype, dims: hiddenSize(loaded.model) });
      },
      (err) => send(failed(err)),
    );
  } else if (model !== undefined) {
    runPooled(model, req.batch).then(
      (out) => send({ type: "pooled", ...out }),
      (err) => send(failed(err)),
    );
  } else {
    send({ type: "failed", kind: "internal", message: "model host: run before load" });
  }
});
// Ctrl-C at a terminal reaches the whole process group: the CLI decides, and kills this process
// (SIGKILL) when it stops embedding. Dying here first would race the CLI's own handler.
process.on("SIGINT", () => {});
// The CLI went away (it exited, or was killed): nothing is left to compute for.
process.on("disconnect", () => process.exit(0));
