/**
 * Builds the hermetic fixtures once per vitest run, into a temporary folder removed afterwards:
 * the synthetic corpus archive (corpus.ts) and a models folder with the tiny model
 * (tiny-model.ts). Tests get the paths with `fixtures()` from fixtures.ts.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { writeFixtureArchive } from "./corpus.js";
import type { Fixtures } from "./fixtures.js";
import { SLOW_LAYERS, SLOW_MODEL, TOKENIZER_ONLY, writeTinyModel } from "./tiny-model.js";

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "ngc-fixtures-"));
  const archive = join(dir, "20news-bydate.tar.gz");
  await writeFixtureArchive(archive);
  const models = join(dir, "models");
  mkdirSync(models);
  writeTinyModel(models);
  writeTinyModel(models, TOKENIZER_ONLY, { weights: false });
  writeTinyModel(models, SLOW_MODEL, { slowLayers: SLOW_LAYERS });
  const fixtures: Fixtures = { dir, archive, models };
  project.provide("fixtures", fixtures);
  return () => rmSync(dir, { recursive: true, force: true });
}
