/**
 * The test layers and what each needs. The hermetic layer needs nothing beyond `npm ci`: it runs
 * on the fixtures of `test/support` (see global-setup.ts). The full layer needs the real inputs
 * from `../shared` (or NEWSGROUP_CLUSTER_SHARED): the 20 Newsgroups archive and the small models.
 * The real-weights layer needs Xenova/all-MiniLM-L6-v2's ONNX weights. A test of a layer whose
 * inputs are missing is skipped, and `skip-reporter.ts` ends the run with one line saying what was
 * skipped and how to enable it. Tests put their layer's tag in a suite or test name.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ARCHIVE_NAME } from "../../src/dataset/locate.js";
import { defaultCacheDir } from "../../src/program.js";
import { SHARED, SHARED_ARCHIVE, SHARED_MODELS } from "../helpers.js";

/** Name tags that mark a layer's tests (the skip reporter counts skipped tests by them). */
export const TAG = { full: "[full]", weights: "[real weights]", chromium: "[chromium]" } as const;

/** Whether the full layer's inputs exist: the real corpus and the small models. */
export const HAVE_SHARED =
  existsSync(SHARED_ARCHIVE) && existsSync(join(SHARED_MODELS, "tiny-random-bert"));

/**
 * The real 20 Newsgroups archive for tests that need only the corpus: ../shared's, else the one
 * the tool downloaded into its cache (checked against its sha256 when it was downloaded).
 */
export const REAL_ARCHIVE: string | undefined = [
  SHARED_ARCHIVE,
  join(defaultCacheDir(process.env), ARCHIVE_NAME),
].find((f) => existsSync(f));

/** The real model's id. */
export const REAL_MODEL = "Xenova/all-MiniLM-L6-v2";

/**
 * CLI arguments for a run of the real model on the real corpus, or undefined where the inputs
 * cannot be had. Weights: a models folder holding both `onnx/model.onnx` and
 * `onnx/model_quantized.onnx` (NEWSGROUP_CLUSTER_MODELS, then ../shared/models), else the tool's
 * own cache, where a run with internet access downloads them. Corpus: REAL_ARCHIVE. With
 * NEWSGROUP_CLUSTER_TEST_NETWORK=1 whatever is missing is left to the CLI to download (the Hugging
 * Face Hub, figshare) into the tool's cache.
 */
export function realModelArgs(env = process.env): string[] | undefined {
  const has = (dir: string) =>
    ["model.onnx", "model_quantized.onnx"].every((f) =>
      existsSync(join(dir, REAL_MODEL, "onnx", f)),
    );
  const network = env.NEWSGROUP_CLUSTER_TEST_NETWORK === "1";
  const cache = defaultCacheDir(env);
  const folder = [env.NEWSGROUP_CLUSTER_MODELS, SHARED_MODELS].find((d) => d && has(d));
  const weights =
    folder !== undefined
      ? ["--models", folder]
      : has(join(cache, "models")) || network
        ? ["--cache-dir", cache]
        : undefined;
  const data = REAL_ARCHIVE !== undefined ? ["--data", REAL_ARCHIVE] : network ? [] : undefined;
  if (weights === undefined || data === undefined) return undefined;
  return [...data, ...weights, "--model", REAL_MODEL];
}

/** Chromium for the report's browser test (`apt-get install chromium` on Debian). */
export const CHROMIUM = process.env.NEWSGROUP_CLUSTER_CHROMIUM ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Why each layer is skipped here and how to enable it; undefined where it runs. */
export function skipReasons(): Record<keyof typeof TAG, string | undefined> {
  return {
    full: HAVE_SHARED
      ? undefined
      : `${SHARED} has no data/20news-bydate.tar.gz and models/ (set NEWSGROUP_CLUSTER_SHARED=<dir>; the tests that need only the corpus also run once the tool has downloaded it into its cache)`,
    weights:
      realModelArgs() !== undefined
        ? undefined
        : `needs ${REAL_MODEL}'s onnx weights (in NEWSGROUP_CLUSTER_MODELS, ${SHARED_MODELS} or the tool's cache) and the real corpus; with internet access, set NEWSGROUP_CLUSTER_TEST_NETWORK=1 to download them`,
    chromium: HAVE_CHROMIUM
      ? undefined
      : `${CHROMIUM} not found (apt-get install chromium, or set NEWSGROUP_CLUSTER_CHROMIUM=<path>)`,
  };
}
