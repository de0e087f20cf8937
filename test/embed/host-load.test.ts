/**
 * The built CLI loads a model whose files are all on disk only in the model host
 * (src/embed/model-host.ts): the host's load errors must reach the user as the in-process load's
 * would, one line naming the file, exit 4 (model).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../reliability/server.js";
import { fixtures } from "../support/fixtures.js";
import { TINY_MODEL } from "../support/tiny-model.js";

const { archive, models } = fixtures();
const dir = mkdtempSync(join(tmpdir(), "ngc-host-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the fixture models folder, changed by `spoil`. */
function brokenModels(name: string, spoil: (root: string) => void): string {
  const copy = join(dir, name);
  cpSync(models, copy, { recursive: true });
  spoil(join(copy, TINY_MODEL));
  return copy;
}

const run = (modelsDir: string, extra = ["--quiet"]) =>
  runCli(
    [
      ...["--data", archive, "--categories", "sci.space", "--subset", "test", "--k", "2"],
      ...["--models", modelsDir, "--model", TINY_MODEL, "--device", "cpu", "--dtype", "q8"],
      ...["--no-cache", ...extra],
    ],
    { cacheDir: dir },
  );

describe("model load errors through the model host of the built CLI", () => {
  it.each([
    ["empty", Buffer.alloc(0)],
    ["corrupt", Buffer.from("this is not an onnx model\n".repeat(8))],
  ])(
    "a broken (%s) onnx/model_quantized.onnx exits 4 with one line naming the file",
    async (name, bytes) => {
      const broken = brokenModels(name, (root) =>
        writeFileSync(join(root, "onnx", "model_quantized.onnx"), bytes),
      );
      const r = await run(broken);
      expect(r.code).toBe(4);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`cannot load model ${TINY_MODEL} (q8)`);
      expect(lines[0]).toContain(join(broken, TINY_MODEL, "onnx", "model_quantized.onnx"));
    },
    30_000,
  );

  it("names a broken tokenizer.json before the broken weights the host loads meanwhile", async () => {
    const broken = brokenModels("both", (root) => {
      writeFileSync(join(root, "onnx", "model_quantized.onnx"), "");
      writeFileSync(join(root, "tokenizer.json"), "{ cut");
    });
    const r = await run(broken);
    expect(r.code).toBe(4);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("tokenizer.json");
    expect(lines[0]).not.toContain("model_quantized.onnx");
  }, 30_000);

  it("still warns once that --threads exceeds the cores", async () => {
    const threads = availableParallelism() + 1;
    const r = await run(models, ["--threads", String(threads)]);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split("\n").filter((l) => l.includes(`--threads ${threads}`));
    expect(warnings).toHaveLength(1);
  }, 30_000);
});
