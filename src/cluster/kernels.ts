/**
 * k-means' per-row loops (Hamerly's bound update, the two smallest scores of a row and the
 * decisions on them, the seeding's weights, cluster sums as rows move, the inertia) as
 * WebAssembly with 128-bit SIMD, from kernels.wat. In JavaScript these loops cost more than the
 * matrix product they surround (5 ns a score for a top-two scan, against about 1 ns here);
 * onnxruntime's TopK cost as much.
 *
 * This module owns the WebAssembly memory: a `Workspace` lays out the arrays of one clustering
 * (a copy of the rows, their norms, labels, bounds, candidate rows, cluster sums, one call's
 * scores and the lists the kernels write) and hands out typed views of them. `npm run build` compiles kernels.wat into dist/ with wabt
 * (scripts/build-graphs.mjs); the sources under test compile it on first use.
 */
import { readFile } from "node:fs/promises";

interface Exports {
  memory: WebAssembly.Memory;
  bounds(
    n: number,
    labels: number,
    upper: number,
    lower: number,
    moved: number,
    half: number,
    maxJ: number,
    maxMove: number,
    secondMove: number,
    hi: number,
    lo: number,
    cand: number,
  ): number;
  assign(
    m: number,
    k: number,
    y: number,
    rows: number,
    from: number,
    norms: number,
    labels: number,
    upper: number,
    lower: number,
    perNorm: number,
    constant: number,
    changed: number,
    rescan: number,
    counts: number,
    top: number,
  ): void;
  widen(y: number, m: number, w: number, from: number, n: number, sq: number, out: number): void;
  potential(closest: number, row: number, n: number): number;
  addRows(n: number, labels: number, x: number, dims: number, sums: number, sizes: number): void;
  moves(
    list: number,
    count: number,
    labels: number,
    x: number,
    dims: number,
    sums: number,
    sizes: number,
  ): void;
  inertia(n: number, labels: number, x: number, dims: number, centers: number): number;
}

/** Where `npm run build` writes the compiled kernels: beside this module, in dist/. */
export const KERNELS_FILE = new URL("./kernels.wasm", import.meta.url);
/** The kernels' source. */
export const KERNELS_SOURCE = new URL("./kernels.wat", import.meta.url);

/** kernels.wat compiled by wabt (a devDependency: only the build and the sources need it). */
export async function compileKernels(source: string): Promise<Uint8Array> {
  const wabt = await (await import("wabt")).default();
  const mod = wabt.parseWat("kernels.wat", source, { simd: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled module, once per process: dist's file, else kernels.wat compiled now. */
export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(KERNELS_FILE);
    } catch {
      bytes = await compileKernels(await readFile(KERNELS_SOURCE, "utf8"));
    }
    return WebAssembly.compile(bytes);
  })();
  return compiled;
}

const PAGE = 65536;

/** Consecutive 16-byte-aligned regions from `start`: `take(bytes)` returns each one's offset. */
function regions(start: number) {
  const r = {
    end: start,
    take(bytes: number): number {
      const at = r.end;
      r.end += Math.ceil(bytes / 16) * 16;
      return at;
    },
  };
  return r;
}

/**
 * One clustering's arrays in a WebAssembly memory of its own. Growing the memory (`reserve`,
 * `seeding`) detaches every view taken before: take views after them.
 */
export class Workspace {
  readonly rows: number;
  readonly dims: number;
  private readonly fns: Exports;
  private readonly fixed: number;
  /** Offsets of the per-row arrays. */
  private readonly at: {
    x: number;
    norms: number;
    labels: number;
    upper: number;
    lower: number;
    cand: number;
  };
  /** Offsets of the per-call arrays, for `capacity` score rows of `k` centres. */
  private call = {
    k: 0,
    capacity: 0,
    moved: 0,
    half: 0,
    sums: 0,
    sizes: 0,
    centers: 0,
    y: 0,
    changed: 0,
    rescan: 0,
    lens: 0,
    top: 0,
  };
  private buffer: ArrayBuffer | undefined;
  private views:
    | {
        x: Float32Array;
        norms: Float64Array;
        labels: Int32Array;
        upper: Float64Array;
        lower: Float64Array;
        cand: Int32Array;
        moved: Float64Array;
        half: Float64Array;
        sums: Float64Array;
        sizes: Int32Array;
        centers: Float64Array;
        y: Float32Array;
        changed: Int32Array;
        rescan: Int32Array;
        lens: Int32Array;
      }
    | undefined;

