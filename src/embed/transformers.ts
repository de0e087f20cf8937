/**
 * The transformers.js implementation of `Embedder` in this process: all-MiniLM-L6-v2 (or any
 * BERT-style sentence-transformers export) on onnxruntime-node, for CUDA and for the TypeScript
 * sources under test. The built CLI runs CPU models in the model host process instead
 * (`start.ts` decides, `model-runner.ts` talks to it); both compute with `model-call.ts`.
 * transformers.js is imported only here and in the modules the model host loads.
 */
import type { PreTrainedModel } from "@huggingface/transformers";
import type { DeviceChoice, Embeddings } from "../types.js";
import { chooseDevice } from "./device.js";
import {
  BatchSink,
  type Embedder,
  type EmbedderInfo,
  type EmbedProgress,
  type EmbedRows,
} from "./embedder.js";
import { PostEncoder } from "./encoder.js";
import { pieceCount, runBatches, runPooled } from "./model-call.js";
import { configureEnv, firstLine, hiddenSize, loadModel, loadTokenizer } from "./model-load.js";
import { modelLabel } from "./plan.js";

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

export class TransformersEmbedder implements Embedder {
  private constructor(
    private readonly encoder: PostEncoder,
    private readonly model: PreTrainedModel,
    readonly info: EmbedderInfo,
    private readonly batchSize: number,
  ) {}

  /**
   * Loads tokenizer and model here. `device: auto` tries CUDA only where a GPU and the CUDA
   * provider libraries are present, and otherwise says on stderr that it uses the CPU; a CUDA
   * load that fails under `auto` falls back to the CPU.
   * @throws CliError(model) for missing or unreadable model files, CliError(device) when
   * `device: cuda` cannot be honoured.
   */
  static async create(
    opts: TransformersEmbedderOptions,
    chosen: "cpu" | "cuda" = chooseDevice(opts.device, opts.log),
  ): Promise<TransformersEmbedder> {
    configureEnv(opts);
    let device = chosen;
    // The model loads while the tokenizer does; the tokenizer's errors, which name what is
    // wrong first, are reported first.
    const loading = loadModel(opts, device);
    loading.catch(() => {});
    const encoder = PostEncoder.of(await loadTokenizer(opts), opts.maxLength, opts.model);
    let loaded = await loading.catch(async (err) => {
      if (device === "cuda" && opts.device === "auto") {
        opts.log(`device auto: CUDA failed to load (${firstLine(err)}); using CPU`);
        device = "cpu";
        return undefined;
      }
      throw err;
    });
    if (loaded === undefined) loaded = await loadModel(opts, "cpu");
    const info = {
      model: modelLabel(opts),
      dtype: loaded.dtype,
      device,
      maxLength: opts.maxLength,
      dims: hiddenSize(loaded.model),
    };
    return new TransformersEmbedder(encoder, loaded.model, info, opts.batchSize);
  }

  /** Word-piece ids of each text, truncated with [CLS] ... [SEP] kept. */
  encode(texts: readonly string[]): number[][] {
    return this.encoder.encode(texts);
  }

  tokenLengths(texts: readonly string[]): number[] {
    return this.encode(texts).map((s) => s.length);
  }

  /** A batch, once started, holds this thread until it is done (see `runPooled`). */
  async embed(
    texts: readonly string[],
    onProgress?: EmbedProgress,
    signal?: AbortSignal,
    onRows?: EmbedRows,
  ): Promise<Embeddings> {
    const seqs = await this.encoder.encodeYielding(texts, signal);
    const sink = new BatchSink(texts.length, this.info.dims, onProgress, onRows);
    sink.planned(pieceCount(seqs));
    await runBatches(
      seqs,
      this.encoder.padId,
      this.batchSize,
      (batch) => runPooled(this.model, batch),
      (batch) => sink.add(batch),
      signal,
    );
    return sink.result();
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/**
 * Fetches a Hub model's tokenizer and weights into the download cache (a load here, let go at
 * once), so that the model host can load them offline.
 */
export async function downloadModel(opts: TransformersEmbedderOptions): Promise<string> {
  configureEnv(opts);
  await loadTokenizer(opts);
  const { model, dtype } = await loadModel(opts, "cpu");
  await model.dispose();
  return dtype;
}
