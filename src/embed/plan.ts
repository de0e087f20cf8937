/**
 * What a transformers.js run will use, decided without loading transformers.js: the model's
 * label and the dtype, which key the embedding cache. Kept apart from transformers.ts so that a
 * run whose vectors are all cached never imports it (about 0.3 s).
 */
import { join } from "node:path";
import type { DeviceChoice } from "../types.js";
import { cudaUnavailableReason } from "./device.js";

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
