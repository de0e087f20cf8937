/**
 * The .npy codec, checked against bytes written by numpy 1.24 (`numpy.save`), so these tests need
 * no Python.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import "../support/property-seed.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/atomic.js";
import { decodeNpy, encodeNpy, writeNpyAtomic } from "../../src/embed/npy.js";

/** np.save(f, np.array([[0.5, -1.25, 3.0], [1e-3, -0.0, 65504.0]], dtype="<f4")) */
const NUMPY_2X3 = Buffer.from(
  "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAA/AACgvwAAQEBvEoM6AAAAgADgf0c=",
  "base64",
);
const NUMPY_2X3_VALUES = [0.5, -1.25, 3.0, Math.fround(1e-3), -0, 65504];
/** numpy.lib.format.write_array(f, np.arange(6, dtype="<f4").reshape(2, 3), version=(2, 0)) */
const NUMPY_V2_2X3 = Buffer.from(
  "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEA=",
  "base64",
);

/** A v1.0 file with any header text (padded like numpy's) and raw data bytes. */
function npyWith(dict: string, data: Uint8Array = new Uint8Array(0), version = [1, 0]): Buffer {
  const pre = version[0] === 1 ? 10 : 12;
  const pad = 64 - ((pre + dict.length + 1) % 64);
  const header = Buffer.from(`${dict}${" ".repeat(pad)}\n`, "latin1");
  const prefix = Buffer.alloc(pre);
  prefix.write("\x93NUMPY", 0, "latin1");
  prefix[6] = version[0] as number;
  prefix[7] = version[1] as number;
  if (pre === 10) prefix.writeUInt16LE(header.length, 8);
  else prefix.writeUInt32LE(header.length, 8);
  return Buffer.concat([prefix, header, data]);
}
const f4 = (values: number[]) => Buffer.from(new Float32Array(values).buffer);

