/**
 * The reference notebook's way, for the benchmark only: one transformers.js pipeline call per
 * post with default settings (fp32, transformers.js's own truncation at 512).
 */
import { env, LogLevel, pipeline } from "@huggingface/transformers";
import type { Embeddings } from "../../src/types.js";

/** Embeds posts one call at a time, model load included; returns the vectors. */
export async function naiveEmbed(
  modelsDir: string,
  model: string,
  texts: readonly string[],
): Promise<Embeddings> {
  env.logLevel = LogLevel.ERROR;
  env.localModelPath = modelsDir.endsWith("/") ? modelsDir : `${modelsDir}/`;
  env.allowRemoteModels = false;
  const extractor = await pipeline("feature-extraction", model);
  let data: Float32Array | undefined;
  let dims = 0;
  for (let i = 0; i < texts.length; i++) {
    const out = await extractor(texts[i] as string, { pooling: "mean", normalize: true });
    dims = out.dims[1] as number;
    data ??= new Float32Array(texts.length * dims);
    data.set(out.data as Float32Array, i * dims);
  }
  await extractor.dispose();
  return { rows: texts.length, dims, data: data ?? new Float32Array(0) };
}
