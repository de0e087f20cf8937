import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cachedTermIds, termIdsKey } from "../src/term-cache.js";
import { encodeTermIds, termIds } from "../src/text/term-ids.js";

const dir = mkdtempSync(join(tmpdir(), "ngc-terms-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXTS = ["The shuttle launch", "orbit and launch", "shuttle shuttle"];

describe("the term-ids cache", () => {
  it("stores the ids once and serves them to the next run of the same texts", async () => {
    const first = await cachedTermIds(dir, TEXTS);
    expect(first).toEqual(termIds(TEXTS));
    const file = join(dir, "terms", `${termIdsKey(TEXTS)}.bin`);
    expect(readdirSync(join(dir, "terms"))).toEqual([`${termIdsKey(TEXTS)}.bin`]);
    // An entry under this key is what the next run gets, not a fresh tokenising.
    const planted = termIds(["zebra zebra yak", "yak", "zebra"]);
    writeFileSync(file, encodeTermIds(planted));
    expect(await cachedTermIds(dir, TEXTS)).toEqual(planted);
  });

  it("keys on the exact texts, and tokenises again over a damaged entry, repairing it", async () => {
    expect(termIdsKey(["ab", "c"])).not.toBe(termIdsKey(["a", "bc"]));
    expect(termIdsKey(TEXTS)).not.toBe(termIdsKey([...TEXTS, ""]));
    const file = join(dir, "terms", `${termIdsKey(TEXTS)}.bin`);
    writeFileSync(file, "not term ids");
    expect(await cachedTermIds(dir, TEXTS)).toEqual(termIds(TEXTS));
    expect(readFileSync(file)).toEqual(Buffer.from(encodeTermIds(termIds(TEXTS))));
  });

  it("works without a cache, and over a cache folder it cannot write", async () => {
    expect(await cachedTermIds(undefined, TEXTS)).toEqual(termIds(TEXTS));
    const blocked = join(dir, "file");
    writeFileSync(blocked, "");
    expect(await cachedTermIds(blocked, TEXTS)).toEqual(termIds(TEXTS));
  });
});

describe("the term-ids cache under Ctrl-C", () => {
  it("rejects with the signal's reason while tokenising, and stores nothing", async () => {
    const own = mkdtempSync(join(tmpdir(), "ngc-terms-abort-"));
    const aborted = AbortSignal.abort(new Error("interrupted"));
    await expect(cachedTermIds(own, TEXTS, aborted)).rejects.toThrow("interrupted");
    await expect(cachedTermIds(undefined, TEXTS, aborted)).rejects.toThrow("interrupted");
    expect(readdirSync(own)).toEqual([]);
    rmSync(own, { recursive: true, force: true });
  });
});
