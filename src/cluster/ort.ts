/**
 * The matrix product of k-means, run by onnxruntime-node as two tiny graphs built with onnx-proto.
 * This module owns those onnxruntime sessions; nothing else in `cluster/` imports onnxruntime.
 *
 * Both graphs compute, for rows X (n x d) and centres C (m x d), both fp32,
 *   Y = ||c||² − 2·C·Xᵀ   (one Gemm, m x n: a centre's scores of all rows are contiguous)
 * which is the squared distance less the row's own ||x_i||² (a per-row constant that does not
 * change which centre is nearest). The second graph first gathers X from given rows of a larger
 * matrix. What is done with Y row by row (the two smallest, the bounds) is kernels.ts's
 * WebAssembly, four rows to a SIMD lane group: onnxruntime's TopK took as long as the product,
 * and C·Xᵀ is a little faster than X·Cᵀ for k < 32 (0.58 against 0.70 ms for 6,800 rows, k=20).
 *
 * onnxruntime-node runs a session on the main thread, so a call is kept to about 2^27
 * multiply-adds (a few milliseconds) by splitting the rows; callers await a checkpoint between
 * calls to stay interruptible.
 */
import { readFile } from "node:fs/promises";
import type OnnxProto from "onnx-proto";
import type { onnx } from "onnx-proto";
import type * as Ort from "onnxruntime-node";

/** onnx-proto's message classes (protobufjs: 50 ms to import, so only when k-means runs). */
type Proto = typeof OnnxProto.onnx;

/** Multiply-adds per session call, at most (except that a call always takes one row). */
const CALL_MACS = 2 ** 27;

function valueInfo(
  name: string,
  elemType: number,
  dims: (number | string)[],
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

/**
 * ONNX model bytes: Y = CN − 2·C·Xᵀ (CN: m x 1). With `gather`, X is the rows R (int32 indices) of the input
 * XA: onnxruntime copies them far faster than a JavaScript loop does (1.1 ms against 3.0 ms a call
 * for 6,755 of 18,846 rows).
 */
export function productModel(proto: Proto, gather = false): Uint8Array {
  const FLOAT = proto.TensorProto.DataType.FLOAT;
  const INT32 = proto.TensorProto.DataType.INT32;
  const nodes: onnx.INodeProto[] = [];
  if (gather) {
    nodes.push({
      opType: "Gather",
      input: ["XA", "R"],
      output: ["X"],
      attribute: [{ name: "axis", type: proto.AttributeProto.AttributeType.INT, i: 0 }],
    });
  }
  nodes.push({
    opType: "Gemm",
    input: ["C", "X", "CN"],
    output: ["Y"],
    attribute: [
      { name: "alpha", type: proto.AttributeProto.AttributeType.FLOAT, f: -2 },
      { name: "beta", type: proto.AttributeProto.AttributeType.FLOAT, f: 1 },
      { name: "transB", type: proto.AttributeProto.AttributeType.INT, i: 1 },
    ],
  });
  const model = proto.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "newsgroup-cluster",
    graph: {
      name: gather ? "scores-of-rows" : "scores",
      node: nodes,
      input: [
        ...(gather
          ? [valueInfo("XA", FLOAT, ["rows", "d"]), valueInfo("R", INT32, ["n"])]
          : [valueInfo("X", FLOAT, ["n", "d"])]),
        valueInfo("C", FLOAT, ["m", "d"]),
        valueInfo("CN", FLOAT, ["m", 1]),
      ],
      output: [valueInfo("Y", FLOAT, ["m", "n"])],
    },
  });
  return proto.ModelProto.encode(model).finish();
}

/** Rows (n x dims, row-major fp32). */
export interface Rows {
  rows: number;
  dims: number;
  data: Float32Array;
}

/** Centres in the form the graphs take: fp32 rows and their fp32 squared norms. */
export interface Centres {
  count: number;
  data: Float32Array;
  norms: Float32Array;
}

/** The product; each call covers rows [from, to), or with `only` the rows `only[from..to)`. */
export interface Products {
  /**
   * Y of those rows, written into `out` (a view of the kernels' memory): count x (to − from),
   * row-major (centre by centre).
   */
  scores(
    x: Rows,
    from: number,
    to: number,
    c: Centres,
    only: Int32Array | undefined,
    out: Float32Array,
  ): Promise<void>;
}

interface Sessions {
  ort: typeof Ort;
  scores: Ort.InferenceSession;
  scoresOf: Ort.InferenceSession;
}
let sessions: Promise<Sessions> | undefined;

