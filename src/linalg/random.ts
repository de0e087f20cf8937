/**
 * The one seeded pseudo-random generator of the program, and the draws built on it. Pure: the
 * same seed gives the same numbers on every machine.
 */
import type { Checkpoint } from "../interrupt.js";

/** Values drawn between two checkpoints (even, so that Box-Muller pairs stay whole). */
const SLICE = 1 << 16;

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): small, fast, seedable; period 2^32.
 * @param seed taken as an unsigned 32-bit integer.
 * @returns a function giving uniform floats in [0, 1), multiples of 2^-32.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `rows x cols` standard normal values, row-major: Box-Muller on a `mulberry32(seed)` stream,
 * two uniforms per pair of values.
 * @param checkpoint awaited between slices of values (about 5 ms each).
 */
export async function gaussianMatrix(
  rows: number,
  cols: number,
  seed: number,
  checkpoint?: Checkpoint,
): Promise<Float64Array> {
  const out = new Float64Array(rows * cols);
  const uniform = mulberry32(seed);
  for (let e = 0; e < out.length; e += 2) {
    if (e % SLICE === 0) await checkpoint?.();
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    out[e] = radius * Math.cos(angle);
    if (e + 1 < out.length) out[e + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** A random permutation of 0..n-1 (Fisher-Yates, from the last position down, on `mulberry32(seed)`). */
export function permutation(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}
