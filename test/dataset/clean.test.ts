import { readFileSync } from "node:fs";
import fc from "fast-check";
import "../support/property-seed.js";
import { describe, expect, it } from "vitest";
import {
  cleanPost,
  decodeLatin1,
  pyStrip,
  stripFooter,
  stripHeader,
  stripQuoting,
} from "../../src/dataset/clean.js";

interface Case {
  name: string;
  input: string;
  header: string;
  footer: string;
  quoting: string;
  all: string;
}
// Expected values computed by scikit-learn's own functions: scripts/crosscheck/sklearn_clean_cases.py
const cases: Case[] = JSON.parse(
  readFileSync(new URL("../fixtures/clean-cases.json", import.meta.url), "utf8"),
);

describe("scikit-learn cleaning, against values scikit-learn computed", () => {
  it("has the fixture", () => expect(cases.length).toBeGreaterThan(80));
  for (const c of cases) {
    it(c.name, () => {
      expect(stripHeader(c.input)).toBe(c.header);
      expect(stripFooter(c.input)).toBe(c.footer);
      expect(stripQuoting(c.input)).toBe(c.quoting);
      expect(cleanPost(c.input, ["headers", "footers", "quotes"])).toBe(c.all);
    });
  }
});

describe("edge cases spelled out", () => {
  it("a post with no blank line has no body", () => {
    expect(stripHeader("From: x\nSubject: y")).toBe("");
  });
  it("Python's strip set differs from trim(): \\x1c and \\x85 are whitespace, \\ufeff is not", () => {
    expect(pyStrip("\x1c\x85 a \xa0")).toBe("a");
    expect(pyStrip("\ufeffa")).toBe("\ufeffa");
    expect("\x1ca".trim()).toBe("\x1ca"); // why pyStrip exists
    expect(pyStrip("--a--", "-")).toBe("a");
  });
  it("quote markers count mid-line for 'writes:' but only at line start for '>'", () => {
    expect(stripQuoting("he writes: x\nkeep > this\n> drop")).toBe("keep > this");
  });
  it("the footer is kept when the only blank line is the first", () => {
    expect(stripFooter("\nbody")).toBe("\nbody");
    expect(stripFooter("body\n--\nsig")).toBe("body");
  });
  it("removals apply in scikit-learn's order (headers, footers, quotes) whatever the list order", () => {
    const post = "H: 1\n\n> q\ntext\n--\nsig";
    expect(cleanPost(post, ["quotes", "headers", "footers"])).toBe(
      cleanPost(post, ["headers", "footers", "quotes"]),
    );
    expect(cleanPost(post, [])).toBe(post);
  });
  it("decodes latin-1 byte for byte", () => {
    const bytes = Uint8Array.from([0x63, 0xe9, 0x80, 0xff, 0x0d, 0x0a]);
    const s = decodeLatin1(bytes);
    expect([...s].map((c) => c.charCodeAt(0))).toEqual([0x63, 0xe9, 0x80, 0xff, 0x0d, 0x0a]);
  });
});

describe("properties over arbitrary input", () => {
  const text = fc.string({
    unit: fc.constantFrom("a", " ", "\n", "\r", "-", ">", "\x85", "\xe9", "said:", "\t"),
  });
  it("never throws, and each stage only removes text", () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(s.endsWith(stripHeader(s))).toBe(true);
        expect(stripQuoting(s).length).toBeLessThanOrEqual(s.length);
        expect(stripFooter(s).length).toBeLessThanOrEqual(s.length);
        cleanPost(s, ["headers", "footers", "quotes"]);
      }),
    );
  });
  it("every byte string decodes to one char per byte", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (b) => {
        expect(decodeLatin1(b).length).toBe(b.length);
      }),
    );
  });
});
