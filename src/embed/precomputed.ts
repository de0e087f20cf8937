/**
 * `--embeddings <file.npy>`: vectors computed elsewhere, read from a NumPy `.npy` file and checked
 * (2-D, float32 or float64, little-endian, C order, finite values, one row per post), then served
 * through the `Embedder` interface so the pipeline needs no other path.
 */
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { dataError } from "../errors.js";
import { interrupter } from "../interrupt.js";
import type { Embeddings } from "../types.js";
import type { Embedder, EmbedderInfo } from "./embedder.js";
import { MAGIC, parseHeader } from "./npy.js";

/** A matrix read from `.npy`, with the dtype it was stored in. */
export interface NpyMatrix extends Embeddings {
  dtype: "float32" | "float64";
}

const DTYPES: Record<string, { dtype: NpyMatrix["dtype"]; bytes: number }> = {
  "<f4": { dtype: "float32", bytes: 4 },
  "<f8": { dtype: "float64", bytes: 8 },
};
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Bytes read per step: bounds the extra memory and keeps Ctrl-C responsive. */
const CHUNK_BYTES = 8 << 20;

/**
 * Reads a `.npy` file holding a 2-D float32 or float64 matrix (values converted to float32).
 * @throws CliError(data), one line naming the file and what is wrong: not .npy, another dtype,
 * big-endian, Fortran order, not 2-D, truncated, or a NaN/infinite value (with its row).
 */
export async function readNpyFile(path: string, signal?: AbortSignal): Promise<NpyMatrix> {
  const fail = (why: string) => dataError(`--embeddings ${path}: ${why}`);
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, "r");
  } catch (err) {
    throw dataError(`cannot read --embeddings ${path}: ${(err as Error).message}`, err);
  }
  try {
    const size = (await fh.stat()).size;
    const pre = Buffer.alloc(12);
    const { bytesRead } = await fh.read(pre, 0, 12, 0);
    if (bytesRead < 10 || !pre.subarray(0, 6).equals(MAGIC)) {
      throw fail("not a .npy file (it does not start with \\x93NUMPY)");
    }
    const major = pre[6] as number;
    if (major !== 1 && major !== 2 && major !== 3) {
      throw fail(`unsupported .npy format version ${major}.${pre[7]}`);
    }
    const start = major === 1 ? 10 : 12;
    const headerLen = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
    if (start + headerLen > size) throw fail("truncated inside its header");
    const headerBytes = Buffer.alloc(headerLen);
    await fh.read(headerBytes, 0, headerLen, start);
    let header: ReturnType<typeof parseHeader>;
    try {
      header = parseHeader(headerBytes.toString(major === 3 ? "utf8" : "latin1"));
    } catch (err) {
      throw fail((err as Error).message);
    }
    const type = DTYPES[header.descr];
    if (type === undefined) {
      const why = /^>[fc]/.test(header.descr)
        ? `big-endian dtype '${header.descr}'; save it little-endian (astype('<f4'))`
        : `dtype '${header.descr}'; expected float32 ('<f4') or float64 ('<f8')`;
      throw fail(why);
    }
    if (header.fortranOrder) {
      throw fail("Fortran (column-major) order; save a C-ordered array (np.ascontiguousarray)");
    }
    if (header.shape.length !== 2) {
      throw fail(
        `shape (${header.shape.join(", ")}) is ${header.shape.length}-D; expected 2-D (posts, dims)`,
      );
    }
    const [rows, dims] = header.shape as [number, number];
    const need = rows * dims * type.bytes;
    const offset = start + headerLen;
    if (size - offset !== need) {
      throw fail(
        `holds ${size - offset} data bytes, but shape (${rows}, ${dims}) of ${type.dtype} needs ${need}`,
      );
    }
    const data = await readValues(fh, offset, rows, dims, type.bytes, fail, signal);
    return { rows, dims, data, dtype: type.dtype };
  } finally {
    await fh.close();
  }
}

/** Reads rows in chunks, converting to float32 and rejecting NaN and infinite values. */
async function readValues(
  fh: Awaited<ReturnType<typeof open>>,
  offset: number,
  rows: number,
  dims: number,
  bytes: number,
  fail: (why: string) => Error,
  signal: AbortSignal | undefined,
): Promise<Float32Array> {
  const checkpoint = interrupter(signal);
  const data = new Float32Array(rows * dims);
  const rowBytes = dims * bytes;
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, rowBytes)));
  const buf = Buffer.alloc(Math.min(rows, rowsPerChunk) * rowBytes);
  for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r0);
    const len = n * rowBytes;
    const { bytesRead } = await fh.read(buf, 0, len, offset + r0 * rowBytes);
    if (bytesRead !== len) throw fail("truncated (the file shrank while being read)");
    const base = r0 * dims;
    const count = n * dims;
    // Buffer.alloc of this size owns its aligned ArrayBuffer, so a typed view reads it directly.
    const values = !LITTLE_ENDIAN_HOST
      ? Float64Array.from({ length: count }, (_, i) =>
          bytes === 4 ? buf.readFloatLE(i * 4) : buf.readDoubleLE(i * 8),
        )
      : bytes === 4
        ? new Float32Array(buf.buffer, buf.byteOffset, count)
        : new Float64Array(buf.buffer, buf.byteOffset, count);
    for (let i = 0; i < count; i++) {
      const v = values[i] as number;
      const f = Math.fround(v);
      if (!Number.isFinite(f)) {
        const row = r0 + Math.floor(i / dims);
        const what = Number.isNaN(v)
          ? "NaN"
          : Number.isFinite(v)
            ? "beyond float32 range"
            : "infinite";
        throw fail(`row ${row} (0-based) holds a ${what} value; every value must be finite`);
      }
      data[base + i] = f;
    }
    await checkpoint();
  }
  return data;
}

/**
 * An embedder that returns the vectors of a `.npy` file, row i for post i. The rows are used as
 * they are (not normalised).
 */
export class PrecomputedEmbedder implements Embedder {
  readonly info: EmbedderInfo;
  private constructor(
    private readonly path: string,
    private readonly matrix: NpyMatrix,
  ) {
    this.info = {
      model: `--embeddings ${basename(path)}`,
      dtype: matrix.dtype,
      device: "none",
      maxLength: 0,
      dims: matrix.dims,
    };
  }

  /** Reads and checks the file (see `readNpyFile`). */
  static async load(path: string, signal?: AbortSignal): Promise<PrecomputedEmbedder> {
    return new PrecomputedEmbedder(path, await readNpyFile(path, signal));
  }

  /** @throws CliError(data) when the file's row count is not the number of posts. */
  async embed(texts: readonly string[]): Promise<Embeddings> {
    const { rows, dims, data } = this.matrix;
    if (rows !== texts.length) {
      throw dataError(
        `--embeddings ${this.path}: ${rows} rows, but there are ${texts.length} posts; row i must be the vector of post i`,
      );
    }
    return { rows, dims, data };
  }

  async dispose(): Promise<void> {}
}
