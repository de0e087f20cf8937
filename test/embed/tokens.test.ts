import fc from "fast-check";
import "../support/property-seed.js";
import { describe, expect, it } from "vitest";
import {
  meanPoolNormalize,
  padBatch,
  planBatches,
  withSpecialTokens,
} from "../../src/embed/tokens.js";

describe("withSpecialTokens: sentence-transformers truncation", () => {
  it("adds [CLS] and [SEP] to a short post", () => {
    expect(withSpecialTokens([5, 6, 7], 256, 101, 102)).toEqual([101, 5, 6, 7, 102]);
  });
  it("cuts a long post to maxLength with the final [SEP] kept", () => {
    const pieces = Array.from({ length: 300 }, (_, i) => 1000 + i);
    const out = withSpecialTokens(pieces, 256, 101, 102);
    expect(out).toHaveLength(256);
    expect(out[0]).toBe(101);
    expect(out[254]).toBe(1253); // the 254th word piece
    expect(out[255]).toBe(102);
  });
  it("keeps a post of exactly maxLength - 2 pieces whole", () => {
    const pieces = Array.from({ length: 254 }, (_, i) => i + 1);
    expect(withSpecialTokens(pieces, 256, 101, 102)).toEqual([101, ...pieces, 102]);
  });
  it("handles an empty post", () => {
    expect(withSpecialTokens([], 256, 101, 102)).toEqual([101, 102]);
  });
});

describe("planBatches", () => {
  it("covers every index once, batches sorted by length, none over the limits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 2, max: 256 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        (lengths, size) => {
          const batches = planBatches(lengths, size, 2048);
          const seen = batches.flat().sort((a, b) => a - b);
          expect(seen).toEqual(lengths.map((_, i) => i));
          for (const b of batches) {
            expect(b.length).toBeLessThanOrEqual(size);
            const width = Math.max(...b.map((i) => lengths[i] as number));
            if (b.length > 1) expect(width * b.length).toBeLessThanOrEqual(2048);
          }
          const order = batches.flat().map((i) => lengths[i] as number);
          expect(order).toEqual([...order].sort((a, b) => b - a));
        },
      ),
    );
  });
});

describe("padBatch and meanPoolNormalize", () => {
  it("right-pads and masks", () => {
    const b = padBatch(
      [
        [101, 7, 102],
        [101, 102],
      ],
      0,
    );
    expect(b.width).toBe(3);
    expect(Array.from(b.inputIds)).toEqual([101n, 7n, 102n, 101n, 102n, 0n]);
    expect(Array.from(b.attentionMask)).toEqual([1n, 1n, 1n, 1n, 1n, 0n]);
    expect(b.lengths).toEqual([3, 2]);
  });
  it("averages only unmasked tokens, then L2-normalises", () => {
    // 2 rows, width 3, dims 2. Row 0 uses all 3 tokens; row 1 only 2 (third is padding = 100s).
    const hidden = Float32Array.from([1, 0, 3, 0, 2, 3, /* row 1 */ 0, 2, 0, 4, 100, 100]);
    const out = meanPoolNormalize(hidden, 2, 3, 2, [3, 2]);
    // row 0 mean = (2, 1) -> (2, 1)/sqrt(5); row 1 mean = (0, 3) -> (0, 1)
    expect(out[0]).toBeCloseTo(2 / Math.sqrt(5), 6);
    expect(out[1]).toBeCloseTo(1 / Math.sqrt(5), 6);
    expect(out[2]).toBeCloseTo(0, 6);
    expect(out[3]).toBeCloseTo(1, 6);
  });
  it("leaves a zero vector at zero instead of NaN", () => {
    const out = meanPoolNormalize(new Float32Array(4), 1, 2, 2, [2]);
    expect(Array.from(out)).toEqual([0, 0]);
  });
});
