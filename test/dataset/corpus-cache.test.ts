/**
 * The cleaned-corpus cache (src/dataset/corpus-cache.ts): a warm run serves the same corpus
 * without reading the archive; another archive or selection misses; a damaged entry is reported
 * in one line and rebuilt.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeCorpusEntry, encodeCorpusEntry } from "../../src/dataset/corpus-cache.js";
import type { Corpus, CorpusSelection } from "../../src/types.js";
import { FIXTURE_POSTS, packTarGz, readTree } from "../helpers.js";
import { lines, listTree, runCli } from "../reliability/server.js";
import { fixtures } from "../support/fixtures.js";

const { archive: ARCHIVE } = fixtures();
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ngc-corpus-cache-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const entries = (cache: string) => listTree(cache).filter((f) => f.endsWith(".jsonl"));
const TFIDF = ["--embedder", "tfidf", "--k", "4", "--format", "csv", "--quiet"];

describe("encodeCorpusEntry / decodeCorpusEntry", () => {
  const selection: CorpusSelection = { categories: ["sci.space"], subset: "test", remove: [] };
  const corpus: Corpus = {
    groups: ["sci.space"],
    docs: [
      { split: "test", group: "sci.space", id: "1", text: 'line\nwith "quotes"\r\n and caf\u00e9' },
      { split: "test", group: "sci.space", id: "2", text: "" },
    ],
  };
  const sha = "a".repeat(64);

  it("round-trips a corpus exactly", () => {
    expect(decodeCorpusEntry(encodeCorpusEntry(corpus, sha, selection), sha, selection)).toEqual(
      corpus,
    );
  });

  it("refuses a damaged body, another archive and another selection", () => {
    const text = encodeCorpusEntry(corpus, sha, selection);
    expect(decodeCorpusEntry(text.replace("quotes", "quotez"), sha, selection)).toBe(
      "checksum mismatch",
    );
    expect(decodeCorpusEntry(text.slice(0, -5), sha, selection)).toBe("checksum mismatch");
    expect(decodeCorpusEntry(text, "b".repeat(64), selection)).toMatch(/another archive/);
    expect(decodeCorpusEntry(text, sha, { ...selection, subset: "all" })).toMatch(
      /another archive or selection/,
    );
    expect(decodeCorpusEntry("", sha, selection)).toBe("no header line");
  });
});

describe("the corpus cache, spawned", { timeout: 60_000 }, () => {
  it("a warm run prints the same corpus and the same table as a cold one", async () => {
    const cache = tempDir();
    const cold = await runCli(["corpus", "--data", ARCHIVE], { cacheDir: cache });
    expect(cold.code).toBe(0);
    expect(entries(cache)).toHaveLength(1);
    const warm = await runCli(["corpus", "--data", ARCHIVE], { cacheDir: cache });
    expect(warm.code).toBe(0);
    expect(warm.stderr).toBe("");
    expect(warm.stdout).toBe(cold.stdout);
    expect(cold.stdout.split("\n").length).toBeGreaterThan(100);

    const fresh = await runCli(["--data", ARCHIVE, ...TFIDF], { cacheDir: tempDir() });
    const cached = await runCli(["--data", ARCHIVE, ...TFIDF], { cacheDir: cache });
    expect(fresh.code).toBe(0);
    expect(cached.code).toBe(0);
    expect(cached.stdout).toBe(fresh.stdout);
    expect(cached.stdout).toContain("sci.space");
  });

  it("another archive or another selection misses", async () => {
    const cache = tempDir();
    const data = join(tempDir(), "20news-bydate.tar.gz");
    copyFileSync(ARCHIVE, data);
    const first = await runCli(["corpus", "--data", data], { cacheDir: cache });
    expect(first.code).toBe(0);
    expect(entries(cache)).toHaveLength(1);

    const test = await runCli(["corpus", "--data", data, "--subset", "test"], { cacheDir: cache });
    expect(test.code).toBe(0);
    expect(entries(cache)).toHaveLength(2);
    expect(test.stdout).not.toBe(first.stdout);
    expect(lines(test.stdout).every((l) => JSON.parse(l).split === "test")).toBe(true);
    const removeNone = await runCli(["corpus", "--data", data, "--remove", "none"], {
      cacheDir: cache,
    });
    expect(entries(cache)).toHaveLength(3);
    expect(removeNone.stdout).toContain("From: ");

    // Another archive at the same path: served from its own reading, not the first one's entry.
    const space = ["corpus", "--data", data, "--categories", "sci.space"];
    const before = await runCli(space, { cacheDir: cache });
    writeFileSync(data, await packTarGz(readTree(FIXTURE_POSTS)));
    const after = await runCli(space, { cacheDir: cache });
    const fresh = await runCli(space, { cacheDir: tempDir() });
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(fresh.stdout);
    expect(after.stdout).not.toBe(before.stdout);
    expect(entries(cache)).toHaveLength(5);

    // And a corrupt one is read, and fails, rather than served.
    writeFileSync(data, "not a tarball");
    const other = await runCli(["corpus", "--data", data], { cacheDir: cache });
    expect(other.code).toBe(3);
    expect(other.stdout).toBe("");
    expect(other.stderr).toMatch(/cannot read/);
  });

  it("a damaged entry is reported in one line, rebuilt, and the output is unchanged", async () => {
    const cache = tempDir();
    const first = await runCli(["corpus", "--data", ARCHIVE], { cacheDir: cache });
    const [name] = entries(cache);
    const entry = join(cache, name as string);
    const good = readFileSync(entry, "utf8");
    // One changed character in a post's text: still valid JSON, only the checksum catches it.
    const at = good.indexOf("space", good.indexOf("\n"));
    writeFileSync(entry, `${good.slice(0, at)}spade${good.slice(at + 5)}`);

    const again = await runCli(["corpus", "--data", ARCHIVE], { cacheDir: cache });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    const errs = lines(again.stderr);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(
      /^newsgroup-cluster: the cached corpus .* is damaged \(checksum mismatch\)/,
    );
    expect(readFileSync(entry, "utf8")).toBe(good);

    const third = await runCli(["corpus", "--data", ARCHIVE], { cacheDir: cache });
    expect(third.stderr).toBe("");
    expect(third.stdout).toBe(first.stdout);
  });

  it("--no-cache neither reads nor writes it, nor any other cache (the labels' term ids)", async () => {
    const cache = tempDir();
    const r = await runCli(["--data", ARCHIVE, ...TFIDF, "--no-cache"], { cacheDir: cache });
    expect(r.code).toBe(0);
    expect(listTree(join(cache, "corpus"))).toEqual([]);
    expect(listTree(cache)).toEqual([]);
  });
});
