/**
 * What `npm run build` writes into dist/ for k-means (scripts/build-graphs.mjs) is what the sources
 * build: the ONNX graphs (onnx-proto) and the compiled WebAssembly kernels (wabt). The built CLI
 * reads the files instead of importing either, so it runs what the sources under test run.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { compileKernels, KERNELS_SOURCE } from "../../src/cluster/kernels.js";
import { GRAPHS, productModel } from "../../src/cluster/ort.js";

const built = (file: string) => import(pathToFileURL(resolve(file)).href);

describe("what the build writes for k-means", () => {
  it("the graphs equal what productModel builds, one file per graph", async () => {
    const ort = await built("dist/cluster/ort.js");
    expect(ort.GRAPHS).toEqual(GRAPHS);
    for (const [name, gather] of GRAPHS) {
      const file = readFileSync(ort.graphFile(name));
      const expected = productModel(onnxProto.onnx, gather);
      expect(Buffer.from(file).equals(Buffer.from(expected)), name).toBe(true);
    }
  });

  it("kernels.wasm is kernels.wat compiled", async () => {
    const kernels = await built("dist/cluster/kernels.js");
    const file = readFileSync(kernels.KERNELS_FILE);
    const expected = await compileKernels(readFileSync(KERNELS_SOURCE, "utf8"));
    expect(file.length).toBeGreaterThan(500);
    expect(Buffer.from(file).equals(Buffer.from(expected))).toBe(true);
  });
});