  /** @param x the rows (rows x dims), copied into the memory (the kernels read them there). */
  constructor(module: WebAssembly.Module, x: { rows: number; dims: number; data: Float32Array }) {
    this.fns = new WebAssembly.Instance(module).exports as unknown as Exports;
    const { rows, dims } = x;
    this.rows = rows;
    this.dims = dims;
    const r = regions(0);
    this.at = {
      x: r.take(4 * rows * dims),
      norms: r.take(8 * rows),
      labels: r.take(4 * rows),
      upper: r.take(8 * rows),
      lower: r.take(8 * rows),
      cand: r.take(4 * rows),
    };
    this.fixed = r.end;
    this.reserve(1, 1);
    this.v.x.set(x.data.subarray(0, rows * dims));
  }

  /** Room for one call of `capacity` rows of scores against k centres (grows, never shrinks). */
  reserve(k: number, capacity: number): void {
    if (k <= this.call.k && capacity <= this.call.capacity) return;
    k = Math.max(k, this.call.k);
    capacity = Math.max(capacity, this.call.capacity);
    const r = regions(this.fixed);
    this.call = {
      k,
      capacity,
      moved: r.take(8 * k),
      half: r.take(8 * k),
      sums: r.take(8 * k * this.dims),
      sizes: r.take(4 * k),
      centers: r.take(8 * k * this.dims),
      y: r.take(4 * capacity * k),
      changed: r.take(8 * capacity),
      rescan: r.take(4 * capacity),
      lens: r.take(8),
      // each scored row's two smallest scores and the first one's centre
      top: r.take(12 * capacity),
    };
    this.grow(r.end);
    this.views = undefined;
  }

  /** Memory of at least `end` bytes. */
  private grow(end: number): void {
    const { memory } = this.fns;
    const need = Math.ceil(end / PAGE) - memory.buffer.byteLength / PAGE;
    if (need <= 0) return;
    try {
      memory.grow(need);
    } catch {
      throw new RangeError(
        `k-means needs ${(end / 2 ** 30).toFixed(1)} GiB of WebAssembly memory for ${this.rows} rows, more than the 4 GiB it can have`,
      );
    }
  }

  /**
   * k-means++'s arrays for `runs` restarts seeded together with `lists` candidate distance rows
   * and calls of up to `scores` scores. They share memory with the call arrays of `reserve`
   * (seeding and Lloyd never run at once): each overwrites the other.
   */
  seeding(lists: number, runs: number, scores: number) {
    const n = this.rows;
    const r = regions(this.fixed);
    const at = {
      dist: r.take(8 * lists * n),
      closest: r.take(8 * runs * n),
      sq: r.take(8 * n),
      y: r.take(4 * scores),
    };
    this.grow(r.end);
    const buf = this.fns.memory.buffer;
    const fns = this.fns;
    return {
      /** Distance rows (lists x n). */
      dist: new Float64Array(buf, at.dist, lists * n),
      /** Each restart's distance to its nearest chosen centre (runs x n). */
      closest: new Float64Array(buf, at.closest, runs * n),
      /** ||x_i||², to fill before `widen`. */
      sq: new Float64Array(buf, at.sq, n),
      /** Scores of one call (m x w). */
      y: new Float32Array(buf, at.y, scores),
      /** dist[t·n + i] = max(0, sq[i] + y[t·w + i − from]) for t < m, from ≤ i < from + w. */
      widen(m: number, w: number, from: number) {
        fns.widen(at.y, m, w, from, n, at.sq, at.dist);
      },
      /** dist row `list` = its minimum with restart `run`'s closest; returns the row's sum. */
      potential(run: number, list: number): number {
        return fns.potential(at.closest + 8 * run * n, at.dist + 8 * list * n, n);
      },
    };
  }

