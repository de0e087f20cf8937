/**
 * Where the model runs: in this process (`inProcessRunner`, for CUDA and for the TypeScript
 * sources under test) or in a child process (`HostRunner`, the CPU default; see `model-host.ts`
 * for why). Both compute each batch with `runPooled`, so their vectors are the same bytes.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PreTrainedModel } from "@huggingface/transformers";
import { CliError, type ErrorKind } from "../errors.js";
import { type ModelInput, type PooledBatch, runPooled } from "./model-call.js";
import type { TransformersEmbedderOptions } from "./transformers.js";

/** The embedder's options that the host needs: everything but the callbacks. */
export type HostOptions = Omit<TransformersEmbedderOptions, "log" | "timeoutMs">;

export type HostRequest =
  | { type: "load"; options: HostOptions }
  | { type: "run"; batch: ModelInput };
export type HostReply =
  | { type: "ready"; dtype: string; dims: number }
  | ({ type: "pooled" } & PooledBatch)
  | { type: "failed"; kind: ErrorKind; message: string };

export interface ModelRunner {
  /** Pooled vectors of one batch. @throws the signal's reason once it is aborted. */
  run(batch: ModelInput, signal?: AbortSignal): Promise<PooledBatch>;
  dispose(): Promise<void>;
}

/** The model on this thread: a batch, once started, holds the event loop until it is done. */
export function inProcessRunner(model: PreTrainedModel): ModelRunner {
  return {
    run: (batch, signal) => {
      signal?.throwIfAborted();
      return runPooled(model, batch);
    },
    dispose: async () => {
      await model.dispose();
    },
  };
}

const HOST = fileURLToPath(new URL("./model-host.js", import.meta.url));

/** Whether the host script is there to fork (it is in the build, not next to the sources). */
export function hostAvailable(): boolean {
  return existsSync(HOST);
}

interface Pending {
  settle: (reply: HostReply) => void;
  fail: (err: unknown) => void;
}

/**
 * The model in a child process. An aborted signal kills the child at once (SIGKILL) and rejects
 * the batch in flight, so the caller unwinds within milliseconds; so does this process's exit.
 */
export class HostRunner implements ModelRunner {
  private pending: Pending | undefined;
  private gone: Error | undefined;
  /** Kills the host at once; it ran nothing that needs finishing. */
  readonly abandon = () => {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  };

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (reply: HostReply) => this.pending?.settle(reply));
    const end = (err: Error) => {
      this.gone ??= err;
      this.pending?.fail(this.gone);
    };
    child.on("error", end);
    child.on("exit", (code, sig) => end(new Error(`the model host exited (${sig ?? code})`)));
    process.on("exit", this.abandon);
    this.idle();
  }

  /** Starts the host process (Node and transformers.js load there meanwhile). */
  static fork(): HostRunner {
    const child = fork(HOST, [], {
      serialization: "advanced",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    return new HostRunner(child);
  }

  /**
   * Loads the model in the host: the dtype it resolved and the model's width (hidden_size).
   * @throws CliError of the kind and message that `loadModel` threw there.
   */
  async load(options: HostOptions): Promise<{ dtype: string; dims: number }> {
    try {
      const reply = await this.request({ type: "load", options });
      if (reply.type !== "ready") throw new Error(`model host: unexpected ${reply.type} reply`);
      return { dtype: reply.dtype, dims: reply.dims };
    } catch (err) {
      this.abandon();
      throw err;
    }
  }

  async run(batch: ModelInput, signal?: AbortSignal): Promise<PooledBatch> {
    const reply = await this.request({ type: "run", batch }, signal);
    if (reply.type !== "pooled") throw new Error(`model host: unexpected ${reply.type} reply`);
    return { pooled: reply.pooled, dims: reply.dims };
  }

  async dispose(): Promise<void> {
    process.off("exit", this.abandon);
    if (this.child.connected) this.child.disconnect(); // the host exits on its own
    this.child.unref();
  }

  private request(req: HostRequest, signal?: AbortSignal): Promise<HostReply> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (this.gone !== undefined) return reject(this.gone);
      const onAbort = () => {
        this.abandon();
        reject(signal?.reason);
      };
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        this.pending = undefined;
        this.idle();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending = {
        settle: (reply) => {
          done();
          if (reply.type === "failed") reject(new CliError(reply.kind, reply.message));
          else resolve(reply);
        },
        fail: (err) => {
          done();
          reject(err);
        },
      };
      this.child.channel?.ref(); // a batch in flight keeps this process alive
      this.child.send(req);
    });
  }

  /** Between batches the child does not keep this process alive. */
  private idle(): void {
    this.child.channel?.unref();
    this.child.unref();
  }
}
