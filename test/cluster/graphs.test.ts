/**
 * The k-means graphs that `npm run build` writes into dist/ (scripts/build-graphs.mjs) are the
 * bytes the sources build with onnx-proto, so the built CLI, which reads the files instead of
 * importing protobufjs, runs the same graphs as the sources under test.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { GRAPHS, productModel } from "../../src/cluster/ort.js";

describe("the built k-means graphs", () => {
  it("equal what productModel builds, one file per graph", async () => {
    const built = await import(pathToFileURL(resolve("dist/cluster/ort.js")).href);
    expect(built.GRAPHS).toEqual(GRAPHS);
    for (const [name, topTwo, gather] of GRAPHS) {
      const file = readFileSync(built.graphFile(name));
      const expected = productModel(onnxProto.onnx, topTwo, gather);
      expect(Buffer.from(file).equals(Buffer.from(expected)), name).toBe(true);
    }
  });
});
