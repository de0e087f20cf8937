/**
 * The transformers.js implementation of `Embedder`: all-MiniLM-L6-v2 (or any BERT-style
 * sentence-transformers export) on onnxruntime-node. The only module that imports
 * `@huggingface/transformers`; device and runtime choices live here and in `device.ts`.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  AutoTokenizer,
  env,
  LogLevel,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from "@huggingface/transformers";
import { CliError, deviceError, modelError, networkError } from "../errors.js";
import { interrupter } from "../interrupt.js";
import type { DeviceChoice, Embeddings } from "../types.js";
import { cudaUnavailableReason } from "./device.js";
import { autoDtype, modelLabel, modelOnDisk } from "./plan.js";

export { autoDtype, modelFingerprint, modelLabel, plannedDtype } from "./plan.js";

import type { Embedder, EmbedderInfo, EmbedProgress, EmbedRows } from "./embedder.js";
import { checkModelJson, MODEL_JSON, stallTimeoutFetch } from "./model-files.js";
import {
  causeOf,
  firstLine,
  hiddenSize,
  isNetworkFailure,
  loadModel,
  threadCount,
  warnThreads,
} from "./model-load.js";

export { saveFingerprintMemos } from "./fingerprint.js";

import {
  type HostOptions,
  HostRunner,
  hostAvailable,
  inProcessRunner,
  type ModelRunner,
} from "./model-runner.js";
import { padBatch, planBatches, withSpecialTokens } from "./tokens.js";

export interface TransformersEmbedderOptions {
  /** Model id, e.g. `Xenova/all-MiniLM-L6-v2`, resolved in `modelsDir` or on the Hub. */
  model: string;
  /** A local folder in transformers.js layout; when set, nothing is downloaded. */
  modelsDir?: string | undefined;
  /** Where Hub downloads are cached (used when `modelsDir` is unset). */
  cacheDir: string;
  /** Forbid Hub downloads. */
  offline: boolean;
  /** Hub endpoint (default https://huggingface.co/). */
  remoteHost?: string | undefined;
  /** `auto` picks q8 on CPU and fp32 on CUDA. */
  dtype: string;
  device: DeviceChoice;
  /** Word pieces per post, [CLS] and [SEP] included (sentence-transformers: 256). */
  maxLength: number;
  batchSize: number;
  /** onnxruntime intra-op threads; 0 = one per core. */
  threads: number;
  /** One line for stderr (warnings, fallbacks). */
  log: (line: string) => void;
  /**
   * Abort a Hub download that receives nothing for this long (NEWSGROUP_CLUSTER_TIMEOUT_MS);
   * called only when a download starts. Default 60 s.
   */
  timeoutMs?: (() => number) | undefined;
}

/** A local model's folder, config and tokenizer: checked once, before anything loads. */
function checkLocalModel(dir: string, model: string): void {
  const root = join(dir, model);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw modelError(`model ${model} not found in ${dir} (no folder ${root})`);
  }
  for (const f of MODEL_JSON) {
    if (!existsSync(join(root, f))) throw modelError(`model folder ${root} lacks ${f}`);
  }
  checkModelJson(root);
}

/** Points transformers.js at the model: a local folder, or the Hub and its download cache. */
export function configureEnv(opts: Omit<TransformersEmbedderOptions, "log">): void {
  // transformers.js logs info lines to stdout; stdout is reserved for data.
  env.logLevel = LogLevel.ERROR;
  if (opts.modelsDir !== undefined) {
    env.localModelPath = opts.modelsDir.endsWith("/") ? opts.modelsDir : `${opts.modelsDir}/`;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
  } else {
    env.cacheDir = join(opts.cacheDir, "models");
    env.allowRemoteModels = !opts.offline;
    // transformers.js refuses to look in its download cache when both local and remote models
    // are off, so offline runs enable "local" models pointing at a folder that holds none;
    // the lookup then finds earlier downloads in env.cacheDir.
    env.allowLocalModels = opts.offline;
    env.localModelPath = join(opts.cacheDir, "models", "local-none/");
    if (opts.remoteHost !== undefined)
      env.remoteHost = opts.remoteHost.endsWith("/") ? opts.remoteHost : `${opts.remoteHost}/`;
    env.fetch = stallTimeoutFetch(opts.timeoutMs ?? (() => 60_000));
    // Files downloaded earlier, cut or empty, are named rather than fed to the tokenizer.
    checkModelJson(join(opts.cacheDir, "models", opts.model));
  }
}

