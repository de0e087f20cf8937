import { describe, expect, it } from "vitest";
import { compareDocs, loadCorpus } from "../../src/dataset/corpus.js";
import { CliError } from "../../src/errors.js";
import type { CorpusSelection } from "../../src/types.js";
import { FIXTURE_POSTS, packTarGz, readTree } from "../helpers.js";

const ALL3: CorpusSelection = {
  categories: ["alt.atheism", "comp.graphics", "sci.space"],
  subset: "all",
  remove: ["headers", "footers", "quotes"],
};

async function fixtureArchive(): Promise<Buffer> {
  return packTarGz(readTree(FIXTURE_POSTS));
}

describe("loadCorpus on synthetic posts", () => {
  it("orders train before test, then group, then numeric id", async () => {
    const c = await loadCorpus(await fixtureArchive(), ALL3, "fixture");
    expect(c.groups).toEqual(["alt.atheism", "comp.graphics", "sci.space"]);
    expect(c.docs.map((d) => `${d.split}/${d.group}/${d.id}`)).toEqual([
      "train/alt.atheism/9",
      "train/alt.atheism/10",
      "train/alt.atheism/101",
      "train/comp.graphics/38000",
      "train/sci.space/61000",
      "test/alt.atheism/53000",
      "test/sci.space/62000",
    ]);
  });

  it("cleans as scikit-learn does: header, footer, quotes; latin-1; CRLF kept", async () => {
    const c = await loadCorpus(await fixtureArchive(), ALL3, "fixture");
    const byId = new Map(c.docs.map((d) => [d.id, d.text]));
    expect(byId.get("101")).toBe("I do not believe in any god.\nNo.");
    expect(byId.get("61000")).toBe(
      "The shuttle reached orbit. Caf\u00e9 on the station costs \u00a35.\n",
    );
    // "\n\n" never occurs in a CRLF-only post, so the header strip leaves nothing.
    expect(byId.get("38000")).toBe("");
    expect(byId.get("62000")).toBe("");
  });

  it("selects a subset and groups", async () => {
    const c = await loadCorpus(
      await fixtureArchive(),
      { categories: ["sci.space", "alt.atheism"], subset: "test", remove: [] },
      "fixture",
    );
    expect(c.groups).toEqual(["alt.atheism", "sci.space"]);
    expect(c.docs.map((d) => d.id)).toEqual(["53000", "62000"]);
    expect(c.docs[0]?.text.startsWith("From: gina@example.com\n")).toBe(true);
  });

  it("fails with a data error when a selected group is missing", async () => {
    const err = await loadCorpus(
      await fixtureArchive(),
      { ...ALL3, categories: ["rec.autos"] },
      "fixture",
    ).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.kind).toBe("data");
    expect(err.message).toContain("rec.autos");
  });

  it("fails with a data error on a non-gzip or truncated stream, or a foreign layout", async () => {
    const notGz = await loadCorpus(Buffer.from("hello, not gzip"), ALL3, "x.tgz").catch((e) => e);
    expect(notGz.kind).toBe("data");
    expect(notGz.message).toContain("x.tgz");
    const gz = await fixtureArchive();
    const truncated = await loadCorpus(gz.subarray(0, gz.length - 40), ALL3, "t.tgz").catch(
      (e) => e,
    );
    expect(truncated.kind).toBe("data");
    const foreign = await loadCorpus(
      await packTarGz({ "docs/readme.txt": "hi" }),
      ALL3,
      "f.tgz",
    ).catch((e) => e);
    expect(foreign.kind).toBe("data");
    expect(foreign.message).toContain("20news-bydate");
  });
});

describe("compareDocs", () => {
  it("puts numeric ids in numeric order and non-numeric ones after", () => {
    const ids = ["10", "9", "b", "100", "a"].map((id) => ({
      split: "train" as const,
      group: "g",
      id,
    }));
    expect(ids.sort(compareDocs).map((d) => d.id)).toEqual(["9", "10", "100", "a", "b"]);
  });
});
