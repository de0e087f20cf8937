import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeNpy } from "../../src/embed/npy.js";
import { PrecomputedEmbedder, readNpyFile } from "../../src/embed/precomputed.js";
import { CliError } from "../../src/errors.js";

/** A v1.0 .npy file with any header dict (padded as numpy pads it) and raw data bytes. */
function npyWith(dict: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = Buffer.from(`${dict}${" ".repeat(pad)}\n`, "latin1");
  const prefix = Buffer.alloc(10);
  prefix.write("\x93NUMPY", 0, "latin1");
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, header, data]);
}
const dict = (descr: string, shape: string, fortran = "False") =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
const f8 = (values: number[]) => Buffer.from(new Float64Array(values).buffer);
const f4 = (values: number[]) => Buffer.from(new Float32Array(values).buffer);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ngc-npy-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, bytes: Uint8Array): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, bytes);
  return p;
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(3);
    expect((err as CliError).message).not.toContain("\n");
    return (err as CliError).message;
  }
  throw new Error("expected a data error");
}

describe("readNpyFile", () => {
  it("reads float32 as written by encodeNpy, bit for bit", async () => {
    const data = new Float32Array([0.1, -2.5, 3e-8, -0, 7, 1e30]);
    const p = await file("a.npy", encodeNpy({ rows: 3, dims: 2, data }));
    const m = await readNpyFile(p);
    expect([m.rows, m.dims, m.dtype]).toEqual([3, 2, "float32"]);
    expect(Buffer.from(m.data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it("reads float64, rounding to float32", async () => {
    const p = await file("b.npy", npyWith(dict("<f8", "(2, 2)"), f8([0.1, 2, -3, 1e-300])));
    const m = await readNpyFile(p);
    expect(m.dtype).toBe("float64");
    expect(Array.from(m.data)).toEqual([Math.fround(0.1), 2, -3, 0]);
  });

  it("rejects every unusable file with one line naming the file and the problem", async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ["text.npy", Buffer.from("hello, not numpy"), /not a \.npy file/],
      ["empty.npy", Buffer.alloc(0), /not a \.npy file/],
      ["be.npy", npyWith(dict(">f4", "(1, 2)"), f4([1, 2])), /big-endian dtype '>f4'/],
      ["int.npy", npyWith(dict("<i4", "(1, 2)"), f4([1, 2])), /dtype '<i4'; expected float32/],
      ["f.npy", npyWith(dict("<f4", "(2, 1)", "True"), f4([1, 2])), /Fortran/],
      ["one.npy", npyWith(dict("<f4", "(2,)"), f4([1, 2])), /shape \(2\) is 1-D; expected 2-D/],
      ["three.npy", npyWith(dict("<f4", "(1, 1, 2)"), f4([1, 2])), /is 3-D; expected 2-D/],
      ["short.npy", npyWith(dict("<f4", "(2, 2)"), f4([1, 2, 3])), /12 data bytes.*needs 16/],
      ["nan.npy", npyWith(dict("<f4", "(2, 2)"), f4([1, 2, 3, Number.NaN])), /row 1 .*NaN/],
      ["inf.npy", npyWith(dict("<f8", "(2, 1)"), f8([-Infinity, 0])), /row 0 .*infinite/],
      ["big.npy", npyWith(dict("<f8", "(1, 1)"), f8([1e300])), /beyond float32 range/],
    ];
    for (const [name, bytes, want] of cases) {
      const p = await file(name, bytes);
      const msg = await failure(readNpyFile(p));
      expect(msg.startsWith(`--embeddings ${p}: `), msg).toBe(true);
      expect(msg).toMatch(want);
    }
    expect(await failure(readNpyFile(join(dir, "missing.npy")))).toMatch(
      /^cannot read --embeddings .*missing\.npy/,
    );
  });
});

describe("PrecomputedEmbedder", () => {
  it("returns the file's rows for as many posts, and refuses another count", async () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const p = await file("v.npy", encodeNpy({ rows: 3, dims: 2, data }));
    const e = await PrecomputedEmbedder.load(p);
    expect(e.info.dims).toBe(2);
    const out = await e.embed(["a", "b", "c"]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await failure(e.embed(["a", "b"]))).toBe(
      `--embeddings ${p}: 3 rows, but there are 2 posts; row i must be the vector of post i`,
    );
  });
});
