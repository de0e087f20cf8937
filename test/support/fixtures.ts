/**
 * The hermetic fixtures' paths, built once per run by global-setup.ts. `TINY` is the argument
 * list that points the CLI at the synthetic corpus and the tiny model.
 */
import { inject } from "vitest";
import { TINY_MODEL } from "./tiny-model.js";

export interface Fixtures {
  /** The temporary folder holding everything below. */
  dir: string;
  /** The synthetic corpus as `20news-bydate.tar.gz` (corpus.ts). */
  archive: string;
  /** A models folder in transformers.js layout holding the tiny model (tiny-model.ts). */
  models: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    fixtures: Fixtures;
  }
}

/** The fixtures of this run. */
export function fixtures(): Fixtures {
  return inject("fixtures");
}

/** CLI arguments: the synthetic corpus and the tiny model. */
export function tinyArgs(): string[] {
  const f = fixtures();
  return ["--data", f.archive, "--models", f.models, "--model", TINY_MODEL];
}
