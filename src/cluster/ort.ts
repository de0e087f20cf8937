/**
 * The matrix products of k-means, run by onnxruntime-node as two tiny graphs built in memory with
 * onnx-proto. This module owns those onnxruntime sessions; nothing else in `cluster/` imports
 * onnxruntime.
 *
 * Both graphs compute, for rows X (n x d) and centres C (m x d), both fp32,
 *   Y = ||c_j||² − 2·X·Cᵀ   (one Gemm, n x m)
 * which is the squared distance less the row's own ||x_i||² (a per-row constant that does not
 * change which centre is nearest). `scores` returns Y; `nearestTwo` returns the two smallest
 * entries of each row of Y with their column (TopK), so that callers can tell where fp32 rounding
 * could have swapped the nearest centre.
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
 * ONNX model bytes: Y = CN − 2·X·Cᵀ, and with `topTwo` the TopK(2, smallest) of each row of Y.
 * With `gather`, X is the rows R (int32 indices) of the input XA: onnxruntime copies them far
 * faster than a JavaScript loop does (1.1 ms against 3.0 ms a call for 6,755 of 18,846 rows).
 */
export function productModel(proto: Proto, topTwo: boolean, gather = false): Uint8Array {
  const FLOAT = proto.TensorProto.DataType.FLOAT;
  const INT64 = proto.TensorProto.DataType.INT64;
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
    input: ["X", "C", "CN"],
    output: ["Y"],
    attribute: [
      { name: "alpha", type: proto.AttributeProto.AttributeType.FLOAT, f: -2 },
      { name: "beta", type: proto.AttributeProto.AttributeType.FLOAT, f: 1 },
      { name: "transB", type: proto.AttributeProto.AttributeType.INT, i: 1 },
    ],
  });
  const outputs = [valueInfo("Y", FLOAT, ["n", "m"])];
  const initializer: onnx.ITensorProto[] = [];
  if (topTwo) {
    initializer.push({ name: "K", dataType: INT64, dims: [1], int64Data: [2] });
    nodes.push({
      opType: "TopK",
      input: ["Y", "K"],
      output: ["V", "I64"],
      attribute: [
        { name: "axis", type: proto.AttributeProto.AttributeType.INT, i: 1 },
        { name: "largest", type: proto.AttributeProto.AttributeType.INT, i: 0 },
        { name: "sorted", type: proto.AttributeProto.AttributeType.INT, i: 1 },
      ],
    });
    // int32 indices: reading a BigInt64Array allocates a BigInt per element.
    nodes.push({
      opType: "Cast",
      input: ["I64"],
      output: ["I"],
      attribute: [{ name: "to", type: proto.AttributeProto.AttributeType.INT, i: INT32 }],
    });
    outputs.splice(0, 1, valueInfo("V", FLOAT, ["n", 2]), valueInfo("I", INT32, ["n", 2]));
  }
  const model = proto.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "newsgroup-cluster",
    graph: {
      name: `${topTwo ? "nearest-two" : "scores"}${gather ? "-of-rows" : ""}`,
      node: nodes,
      initializer,
      input: [
        ...(gather
          ? [valueInfo("XA", FLOAT, ["rows", "d"]), valueInfo("R", INT32, ["n"])]
          : [valueInfo("X", FLOAT, ["n", "d"])]),
        valueInfo("C", FLOAT, ["m", "d"]),
        valueInfo("CN", FLOAT, ["m"]),
      ],
      output: outputs,
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

/** The two products; each call covers rows [from, to). */
export interface Products {
  /** Y for rows [from, to): (to − from) x count, row-major. */
  scores(x: Rows, from: number, to: number, c: Centres): Promise<Float32Array>;
  /**
   * Two smallest Y per row: values (2 per row) and their centre indices (2 per row). With `only`,
   * of the rows `only[from..to)` of x instead of the rows [from, to).
   */
  nearestTwo(
    x: Rows,
    from: number,
    to: number,
    c: Centres,
    only?: Int32Array,
  ): Promise<{ values: Float32Array; indices: Int32Array }>;
}

interface Sessions {
  ort: typeof Ort;
  scores: Ort.InferenceSession;
  nearest: Ort.InferenceSession;
  nearestOf: Ort.InferenceSession;
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
    const [scores, nearest, nearestOf] = await Promise.all(
      (await graphs()).map((bytes) => ort.InferenceSession.create(bytes, opts)),
    );
    return {
      ort,
      scores: scores as Ort.InferenceSession,
      nearest: nearest as Ort.InferenceSession,
      nearestOf: nearestOf as Ort.InferenceSession,
    };
  })();
  return sessions;
}

/** The three graphs: [name, topTwo, gather] as `productModel` takes them. */
export const GRAPHS = [
  ["scores", false, false],
  ["nearest-two", true, false],
  ["nearest-two-of-rows", true, true],
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
    return GRAPHS.map(([, topTwo, gather]) => productModel(proto, topTwo, gather));
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
    CN: new Tensor("float32", c.norms, [c.count]),
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
    async scores(x, from, to, c) {
      const out = await s.scores.run(feeds(s, x, from, to, c));
      return (out.Y as Ort.Tensor).data as Float32Array;
    },
    async nearestTwo(x, from, to, c, only) {
      const session = only === undefined ? s.nearest : s.nearestOf;
      const out = await session.run(feeds(s, x, from, to, c, only));
      return {
        values: (out.V as Ort.Tensor).data as Float32Array,
        indices: (out.I as Ort.Tensor).data as Int32Array,
      };
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
