/**
 * Loading the model's weights with transformers.js, and what a load needs: the thread count, the
 * width, and one-line errors (exit 4 for files, 5 for the network, 6 for CUDA). Used by the
 * embedder in this process and by the model host process alike.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { AutoModel, env, type PreTrainedModel } from "@huggingface/transformers";
import { CliError, deviceError, modelError, networkError } from "../errors.js";
import { autoDtype, DTYPE_SUFFIX } from "./plan.js";
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

/** More threads than cores only adds contention: 1,000 threads ran 100 times slower. */
export function warnThreads(opts: TransformersEmbedderOptions): void {
  const cores = availableParallelism();
  if (opts.threads > cores) {
    opts.log(`--threads ${opts.threads} is more than the ${cores} cores here; using ${cores}`);
  }
}

/** onnxruntime intra-op threads: 0 means one per core, and never more than the cores. */
export function threadCount(threads: number): number {
  const cores = availableParallelism();
  return threads > 0 ? Math.min(threads, cores) : cores;
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
