/**
 * A measured fp32 matrix-product probe for the benchmark: one ONNX MatMul of the encoder's FFN
 * shape, run on onnxruntime with the embedder's thread settings. This is the practical peak the
 * embedder's arithmetic can reach on this machine (same library, same kernels).
 */
import * as ort from "onnxruntime-node";

/** Protobuf wire helpers: just enough to write a one-node ONNX model. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
const field = (num: number, bytes: number[]) => [
  ...varint((num << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
];
const int = (num: number, v: number) => [...varint(num << 3), ...varint(v)];
const str = (num: number, s: string) => field(num, [...Buffer.from(s, "utf8")]);

function tensorInfo(name: string, dims: (number | string)[]): number[] {
  const shape = dims.flatMap((d) => field(1, typeof d === "number" ? int(1, d) : str(2, d)));
  const tensorType = [...int(1, 1 /* FLOAT */), ...field(2, shape)];
  return [...str(1, name), ...field(2, field(1, tensorType))];
}

/** ONNX model bytes computing C[m, n] = A[m, k] x B[k, n] (fp32, opset 17). */
export function matmulModel(k: number, n: number): Uint8Array {
  const node = [...str(1, "A"), ...str(1, "B"), ...str(2, "C"), ...str(4, "MatMul")];
  const graph = [
    ...field(1, node),
    ...str(2, "probe"),
    ...field(11, tensorInfo("A", ["m", k])),
    ...field(11, tensorInfo("B", [k, n])),
    ...field(12, tensorInfo("C", ["m", n])),
  ];
  const model = [
    ...int(1, 8),
    ...field(8, [...str(1, ""), ...int(2, 17)]),
    ...str(2, "peak-probe"),
    ...field(7, graph),
  ];
  return Uint8Array.from(model);
}

/**
 * Measures fp32 GFLOP/s of A[m x 384] x B[384 x 1536] (the FFN's first matrix product).
 * @returns best-of-`reps` GFLOP/s after warm-up.
 */
export async function measureMatmulGflops(threads: number, m = 4096, reps = 8): Promise<number> {
  const k = 384;
  const n = 1536;
  const session = await ort.InferenceSession.create(matmulModel(k, n), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const a = new ort.Tensor(
    "float32",
    Float32Array.from({ length: m * k }, (_, i) => ((i * 7) % 13) / 13),
    [m, k],
  );
  const b = new ort.Tensor(
    "float32",
    Float32Array.from({ length: k * n }, (_, i) => ((i * 5) % 11) / 11),
    [k, n],
  );
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps + 3; r++) {
    const t0 = performance.now();
    await session.run({ A: a, B: b });
    const dt = (performance.now() - t0) / 1000;
    if (r >= 3) best = Math.min(best, dt);
  }
  await session.release();
  return (2 * m * k * n) / best / 1e9;
}