export class TransformersEmbedder implements Embedder {
  readonly info: EmbedderInfo;
  private readonly clsId: number;
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly runner: ModelRunner,
    info: EmbedderInfo,
    private readonly batchSize: number,
  ) {
    this.info = info;
    this.clsId = tokenizer.convert_tokens_to_ids("[CLS]");
  }

  /**
   * Loads tokenizer and model. `device: auto` tries CUDA only where a GPU and the CUDA provider
   * libraries are present, and otherwise says on stderr that it uses the CPU.
   * @throws CliError(model) for missing or unreadable model files, CliError(device) when
   * `device: cuda` cannot be honoured.
   */
  static async create(opts: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    configureEnv(opts);

    let device: "cpu" | "cuda" = "cpu";
    if (opts.device !== "cpu") {
      const reason = cudaUnavailableReason();
      if (reason === undefined) device = "cuda";
      else if (opts.device === "cuda") throw deviceError(`--device cuda: ${reason}`);
      else opts.log(`device auto: using CPU (${reason})`);
    }
    // The model host process starts while the tokenizer loads here; the model loads there
    // (or here first, see placeModel).
    const host = device === "cpu" && hostAvailable() ? HostRunner.fork() : undefined;
    try {
      return await TransformersEmbedder.load(opts, device, host);
    } catch (err) {
      host?.abandon();
      throw err;
    }
  }

  private static async load(
    opts: TransformersEmbedderOptions,
    initialDevice: "cpu" | "cuda",
    host: HostRunner | undefined,
  ): Promise<TransformersEmbedder> {
    let device = initialDevice;
    // With the model's files on disk, only the host loads it, while the tokenizer loads here.
    // Its errors are awaited after the tokenizer's, which name what is wrong first.
    const direct = host !== undefined && modelOnDisk(opts, cpuDtype(opts));
    const hosted = direct ? host.load(hostOptions(opts, opts.dtype)) : undefined;
    hosted?.catch(() => {});
    const tokenizer = await loadTokenizer(opts);
    const cls = tokenizer.convert_tokens_to_ids("[CLS]");
    const sep = tokenizer.sep_token_id ?? tokenizer.convert_tokens_to_ids("[SEP]");
    if (typeof cls !== "number" || typeof sep !== "number") {
      throw modelError(
        `the tokenizer of ${opts.model} has no [CLS] or [SEP] token (tokenizer.json): the model must be BERT-style`,
      );
    }
    if (hosted !== undefined && host !== undefined) {
      warnThreads(opts);
      const { dtype, dims } = await hosted;
      return new TransformersEmbedder(
        tokenizer,
        host,
        { model: modelLabel(opts), dtype, device, maxLength: opts.maxLength, dims },
        opts.batchSize,
      );
    }
    let loaded = await loadModel(opts, device).catch(async (err) => {
      if (device === "cuda" && opts.device === "auto") {
        opts.log(`device auto: CUDA failed to load (${firstLine(err)}); using CPU`);
        device = "cpu";
        return undefined;
      }
      throw err;
    });
    if (loaded === undefined) loaded = await loadModel(opts, "cpu");
    const dims = hiddenSize(loaded.model);
    return new TransformersEmbedder(
      tokenizer,
      await placeModel(opts, device, loaded, host),
      { model: modelLabel(opts), dtype: loaded.dtype, device, maxLength: opts.maxLength, dims },
      opts.batchSize,
    );
  }

  /** Word-piece ids of each text, truncated with [CLS] ... [SEP] kept. */
  encode(texts: readonly string[]): number[][] {
    const cls = this.clsId;
    const sep = this.tokenizer.sep_token_id ?? 102;
    return texts.map((t) => withSpecialTokens(this.pieces(t), this.info.maxLength, cls, sep));
  }

  /**
   * Word pieces of a text, at least the first `maxLength - 2` of them exactly. A long post is
   * first tokenized only up to a whitespace cut well past what truncation keeps: BERT's
   * pre-tokenizer splits at whitespace, so the pieces before the cut are the full text's pieces.
   * (Only " ", \n, \t, \r count: other characters JavaScript calls space, like U+FEFF, are
   * deleted by BERT's normaliser and join their neighbours.) This saves most of the tokenizer's
   * time on the 1 in 4 posts that are truncated anyway.
   */
  private pieces(text: string): number[] {
    const need = this.info.maxLength - 2;
    const window = need * 10;
    if (text.length > window) {
      const cut = Math.max(
        text.lastIndexOf(" ", window),
        text.lastIndexOf("\n", window),
        text.lastIndexOf("\t", window),
        text.lastIndexOf("\r", window),
      );
      if (cut > 0) {
        const head = this.tokenizer.encode(text.slice(0, cut), { add_special_tokens: false });
        if (head.length >= need) return head;
      }
    }
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }

  /**
   * `encode` with a checkpoint between posts, so that Ctrl-C and an abort signal act within
   * 50 ms even while 18,846 posts are tokenized (about 4 s). (Chunks of 256 posts held the
   * event loop for 0.2 to 0.3 s on a loaded machine.)
   */
  private async encodeYielding(
    texts: readonly string[],
    signal?: AbortSignal,
  ): Promise<number[][]> {
    const checkpoint = interrupter(signal);
    const out: number[][] = [];
    for (const text of texts) {
      await checkpoint();
      out.push(...this.encode([text]));
    }
    return out;
  }

  tokenLengths(texts: readonly string[]): number[] {
    return this.encode(texts).map((s) => s.length);
  }

  async embed(
    texts: readonly string[],
    onProgress?: EmbedProgress,
    signal?: AbortSignal,
    onRows?: EmbedRows,
  ): Promise<Embeddings> {
    const seqs = await this.encodeYielding(texts, signal);
    const pad = this.tokenizer.pad_token_id ?? 0;
    let dims = this.info.dims;
    let out: Float32Array | undefined;
    let done = 0;
    const pieces = { done: 0, total: seqs.reduce((sum, s) => sum + s.length, 0) };
    onProgress?.(0, texts.length, { ...pieces });
    for (const batch of planBatches(
      seqs.map((s) => s.length),
      this.batchSize,
    )) {
      signal?.throwIfAborted();
      const padded = padBatch(
        batch.map((i) => seqs[i] as number[]),
        pad,
      );
      const { pooled, dims: width } = await this.runner.run(padded, signal);
      dims = width;
      out ??= new Float32Array(texts.length * dims);
      batch.forEach((row, b) => {
        (out as Float32Array).set(pooled.subarray(b * dims, (b + 1) * dims), row * dims);
      });
      await onRows?.(batch, pooled, dims);
      done += batch.length;
      pieces.done += padded.lengths.reduce((sum, n) => sum + n, 0);
      onProgress?.(done, texts.length, { ...pieces });
    }
    return { rows: texts.length, dims, data: out ?? new Float32Array(0) };
  }

  async dispose(): Promise<void> {
    await this.runner.dispose();
  }
}