  /** Typed views of every array (the same objects until the next growth). */
  get v() {
    const buf = this.fns.memory.buffer;
    if (this.views === undefined || this.buffer !== buf) {
      const n = this.rows;
      const { at, call } = this;
      this.buffer = buf;
      this.views = {
        x: new Float32Array(buf, at.x, n * this.dims),
        norms: new Float64Array(buf, at.norms, n),
        labels: new Int32Array(buf, at.labels, n),
        upper: new Float64Array(buf, at.upper, n),
        lower: new Float64Array(buf, at.lower, n),
        cand: new Int32Array(buf, at.cand, n),
        moved: new Float64Array(buf, call.moved, call.k),
        half: new Float64Array(buf, call.half, call.k),
        sums: new Float64Array(buf, call.sums, call.k * this.dims),
        sizes: new Int32Array(buf, call.sizes, call.k),
        centers: new Float64Array(buf, call.centers, call.k * this.dims),
        y: new Float32Array(buf, call.y, call.capacity * call.k),
        changed: new Int32Array(buf, call.changed, 2 * call.capacity),
        rescan: new Int32Array(buf, call.rescan, call.capacity),
        lens: new Int32Array(buf, call.lens, 2),
      };
    }
    return this.views;
  }

  /**
   * Hamerly's bound update over all rows (labels, upper and lower from the views, moved and half
   * for `k` centres), writing the rows whose label could change to `cand`.
   * @returns how many rows are candidates (the first entries of `v.cand`).
   */
  bounds(maxJ: number, maxMove: number, secondMove: number, hi: number, lo: number): number {
    const { at, call } = this;
    return this.fns.bounds(
      this.rows,
      at.labels,
      at.upper,
      at.lower,
      call.moved,
      call.half,
      maxJ,
      maxMove,
      secondMove,
      hi,
      lo,
      at.cand,
    );
  }

  /**
   * Decides rows from `v.y` (m rows of k scores): rows `v.cand[from..from + m)` with `fromCand`,
   * else rows from..from + m. See kernels.wat's `assign`.
   * @returns how many labels changed (their (row, old label) pairs lead `v.changed`) and how many
   *   rows need a float64 rescan (leading `v.rescan`).
   */
  assign(
    m: number,
    k: number,
    from: number,
    fromCand: boolean,
    perNorm: number,
    constant: number,
  ): { changed: number; rescan: number } {
    const { at, call } = this;
    this.fns.assign(
      m,
      k,
      call.y,
      fromCand ? at.cand : -1,
      from,
      at.norms,
      at.labels,
      at.upper,
      at.lower,
      perNorm,
      constant,
      call.changed,
      call.rescan,
      call.lens,
      call.top,
    );
    const { lens } = this.v;
    return { changed: lens[0] as number, rescan: lens[1] as number };
  }

  /** `v.sums` and `v.sizes` (k clusters) from scratch: every row's values added to its label's. */
  sumRows(k: number): void {
    const { at, call } = this;
    const v = this.v;
    v.sums.fill(0, 0, k * this.dims);
    v.sizes.fill(0, 0, k);
    this.fns.addRows(this.rows, at.labels, at.x, this.dims, call.sums, call.sizes);
  }

  /**
   * The first `count` (row, old label) pairs of `v.changed` moved to their current `v.labels`:
   * `v.sums` and `v.sizes` follow them, pair by pair.
   */
  moves(count: number): void {
    const { at, call } = this;
    this.fns.moves(call.changed, count, at.labels, at.x, this.dims, call.sums, call.sizes);
  }

  /**
   * Σ ||x_i − c_labels[i]||² in float64 over all rows, each term summed as assign.ts's dist2 does
   * (so the same number as `inertiaOf`), for `v.labels` and `centers` (flat, k x dims).
   */
  inertia(centers: Float64Array, k: number): number {
    const { at, call } = this;
    this.v.centers.set(centers.subarray(0, k * this.dims));
    return this.fns.inertia(this.rows, at.labels, at.x, this.dims, call.centers);
  }
}
