#!/usr/bin/env node
/**
 * Build step (`npm run build`): writes what k-means loads beside dist/cluster/ort.js and
 * kernels.js, so that the CLI reads files instead of importing a compiler on every run:
 * - the graphs' ONNX bytes, built with onnx-proto by the same `productModel` the sources use
 *   (protobufjs takes 50 ms to import);
 * - kernels.wat compiled to kernels.wasm by wabt (a devDependency), by the same `compileKernels`.
 * test/cluster/graphs.test.ts checks that the files equal what the sources build.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ort = await import(new URL("../dist/cluster/ort.js", import.meta.url).href);
const proto = (await import("onnx-proto")).default.onnx;
for (const [name, gather] of ort.GRAPHS) {
  writeFileSync(fileURLToPath(ort.graphFile(name)), ort.productModel(proto, gather));
}
const kernels = await import(new URL("../dist/cluster/kernels.js", import.meta.url).href);
const source = readFileSync(new URL("../src/cluster/kernels.wat", import.meta.url), "utf8");
writeFileSync(fileURLToPath(kernels.KERNELS_FILE), await kernels.compileKernels(source));