async function loadTokenizer(opts: TransformersEmbedderOptions): Promise<PreTrainedTokenizer> {
  if (opts.modelsDir !== undefined) checkLocalModel(opts.modelsDir, opts.model);
  try {
    return await AutoTokenizer.from_pretrained(opts.model);
  } catch (err) {
    if (opts.offline && opts.modelsDir === undefined) {
      throw modelError(
        `model ${opts.model} is not in the cache (${join(opts.cacheDir, "models")}) and --offline forbids downloading it; pass --models <dir>`,
        err,
      );
    }
    if (err instanceof CliError) throw err;
    if (isNetworkFailure(err)) {
      throw networkError(
        `cannot download model ${opts.model} from ${env.remoteHost}: ${causeOf(err)} (offline? pass --models <dir> with the model in transformers.js layout)`,
        err,
      );
    }
    if (err instanceof TypeError) {
      // transformers.js reads a tokenizer config it did not get (404, wrong endpoint, missing file).
      const where =
        opts.modelsDir !== undefined
          ? join(opts.modelsDir, opts.model)
          : `${env.remoteHost} (NEWSGROUP_CLUSTER_HF_ENDPOINT)`;
      throw modelError(
        `cannot load the tokenizer of ${opts.model}: tokenizer_config.json or tokenizer.json not found at ${where}`,
        err,
      );
    }
    throw modelError(`cannot load the tokenizer of ${opts.model}: ${firstLine(err)}`, err);
  }
}

/**
 * Where batches run after a load in this process (CUDA, the sources under test without a built
 * host, or a model that had files to download, with the stall timeout here): on the CPU, in the
 * model host process that Ctrl-C can stop at once (the model loaded here only fetched the files
 * and is let go); on CUDA, or where the host script is not built, in this process.
 */
async function placeModel(
  opts: TransformersEmbedderOptions,
  device: "cpu" | "cuda",
  loaded: { model: PreTrainedModel; dtype: string },
  host: HostRunner | undefined,
): Promise<ModelRunner> {
  if (device !== "cpu" || host === undefined) {
    host?.abandon();
    return inProcessRunner(loaded.model);
  }
  await loaded.model.dispose();
  // What this process loaded is on disk now.
  await host.load({ ...hostOptions(opts, loaded.dtype), offline: true });
  return host;
}

/** The options the host loads the model with: this run's, on the CPU, threads counted. */
function hostOptions(opts: TransformersEmbedderOptions, dtype: string): HostOptions {
  return {
    model: opts.model,
    modelsDir: opts.modelsDir,
    cacheDir: opts.cacheDir,
    offline: opts.offline,
    remoteHost: opts.remoteHost,
    dtype,
    device: "cpu",
    maxLength: opts.maxLength,
    batchSize: opts.batchSize,
    threads: threadCount(opts.threads),
  };
}

/** The dtype a CPU load uses. */
function cpuDtype(opts: TransformersEmbedderOptions): string {
  return opts.dtype === "auto" ? autoDtype("cpu") : opts.dtype;
}
