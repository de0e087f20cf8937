/**
 * Guards around transformers.js's model loading: a model's JSON files are checked before the
 * tokenizer reads them (an empty or cut file printed garbage or a TypeError), and Hub downloads
 * get the same stall timeout as the corpus download.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { modelError } from "../errors.js";

function firstLine(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  return (s.split("\n")[0] ?? s).trim();
}

/** The JSON files transformers.js reads for a BERT-style model and its tokenizer. */
export const MODEL_JSON = ["config.json", "tokenizer.json", "tokenizer_config.json"];

/**
 * Each of a model's JSON files that exists must hold a JSON object (an empty or cut file made
 * transformers.js print garbage or a TypeError).
 * @throws CliError(model) naming the file.
 */
export function checkModelJson(root: string): void {
  for (const f of MODEL_JSON) {
    const path = join(root, f);
    if (!existsSync(path)) continue;
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw modelError(`model file ${path} is not valid JSON (${firstLine(err)})`, err);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw modelError(`model file ${path} does not hold a JSON object`);
    }
  }
}

/** Stall timeout for Hub downloads, as for the corpus download. */
export function stallTimeoutFetch(timeoutMs: () => number): typeof fetch {
  return async (input, init) => {
    const ms = Math.min(timeoutMs(), 2_147_483_647);
    const controller = new AbortController();
    const reason = () => new Error(`no data for ${ms} ms (timeout)`);
    // unref: a response nobody reads (a 404's body) must not keep the process alive.
    const start = () => setTimeout(() => controller.abort(reason()), ms).unref();
    let timer = start();
    const arm = () => {
      clearTimeout(timer);
      timer = start();
    };
    let res: Response;
    try {
      res = await fetch(input, { ...init, signal: controller.signal });
    } catch (err) {
      clearTimeout(timer);
      throw controller.signal.aborted ? controller.signal.reason : err;
    }
    if (res.body === null || [101, 204, 205, 304].includes(res.status)) {
      clearTimeout(timer);
      return res;
    }
    arm();
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(out) {
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            clearTimeout(timer);
            out.close();
            return;
          }
          arm();
          out.enqueue(chunk.value);
        } catch (err) {
          clearTimeout(timer);
          out.error(controller.signal.aborted ? controller.signal.reason : err);
        }
      },
      cancel(why) {
        clearTimeout(timer);
        return reader.cancel(why);
      },
    });
    return new Response(body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
}
