/**
 * Where and when the model loads. On the CPU the built CLI runs it in the model host process
 * (`model-runner.ts`), which `begin` forks before the corpus is read, so that Node,
 * transformers.js, the tokenizer and the weights load on the other core meanwhile (0.5 to 0.8 s
 * of a cold run). A model whose files must first be downloaded, CUDA, and the TypeScript sources
 * under test (no built host) load when `claim` is called, the way `transformers.ts` does.
 * Nothing here imports transformers.js.
 */
import { chooseDevice, cudaUnavailableReason } from "./device.js";
import type { Embedder } from "./embedder.js";
import { HostedEmbedder, type HostOptions, hostAvailable } from "./model-runner.js";
import { autoDtype, modelOnDisk, threadCount, warnThreads } from "./plan.js";
import type { TransformersEmbedderOptions } from "./transformers.js";

/** The options the host loads the model with: this run's, on the CPU, threads counted. */
function hostOptions(opts: TransformersEmbedderOptions, dtype: string, offline: boolean) {
  return {
    model: opts.model,
    modelsDir: opts.modelsDir,
    cacheDir: opts.cacheDir,
    offline,
    remoteHost: opts.remoteHost,
    dtype,
    device: "cpu",
    maxLength: opts.maxLength,
    batchSize: opts.batchSize,
    threads: threadCount(opts.threads),
  } satisfies HostOptions;
}

/** The dtype a CPU load uses. */
const cpuDtype = (opts: TransformersEmbedderOptions) =>
  opts.dtype === "auto" ? autoDtype("cpu") : opts.dtype;

export class ModelStart {
  private early: ReturnType<typeof HostedEmbedder.start> | undefined;
  private claimed = false;
  /** Seconds the model took to load, once `claim` returned. */
  loadSeconds = 0;

  constructor(private readonly opts: TransformersEmbedderOptions) {}

  /**
   * Forks the model host and starts its load, where the model will run there: on the CPU (asked
   * for, or `auto` without a usable GPU), with the host built, and with the files on disk.
   * Otherwise does nothing: `claim` loads then. Load errors surface in `claim`.
   */
  begin(): void {
    const { opts } = this;
    const cpu =
      opts.device === "cpu" || (opts.device === "auto" && cudaUnavailableReason() !== undefined);
    if (this.early !== undefined || !cpu || !hostAvailable()) return;
    if (!modelOnDisk(opts, cpuDtype(opts))) return;
    this.early = HostedEmbedder.start(hostOptions(opts, cpuDtype(opts), opts.offline));
    this.early.ready.catch(() => {});
  }

  /**
   * The embedder: the early host's once it is ready, or one loaded now. Says on stderr what
   * `--device auto` chose and why.
   * @throws CliError(model | network | device) as the load does.
   */
  async claim(): Promise<Embedder> {
    const t0 = performance.now();
    const { opts } = this;
    this.claimed = true;
    const device = chooseDevice(opts.device, opts.log);
    if (this.early !== undefined) {
      warnThreads(opts);
      const hosted = await this.early.ready;
      this.loadSeconds = hosted.loadSeconds;
      return hosted;
    }
    const embedder = await this.load(device);
    this.loadSeconds = (performance.now() - t0) / 1000;
    return embedder;
  }

  /** Kills a model host that nobody claimed (every vector came from the cache). */
  release(): void {
    if (!this.claimed) this.early?.abandon();
  }

  private async load(device: "cpu" | "cuda"): Promise<Embedder> {
    const { opts } = this;
    if (device === "cuda" || !hostAvailable()) {
      const { TransformersEmbedder } = await import("./transformers.js");
      return TransformersEmbedder.create(opts, device);
    }
    let dtype = cpuDtype(opts);
    if (modelOnDisk(opts, dtype)) warnThreads(opts);
    else {
      // A Hub model is downloaded here first (with the stall timeout, and warning about
      // --threads as it loads); the host then loads it offline.
      const { downloadModel } = await import("./transformers.js");
      dtype = await downloadModel(opts);
    }
    return HostedEmbedder.start(hostOptions(opts, dtype, true)).ready;
  }
}
