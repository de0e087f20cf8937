import { describe, expect, it } from "vitest";
import { analyze } from "../../src/text/analyze.js";
import { ENGLISH_STOP_WORDS } from "../../src/text/stopwords.js";
import {
  decodeTermIds,
  encodeTermIds,
  TermIdsBuilder,
  termIds,
  termIdsInterruptibly,
} from "../../src/text/term-ids.js";

const TEXTS = [
  "The shuttle launch, the SHUTTLE orbit.",
  "",
  "épée 𝒳ray épée and of the",
  "orbit orbit launch",
];

describe("termIds", () => {
  it("keeps each post's analyzer tokens, in order, as ids of terms in first-appearance order", () => {
    const t = termIds(TEXTS);
    expect(t.terms).toEqual(["shuttle", "launch", "orbit", "épée", "𝒳ray"]);
    expect(Array.from(t.start)).toEqual([0, 4, 4, 7, 10]);
    TEXTS.forEach((text, i) => {
      const ids = Array.from(t.tokens.subarray(t.start[i], t.start[i + 1]));
      expect(ids.map((id) => t.terms[id])).toEqual(analyze(text, ENGLISH_STOP_WORDS));
    });
  });

  it("encodes and decodes to the same ids, and names what is wrong with bad bytes", () => {
    const t = termIds(TEXTS);
    const bytes = encodeTermIds(t);
    const back = decodeTermIds(bytes, TEXTS.length);
    expect(back).toEqual(t);
    expect(decodeTermIds(bytes, 3)).toBe("4 posts, not 3");
    expect(decodeTermIds(bytes.subarray(0, 20), 4)).toBe("truncated");
    const revision = Uint8Array.from(bytes);
    revision[4] = 99;
    expect(decodeTermIds(revision, 4)).toMatch(/revision/);
    const badId = Uint8Array.from(bytes);
    new DataView(badId.buffer).setInt32(16 + 5 * 4, 1000, true); // first token
    expect(decodeTermIds(badId, 4)).toBe("bad term id");
    const badOffset = Uint8Array.from(bytes);
    new DataView(badOffset.buffer).setInt32(16 + 4, 9, true); // start[1] past start[2]
    expect(decodeTermIds(badOffset, 4)).toBe("bad offsets");
    expect(decodeTermIds(bytes.subarray(0, bytes.length - 2), 4)).toBe("unreadable terms");
  });
});

describe("termIdsInterruptibly", () => {
  it("gives termIds' result, awaiting the checkpoint after every post, and stops when it throws", async () => {
    let calls = 0;
    const t = await termIdsInterruptibly(TEXTS, async () => {
      calls++;
    });
    expect(t).toEqual(termIds(TEXTS));
    expect(calls).toBe(TEXTS.length);
    let seen = 0;
    const stop = termIdsInterruptibly(TEXTS, async () => {
      if (++seen === 2) throw new Error("interrupted");
    });
    await expect(stop).rejects.toThrow("interrupted");
    expect(seen).toBe(2);
  });

  it("finish() refuses fewer posts than announced", () => {
    const b = new TermIdsBuilder(2);
    b.add("one post");
    expect(() => b.finish()).toThrow(RangeError);
  });
});
