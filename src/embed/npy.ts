/**
 * NumPy `.npy` files of 2-D little-endian float32 matrices in C order, the format `numpy.save`
 * writes for a `float32` array of shape (rows, dims) and `numpy.load` reads back. See
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html.
 */
import { writeFileAtomic } from "../atomic.js";
import type { Embeddings } from "../types.js";

export const MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
/** Data starts at a multiple of this many bytes (numpy's ARRAY_ALIGN). */
const ARRAY_ALIGN = 64;
/** numpy leaves room for the first axis to grow to this many digits in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes a matrix as a version 1.0 `.npy` file: dtype `<f4`, C order, shape (rows, dims). The
 * bytes equal those of `numpy.save` for the same float32 array.
 * @throws Error when `data` does not hold `rows * dims` values.
 */
export function encodeNpy(e: Embeddings): Buffer {
  checkShape(e.rows, e.dims);
  if (e.data.length !== e.rows * e.dims) {
    throw new Error(
      `cannot encode .npy: ${e.data.length} values do not fill shape (${e.rows}, ${e.dims})`,
    );
  }
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${e.rows}, ${e.dims}), }`;
  dict += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(e.rows).length));
  // Same arithmetic as numpy's _wrap_header: an already aligned header still gets a full block.
  const hlen = dict.length + 1;
  const padlen = ARRAY_ALIGN - ((MAGIC.length + 4 + hlen) % ARRAY_ALIGN);
  const header = `${dict}${" ".repeat(padlen)}\n`;
  const headerLen = header.length;
  if (headerLen > 0xffff) throw new Error("cannot encode .npy: header too long for version 1.0");
  const offset = MAGIC.length + 4 + headerLen;
  const out = Buffer.alloc(offset + e.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(headerLen, 8);
  out.write(header, 10, "latin1");
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), offset);
  } else {
    for (let i = 0; i < e.data.length; i++) out.writeFloatLE(e.data[i] as number, offset + i * 4);
  }
  return out;
}

/**
 * Decodes a `.npy` file (format version 1.0 or 2.0) holding a 2-D `<f4` matrix in C order.
 * The values are copied, so the result does not alias `buf`.
 * @throws Error naming the problem for anything else: bad magic, unsupported version, another
 * dtype, Fortran order, not 2-D, or a data length that does not match the shape.
 */
export function decodeNpy(buf: Uint8Array): Embeddings {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 10 || !b.subarray(0, 6).equals(MAGIC)) {
    throw new Error("not a .npy file (bad magic string)");
  }
  const major = b[6] as number;
  const minor = b[7] as number;
  let start: number;
  let headerLen: number;
  if (major === 1 && minor === 0) {
    start = 10;
    headerLen = b.readUInt16LE(8);
  } else if (major === 2 && minor === 0) {
    if (b.length < 12) throw new Error(".npy file truncated inside its header");
    start = 12;
    headerLen = b.readUInt32LE(8);
  } else {
    throw new Error(`unsupported .npy format version ${major}.${minor} (expected 1.0 or 2.0)`);
  }
  const offset = start + headerLen;
  if (offset > b.length) throw new Error(".npy file truncated inside its header");
  const header = parseHeader(b.toString("latin1", start, offset));
  if (header.descr !== "<f4") {
    throw new Error(`unsupported .npy dtype '${header.descr}' (expected '<f4', float32)`);
  }
  if (header.fortranOrder) throw new Error("unsupported .npy layout: Fortran order");
  if (header.shape.length !== 2) {
    throw new Error(`unsupported .npy shape (${header.shape.join(", ")}): expected 2-D`);
  }
  const [rows, dims] = header.shape as [number, number];
  checkShape(rows, dims);
  const expected = rows * dims * 4;
  const got = b.length - offset;
  if (got !== expected) {
    throw new Error(
      `.npy data is ${got} bytes but shape (${rows}, ${dims}) of float32 needs ${expected}`,
    );
  }
  const data = new Float32Array(rows * dims);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(data.buffer).set(b.subarray(offset));
  } else {
    for (let i = 0; i < data.length; i++) data[i] = b.readFloatLE(offset + i * 4);
  }
  return { rows, dims, data };
}

/**
 * Writes a matrix as a `.npy` file (see `encodeNpy`) atomically (see `writeFileAtomic`).
 * @throws Error for a bad shape, or the file system's error.
 */
export async function writeNpyAtomic(path: string, e: Embeddings): Promise<void> {
  await writeFileAtomic(path, encodeNpy(e));
}

function checkShape(rows: number, dims: number): void {
  for (const [name, v] of [
    ["rows", rows],
    ["dims", dims],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`bad .npy ${name}: ${v}`);
  }
  if (!Number.isSafeInteger(rows * dims * 4)) throw new Error(`.npy shape too large`);
}

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type Literal = string | boolean | number[];

/**
 * Parses the header, a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`. Only the literals numpy writes
 * are accepted: quoted strings, True/False, and tuples of non-negative integers.
 */
// About 85 lines on purpose: a small recursive-descent parser whose helpers share the cursor `i`
// through closures; split into module functions, each would need the text and cursor passed in.
export function parseHeader(text: string): NpyHeader {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`bad .npy header (${what} at offset ${i}): ${JSON.stringify(text.trim())}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const expect = (c: string) => {
    ws();
    if (text[i] !== c) fail(`expected '${c}'`);
    i++;
  };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') return fail("expected a string");
    const end = text.indexOf(q, i + 1);
    if (end < 0) fail("unterminated string");
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const int = (): number => {
    ws();
    const m = /^\d+/.exec(text.slice(i));
    if (m === null) return fail("expected an integer");
    i += m[0].length;
    // A trailing L is how Python 2 wrote longs; numpy still reads such files.
    if (text[i] === "L") i++;
    return Number(m[0]);
  };
  const value = (): Literal => {
    ws();
    if (text.startsWith("True", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("False", i)) {
      i += 5;
      return false;
    }
    if (text[i] === "'" || text[i] === '"') return str();
    if (text[i] !== "(") return fail("expected a value");
    i++;
    const items: number[] = [];
    for (;;) {
      ws();
      if (text[i] === ")") break;
      items.push(int());
      ws();
      if (text[i] === ",") i++;
      else if (text[i] !== ")") fail("expected ',' or ')'");
    }
    i++;
    return items;
  };

  const dict = new Map<string, Literal>();
  expect("{");
  for (;;) {
    ws();
    if (text[i] === "}") break;
    const key = str();
    if (dict.has(key)) fail(`duplicate key '${key}'`);
    expect(":");
    dict.set(key, value());
    ws();
    if (text[i] === ",") i++;
    else if (text[i] !== "}") fail("expected ',' or '}'");
  }
  i++;
  ws();
  if (i !== text.length) fail("trailing characters");

  const keys = [...dict.keys()].sort().join(",");
  if (keys !== "descr,fortran_order,shape")
    fail(`keys are [${keys}], expected descr, fortran_order, shape`);
  const descr = dict.get("descr");
  const fortranOrder = dict.get("fortran_order");
  const shape = dict.get("shape");
  if (typeof descr !== "string") return fail("descr is not a string");
  if (typeof fortranOrder !== "boolean") return fail("fortran_order is not True or False");
  if (!Array.isArray(shape)) return fail("shape is not a tuple");
  return { descr, fortranOrder, shape };
}
