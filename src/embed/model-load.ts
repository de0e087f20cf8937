/**
 * Loading the tokenizer and the model's weights with transformers.js, and what a load needs:
 * where transformers.js looks, the width, and one-line errors (exit 4 for files, 5 for the
 * network, 6 for CUDA). Used by the embedder in this process and by the model host alike.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  AutoModel,
  AutoTokenizer,
  env,
  LogLevel,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from "@huggingface/transformers";
import { CliError, deviceError, modelError, networkError } from "../errors.js";
import { checkModelJson, MODEL_JSON, stallTimeoutFetch } from "./model-files.js";
import { autoDtype, DTYPE_SUFFIX, threadCount, warnThreads } from "./plan.js";
import type { TransformersEmbedderOptions } from "./transformers.js";

/** A local model's weights for a dtype: checked per device attempt, since dtype follows it. */
function checkLocalWeights(dir: string, model: string, dtype: string): void {
  const root = join(dir, model);
  const onnx = join(root, "onnx", `model${DTYPE_SUFFIX[dtype] ?? ""}.onnx`);
  if (!existsSync(onnx)) {
    throw modelError(`model folder ${root} has no weights for --dtype ${dtype}: missing ${onnx}`);
  }
}

/** The model's width: the config's hidden_size. */
export function hiddenSize(model: PreTrainedModel): number {
  return Number((model.config as unknown as { hidden_size?: number }).hidden_size ?? 0);
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

/**
 * Loads the tokenizer (a local model's files checked first).
 * @throws CliError: model (files), network (download).
 */
export async function loadTokenizer(
  opts: TransformersEmbedderOptions,
): Promise<PreTrainedTokenizer> {
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
 * Loads the weights of `opts.dtype` (`auto`: q8 on the CPU, fp32 on CUDA) on `device`.
 * @throws CliError: model (files), network (download), device (CUDA).
 */
export async function loadModel(
  opts: TransformersEmbedderOptions,
  device: "cpu" | "cuda",
): Promise<{ model: PreTrainedModel; dtype: string }> {
  const dtype = opts.dtype === "auto" ? autoDtype(device) : opts.dtype;
  if (opts.modelsDir !== undefined) checkLocalWeights(opts.modelsDir, opts.model, dtype);
  warnThreads(opts);
  const threads = threadCount(opts.threads);
  try {
    const model = await AutoModel.from_pretrained(opts.model, {
      dtype: dtype as "fp32",
      device,
      session_options:
        device === "cpu"
          ? { intraOpNumThreads: threads, interOpNumThreads: 1, logSeverityLevel: 3 }
          : { logSeverityLevel: 3 },
    });
    return { model, dtype };
  } catch (err) {
    if (err instanceof CliError) throw err;
    const msg = firstLine(err);
    if (isNetworkFailure(err)) {
      throw networkError(
        `cannot download model ${opts.model} from ${env.remoteHost}: ${causeOf(err)} (offline? pass --models <dir> with the model in transformers.js layout)`,
        err,
      );
    }
    if (opts.offline && opts.modelsDir === undefined) {
      const root = join(opts.cacheDir, "models", opts.model);
      throw modelError(
        `model ${opts.model} is only partly in the cache (${root} has no onnx/model${DTYPE_SUFFIX[dtype] ?? ""}.onnx) and --offline forbids downloading the rest`,
        err,
      );
    }
    if (device === "cuda")
      throw deviceError(
        `--device cuda: onnxruntime could not start the CUDA execution provider: ${msg}`,
        err,
      );
    throw modelError(`cannot load model ${opts.model} (${dtype}): ${msg}`, err);
  }
}

/** fetch() failures (refused, DNS, reset, timeout), as opposed to a file the server lacks. */
export function isNetworkFailure(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.message === "fetch failed" ||
      err.name === "AbortError" ||
      /\(timeout\)$/.test(err.message))
  );
}

export function causeOf(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return firstLine(err);
}

/** The first line of an error's message. */
export function firstLine(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  return (s.split("\n")[0] ?? s).trim();
}