/**
 * The process's two sessions, created on first use (a few milliseconds) and kept. onnxruntime is
 * imported here, not at start-up, so that runs without k-means (`--help`, `corpus`) skip it.
 */
function getSessions(): Promise<Sessions> {
  sessions ??= (async () => {
    // onnxruntime 1.30 otherwise writes a telemetry id under ~/.cache/Microsoft on the first
    // session (transformers.js sets the same on import; this process no longer imports it).
    process.env.ORT_DISABLE_TELEMETRY = "1";
    const ort = await import("onnxruntime-node");
    const opts: Ort.InferenceSession.SessionOptions = {
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      // Threads that spin between the short calls of k-means steal the cores other work needs.
      extra: { session: { intra_op: { allow_spinning: "0" } } },
    };
    const [scores, scoresOf] = await Promise.all(
      (await graphs()).map((bytes) => ort.InferenceSession.create(bytes, opts)),
    );
    return {
      ort,
      scores: scores as Ort.InferenceSession,
      scoresOf: scoresOf as Ort.InferenceSession,
    };
  })();
  return sessions;
}

/** The two graphs: [name, gather] as `productModel` takes them. */
export const GRAPHS = [
  ["scores", false],
  ["scores-of-rows", true],
] as const;

/** Where `npm run build` writes graph `name`'s bytes: beside this module, in dist/. */
export function graphFile(name: string): URL {
  return new URL(`./${name}.onnx`, import.meta.url);
}

/**
 * The graphs' bytes: those `npm run build` wrote (scripts/build-graphs.mjs), else built now with
 * onnx-proto, as the TypeScript sources under test do. protobufjs takes 50 ms to import, which
 * was a twentieth of a warm re-run; test/cluster/graphs.test.ts keeps the files equal to what
 * `productModel` builds.
 */
async function graphs(): Promise<Uint8Array[]> {
  try {
    return await Promise.all(GRAPHS.map(([name]) => readFile(graphFile(name))));
  } catch {
    const proto = (await import("onnx-proto")).default.onnx;
    return GRAPHS.map(([, gather]) => productModel(proto, gather));
  }
}

/**
 * Starts importing onnxruntime and creating the sessions now, for a caller that waits on other
 * work meanwhile (the pipeline, while the model host embeds). Errors surface at the first use.
 */
export function prepareSessions(): void {
  getSessions().catch(() => {});
}

/** Rows per call so that one call stays near CALL_MACS multiply-adds. */
export function rowsPerCall(dims: number, centres: number): number {
  return Math.max(1, Math.floor(CALL_MACS / Math.max(1, dims * centres)));
}

/** The inputs of a call: rows [from, to) of x, or with `only` x whole and its rows `only[from..to)`. */
function feeds(s: Sessions, x: Rows, from: number, to: number, c: Centres, only?: Int32Array) {
  const { Tensor } = s.ort;
  const centres = {
    C: new Tensor("float32", c.data, [c.count, x.dims]),
    CN: new Tensor("float32", c.norms, [c.count, 1]),
  };
  if (only === undefined) {
    const rows = x.data.subarray(from * x.dims, to * x.dims);
    return { X: new Tensor("float32", rows, [to - from, x.dims]), ...centres };
  }
  return {
    XA: new Tensor("float32", x.data, [x.rows, x.dims]),
    R: new Tensor("int32", only.subarray(from, to), [to - from]),
    ...centres,
  };
}

/** The onnxruntime-backed products (CPU execution provider). */
export async function products(): Promise<Products> {
  const s = await getSessions();
  return {
    async scores(x, from, to, c, only, out) {
      const session = only === undefined ? s.scores : s.scoresOf;
      // A pre-allocated output: onnxruntime writes Y where the kernels read it, no copy.
      const Y = new s.ort.Tensor("float32", out, [c.count, to - from]);
      await session.run(feeds(s, x, from, to, c, only), { Y });
    },
  };
}

/** fp32 copy of flat float64 centres (count x dims) with their squared norms. */
export function toCentres(flat: Float64Array, count: number, dims: number): Centres {
  const data = Float32Array.from(flat);
  const norms = new Float32Array(count);
  for (let j = 0; j < count; j++) {
    let s = 0;
    for (let t = j * dims; t < (j + 1) * dims; t++) s += (data[t] as number) ** 2;
    norms[j] = s;
  }
  return { count, data, norms };
}
