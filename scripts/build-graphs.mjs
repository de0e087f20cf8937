#!/usr/bin/env node
/**
 * Build step (`npm run build`): writes the k-means graphs' ONNX bytes beside dist/cluster/ort.js,
 * built with onnx-proto by the same `productModel` the sources use, so that the CLI reads them
 * instead of importing protobufjs (50 ms) on every run. test/cluster/graphs.test.ts checks that
 * the files equal what the sources build.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ort = await import(new URL("../dist/cluster/ort.js", import.meta.url).href);
const proto = (await import("onnx-proto")).default.onnx;
for (const [name, topTwo, gather] of ort.GRAPHS) {
  writeFileSync(fileURLToPath(ort.graphFile(name)), ort.productModel(proto, topTwo, gather));
}
