/**
 * The CPU model in a child process (`model-host.ts`), as the built CLI runs it: `HostRunner`
 * owns the process and its messages, `HostedEmbedder` is the `Embedder` on top. The host holds
 * the tokenizer and the model: this process sends the posts and gets each finished batch's
 * vectors back, so it never imports transformers.js (about 0.3 s with the tokenizer's load).
 *
 * Messages (advanced serialization, typed arrays travel as they are): `load` once, answered by
 * `ready`; then `embed` per run, answered by `planned` (the word pieces to embed), one `batch`
 * per finished batch, and `done`. Any request may be answered by `failed` instead.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CliError, type ErrorKind } from "../errors.js";
import type { Embeddings } from "../types.js";
import {
  BatchSink,
  type Embedder,
  type EmbedderInfo,
  type EmbedProgress,
  type EmbedRows,
} from "./embedder.js";
import type { BatchDone } from "./model-call.js";
import { modelLabel } from "./plan.js";
import type { TransformersEmbedderOptions } from "./transformers.js";

/** The embedder's options that the host needs: everything but the callbacks. */
export type HostOptions = Omit<TransformersEmbedderOptions, "log" | "timeoutMs">;

export type HostRequest =
  | { type: "load"; options: HostOptions }
  | { type: "embed"; texts: readonly string[] };
export type HostReply =
  | { type: "ready"; dtype: string; dims: number }
  | { type: "planned"; pieces: number }
  | ({ type: "batch" } & BatchDone)
  | { type: "done" }
  | { type: "failed"; kind: ErrorKind; message: string };

const HOST = fileURLToPath(new URL("./model-host.js", import.meta.url));

/** Whether the host script is there to fork (it is in the build, not next to the sources). */
export function hostAvailable(): boolean {
  return existsSync(HOST);
}

/** The reply handler of the request in flight: true once the reply ends the request. */
type Conversation = {
  onReply: (reply: HostReply) => boolean;
  finish: (err?: unknown) => void;
};

/**
 * The host process. An aborted signal kills it at once (SIGKILL) and rejects the request in
 * flight, so the caller unwinds within milliseconds; so does this process's exit.
 */
export class HostRunner {
  private talk: Conversation | undefined;
  private gone: Error | undefined;
  /**
   * Kills the host at once (it ran nothing that needs finishing) and fails the request in flight
   * now: the child's exit event may never come once this process has nothing else to wait for.
   */
  readonly abandon = () => {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    this.end(new Error("the model host was stopped"));
  };

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (reply: HostReply) => {
      const talk = this.talk;
      if (talk === undefined) return;
      if (reply.type === "failed") talk.finish(new CliError(reply.kind, reply.message));
      else if (talk.onReply(reply)) talk.finish();
    });
    child.on("error", (err) => this.end(err));
    child.on("exit", (code, sig) => this.end(new Error(`the model host exited (${sig ?? code})`)));
    process.on("exit", this.abandon);
    this.idle();
  }

  /** The host is gone: every request from now on, and the one in flight, fails with `err`. */
  private end(err: Error): void {
    this.gone ??= err;
    this.talk?.finish(this.gone);
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
   * Loads tokenizer and model in the host: the dtype it resolved and the model's width.
   * @throws CliError of the kind and message that the load threw there.
   */
  async load(options: HostOptions): Promise<{ dtype: string; dims: number }> {
    let ready: { dtype: string; dims: number } | undefined;
    try {
      await this.converse({ type: "load", options }, (reply) => {
        if (reply.type !== "ready") throw new Error(`model host: unexpected ${reply.type} reply`);
        ready = { dtype: reply.dtype, dims: reply.dims };
        return true;
      });
    } catch (err) {
      this.abandon();
      throw err;
    }
    return ready as { dtype: string; dims: number };
  }

  /** Embeds `texts` in the host; `onReply` hears `planned` and each `batch`, in order. */
  embed(
    texts: readonly string[],
    onReply: (reply: Extract<HostReply, { type: "planned" | "batch" }>) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.converse(
      { type: "embed", texts },
      (reply) => {
        if (reply.type === "done") return true;
        if (reply.type !== "planned" && reply.type !== "batch") {
          throw new Error(`model host: unexpected ${reply.type} reply`);
        }
        onReply(reply);
        return false;
      },
      signal,
    );
  }

  async dispose(): Promise<void> {
    process.off("exit", this.abandon);
    if (this.child.connected) this.child.disconnect(); // the host exits on its own
    this.child.unref();
  }

  private converse(
    req: HostRequest,
    onReply: (reply: HostReply) => boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (this.gone !== undefined) return reject(this.gone);
      const onAbort = () => {
        finish(signal?.reason);
        this.abandon();
      };
      const finish = (err?: unknown) => {
        signal?.removeEventListener("abort", onAbort);
        this.talk = undefined;
        this.idle();
        if (err === undefined) resolve();
        else reject(err);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.talk = {
        onReply: (reply) => {
          try {
            return onReply(reply);
          } catch (err) {
            this.abandon();
            finish(err);
            return false;
          }
        },
        finish,
      };
      this.child.channel?.ref(); // a request in flight keeps this process alive
      this.child.send(req);
    });
  }

  /** Between requests the child does not keep this process alive. */
  private idle(): void {
    this.child.channel?.unref();
    this.child.unref();
  }
}

/** The `Embedder` whose tokenizer and model are in the model host. */
export class HostedEmbedder implements Embedder {
  private constructor(
    private readonly host: HostRunner,
    readonly info: EmbedderInfo,
    /** Seconds from the fork to the loaded model. */
    readonly loadSeconds: number,
  ) {}

  /**
   * Forks the host and loads the model there (its files must be on disk: the host loads
   * offline only what `options` names). `abandon` kills the host, loaded or not.
   */
  static start(options: HostOptions): { ready: Promise<HostedEmbedder>; abandon: () => void } {
    const t0 = performance.now();
    const host = HostRunner.fork();
    const ready = host.load(options).then(
      ({ dtype, dims }) =>
        new HostedEmbedder(
          host,
          {
            model: modelLabel(options),
            dtype,
            device: "cpu",
            maxLength: options.maxLength,
            dims,
          },
          (performance.now() - t0) / 1000,
        ),
    );
    return { ready, abandon: host.abandon };
  }

  async embed(
    texts: readonly string[],
    onProgress?: EmbedProgress,
    signal?: AbortSignal,
    onRows?: EmbedRows,
  ): Promise<Embeddings> {
    const sink = new BatchSink(texts.length, this.info.dims, onProgress, onRows);
    // Replies are handled one after another (onRows checkpoints each batch before the next);
    // the host meanwhile goes on with the next batch.
    let chain = Promise.resolve();
    let failure: unknown;
    const handle = (reply: Extract<HostReply, { type: "planned" | "batch" }>) =>
      reply.type === "planned" ? sink.planned(reply.pieces) : sink.add(reply);
    try {
      await this.host.embed(
        texts,
        (reply) => {
          chain = chain
            .then(() => (failure === undefined ? handle(reply) : undefined))
            .catch((err) => {
              failure ??= err;
              this.host.abandon();
            });
        },
        signal,
      );
    } catch (err) {
      await chain;
      throw failure ?? err;
    }
    await chain;
    if (failure !== undefined) throw failure;
    return sink.result();
  }

  async dispose(): Promise<void> {
    await this.host.dispose();
  }
}