describe("decodeNpy", () => {
  it("reads numpy's own file", () => {
    const e = decodeNpy(NUMPY_2X3);
    expect(e.rows).toBe(2);
    expect(e.dims).toBe(3);
    expect(Array.from(e.data)).toEqual(NUMPY_2X3_VALUES);
    expect(Object.is(e.data[4], -0)).toBe(true);
  });

  it("reads a version 2.0 file", () => {
    const e = decodeNpy(NUMPY_V2_2X3);
    expect([e.rows, e.dims]).toEqual([2, 3]);
    expect(Array.from(e.data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("reads from an unaligned view and copies the values", () => {
    const big = new Uint8Array(NUMPY_2X3.length + 3);
    big.set(NUMPY_2X3, 1);
    const view = big.subarray(1, 1 + NUMPY_2X3.length);
    const e = decodeNpy(view);
    expect(Array.from(e.data)).toEqual(NUMPY_2X3_VALUES);
    big.fill(0);
    expect(e.data[0]).toBe(0.5);
  });

  it("accepts a (0, dims) matrix and Python's alternative spellings", () => {
    expect(
      decodeNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 384), }")),
    ).toMatchObject({ rows: 0, dims: 384 });
    const e = decodeNpy(
      npyWith('{"shape":(1,2),"fortran_order":False,"descr":"<f4"}', f4([1.5, -2])),
    );
    expect(Array.from(e.data)).toEqual([1.5, -2]);
  });

  const good = (shape: string, descr = "<f4", fortran = "False") =>
    `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  it.each([
    ["bad magic", Buffer.from("NOTNUMPY\x01\x00"), /bad magic/],
    ["empty input", Buffer.alloc(0), /bad magic/],
    ["version 3.0", npyWith(good("(2, 3)"), f4([1, 2, 3, 4, 5, 6]), [3, 0]), /version 3\.0/],
    ["float64", npyWith(good("(1, 1)", "<f8"), Buffer.alloc(8)), /dtype '<f8'/],
    ["big-endian float32", npyWith(good("(1, 1)", ">f4"), Buffer.alloc(4)), /dtype '>f4'/],
    ["Fortran order", npyWith(good("(2, 3)", "<f4", "True"), Buffer.alloc(24)), /Fortran/],
    ["1-D", npyWith(good("(3,)"), Buffer.alloc(12)), /expected 2-D/],
    ["3-D", npyWith(good("(1, 2, 3)"), Buffer.alloc(24)), /expected 2-D/],
    ["0-D", npyWith(good("()"), Buffer.alloc(4)), /expected 2-D/],
    ["short data", NUMPY_2X3.subarray(0, NUMPY_2X3.length - 1), /23 bytes .* needs 24/],
    ["extra data", Buffer.concat([NUMPY_2X3, Buffer.alloc(4)]), /28 bytes .* needs 24/],
    ["truncated header", NUMPY_2X3.subarray(0, 60), /truncated inside its header/],
    [
      "extra key",
      npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'x': 1}"),
      /bad \.npy header/,
    ],
    ["missing key", npyWith("{'descr': '<f4', 'shape': (1, 1)}", Buffer.alloc(4)), /keys are/],
    [
      "structured dtype",
      npyWith("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 1)}"),
      /bad \.npy header/,
    ],
    ["trailing junk", npyWith(`${good("(1, 1)")} x`, Buffer.alloc(4)), /trailing/],
  ])("rejects %s", (_name, buf, message) => {
    expect(() => decodeNpy(buf)).toThrow(message);
  });
});

describe("encodeNpy", () => {
  it("reproduces numpy's bytes", () => {
    const out = encodeNpy({ rows: 2, dims: 3, data: new Float32Array(NUMPY_2X3_VALUES) });
    expect(out.toString("base64")).toBe(NUMPY_2X3.toString("base64"));
  });

  it("writes numpy's header for the full corpus shape, data at byte 128", () => {
    const out = encodeNpy({ rows: 18846, dims: 384, data: new Float32Array(18846 * 384) });
    expect(out.length).toBe(128 + 18846 * 384 * 4);
    expect(out.subarray(0, 128).toString("latin1")).toBe(
      `\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (18846, 384), }${" ".repeat(52)}\n`,
    );
  });

  it("round-trips any matrix bit for bit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.float({ noNaN: false }), { minLength: 25, maxLength: 25 }),
        (rows, dims, pool) => {
          const data = new Float32Array(pool.slice(0, rows * dims));
          const buf = encodeNpy({ rows, dims, data });
          expect(buf.length % 4).toBe(0);
          expect((buf.length - rows * dims * 4) % 64).toBe(0);
          const back = decodeNpy(buf);
          expect([back.rows, back.dims]).toEqual([rows, dims]);
          expect(Buffer.from(back.data.buffer)).toEqual(Buffer.from(data.buffer));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("encodes a view into a larger buffer from its own offset", () => {
    const backing = new Float32Array([9, 9, 1, 2, 9]);
    const out = decodeNpy(encodeNpy({ rows: 1, dims: 2, data: backing.subarray(2, 4) }));
    expect(Array.from(out.data)).toEqual([1, 2]);
  });

  it("rejects data that does not fill the shape", () => {
    expect(() => encodeNpy({ rows: 2, dims: 2, data: new Float32Array(3) })).toThrow(
      /3 values do not fill shape \(2, 2\)/,
    );
    expect(() => encodeNpy({ rows: -1, dims: 2, data: new Float32Array(0) })).toThrow(/rows/);
  });
});

describe("writeNpyAtomic", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "npy-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a file numpy would read, replacing an old one, leaving no temp file", async () => {
    const path = join(dir, "v.npy");
    await writeFile(path, "old");
    await writeNpyAtomic(path, { rows: 2, dims: 3, data: new Float32Array(NUMPY_2X3_VALUES) });
    expect((await readFile(path)).equals(NUMPY_2X3)).toBe(true);
    expect(await readdir(dir)).toEqual(["v.npy"]);
  });

  it("fails without leaving a temp file when the rename fails", async () => {
    const path = join(dir, "v.npy");
    await mkdir(join(path, "occupied"), { recursive: true });
    await expect(
      writeNpyAtomic(path, { rows: 1, dims: 1, data: new Float32Array([1]) }),
    ).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["v.npy"]);
  });

  it("fails on a bad shape before touching the disk, and in a missing folder", async () => {
    await expect(
      writeNpyAtomic(join(dir, "v.npy"), { rows: 1, dims: 2, data: new Float32Array(1) }),
    ).rejects.toThrow(/do not fill/);
    await expect(writeFileAtomic(join(dir, "missing", "x"), "x")).rejects.toMatchObject({
      code: "ENOENT",
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
