/**
 * What a transformers.js run will use, decided without loading transformers.js: the model's
 * label, the dtype and the content fingerprint of its files, which key the embedding cache. Kept apart from transformers.ts so that a
 * run whose vectors are all cached never imports it (about 0.3 s).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { DeviceChoice, Dtype } from "../types.js";
import { cudaUnavailableReason } from "./device.js";
import { fingerprintFiles } from "./fingerprint.js";

/** transformers.js's file-name suffix of each dtype (`onnx/model<suffix>.onnx`). */
export const DTYPE_SUFFIX: Readonly<Record<string, string>> = {
  fp32: "",
  fp16: "_fp16",
  int8: "_int8",
  uint8: "_uint8",
  q8: "_quantized",
  q4: "_q4",
  q4f16: "_q4f16",
  bnb4: "_bnb4",
} satisfies Record<Dtype, string>;

/**
 * The model's name in reports and cache keys: the Hub id, or the absolute folder of a local model
 * (two local folders may share an id but not their weights).
 */
export function modelLabel(opts: { model: string; modelsDir?: string | undefined }): string {
  return opts.modelsDir === undefined ? opts.model : join(opts.modelsDir, opts.model);
}

/**
 * The dtype a run will use, decided before loading anything: `auto` becomes fp32 where CUDA is
 * usable (and wanted), q8 otherwise. Used as the embedding cache key.
 */
export function plannedDtype(dtype: string, device: DeviceChoice): string {
  if (dtype !== "auto") return dtype;
  return device !== "cpu" && cudaUnavailableReason() === undefined
    ? autoDtype("cuda")
    : autoDtype("cpu");
}

/** dtype that `auto` resolves to on a device. */
export function autoDtype(device: "cpu" | "cuda"): string {
  return device === "cuda" ? "fp32" : "q8";
}

/** The folder a model's files are in: the local models folder, or the Hub download cache. */
function modelRoot(opts: { model: string; modelsDir?: string | undefined; cacheDir: string }) {
  return opts.modelsDir !== undefined
    ? join(opts.modelsDir, opts.model)
    : join(opts.cacheDir, "models", opts.model);
}

/** The weights file of a dtype, relative to the model's folder. */
const weightsFile = (dtype: string) => `onnx/model${DTYPE_SUFFIX[dtype] ?? ""}.onnx`;

/** The files every load of a dtype reads (the fingerprint's required files). */
const requiredFiles = (dtype: string) => ["config.json", "tokenizer.json", weightsFile(dtype)];

/**
 * Whether the files that a load of this dtype needs are all on disk (the local folder or the Hub
 * download cache), so that loading downloads nothing.
 */
export function modelOnDisk(
  opts: { model: string; modelsDir?: string | undefined; cacheDir: string },
  dtype: string,
): boolean {
  const root = modelRoot(opts);
  return requiredFiles(dtype).every((f) => existsSync(join(root, f)));
}

/**
 * The content fingerprint of the files a run of this model and dtype loads (weights, config,
 * tokenizer), from the local folder or the Hub download cache; undefined while any is missing.
 * File hashes are remembered in `cacheDir` (see fingerprint.ts).
 */
export function modelFingerprint(
  opts: { model: string; modelsDir?: string | undefined; cacheDir: string },
  dtype: string,
): Promise<string | undefined> {
  return fingerprintFiles(
    modelRoot(opts),
    requiredFiles(dtype),
    ["tokenizer_config.json", `${weightsFile(dtype)}_data`],
    opts.cacheDir,
  );
}

/** More threads than cores only adds contention: 1,000 threads ran 100 times slower. */
export function warnThreads(opts: { threads: number; log: (line: string) => void }): void {
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
