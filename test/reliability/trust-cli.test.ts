/**
 * Issue 9 through the built CLI: outputs are never lost, faked or clobbered (rows 1-3) and model
 * content keys the cache (row 6). Small synthetic corpus and the
 * hermetic tiny model (test/support/tiny-model.ts): about a second a run.
 */
import { execFileSync } from "node:child_process";
import {
  createReadStream,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeNpy } from "../../src/embed/npy.js";
import { TINY_DIMS, writeTinyModel } from "../support/tiny-model.js";
import { lines, listTree } from "./server.js";
import { sh, TINY, trustFixture } from "./trust-fixture.js";

const { tempDir, run, base, archive, archiveBytes } = trustFixture();
const temp = (dir: string) => readdirSync(dir).filter((n) => n.includes(".tmp"));

describe("row 1: special files and links are written through", { timeout: 60_000 }, () => {
  it("a --report link keeps being a link; its target gets the report", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "real.html"), "old report");
    symlinkSync("real.html", join(dir, "link.html"));
    const r = await run([...base(), ...TINY, "--quiet", "--report", join(dir, "link.html")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, "link.html")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "link.html"))).toBe("real.html");
    expect(readFileSync(join(dir, "real.html"), "utf8")).toMatch(/^<!doctype html>/i);
    expect(temp(dir)).toEqual([]);
  });

  it("--save-embeddings /dev/stdout writes the vectors to stdout", async () => {
    const r = await run(
      [...base(), ...TINY, "--quiet", "--format", "csv"].concat("--save-embeddings", "/dev/stdout"),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("\x93NUMPY") || r.stdout.startsWith("\uFFFDNUMPY")).toBe(true);
    expect(r.stdout).toContain("newsgroup,0,1\n");
  });

  it("a FIFO gets the assignments; it stays a FIFO", async () => {
    const dir = tempDir();
    const fifo = join(dir, "out.csv");
    execFileSync("mkfifo", [fifo]);
    let got = "";
    const reader = new Promise<void>((resolve) => {
      createReadStream(fifo, "utf8")
        .on("data", (c) => {
          got += c;
        })
        .on("end", () => resolve());
    });
    const r = await run([...base(), ...TINY, "--quiet", "--assignments", fifo]);
    await reader;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lines(got)[0]).toBe("split,group,id,cluster,distance");
    expect(lines(got)).toHaveLength(49);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it("a 250-character --report name works; an unwritable one names the user's path", async () => {
    const dir = tempDir();
    const long = join(dir, `${"r".repeat(250)}.html`);
    const ok = await run([...base(), ...TINY, "--quiet", "--report", long]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(readFileSync(long, "utf8")).toMatch(/^<!doctype html>/i);
    const bad = join(dir, "no-such-dir", "x.html");
    const r = await run([...base(), ...TINY, "--quiet", "--report", bad]);
    expect(r.code).toBe(8);
    expect(lines(r.stderr)).toEqual([expect.stringContaining(`'${bad}'`)]);
    expect(r.stderr).not.toContain(".tmp");
  });
});

describe("row 2: an output may not be an input or another output", { timeout: 60_000 }, () => {
  it("--save-embeddings on the --data archive (through a link) is a usage error", async () => {
    const dir = tempDir();
    const data = join(dir, "corpus.tar.gz");
    writeFileSync(data, archiveBytes());
    symlinkSync(data, join(dir, "e.npy"));
    const r = await run(
      ["--data", data, "--categories", "sci.space", ...TINY].concat(
        "--save-embeddings",
        join(dir, "e.npy"),
      ),
    );
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `newsgroup-cluster: error: --save-embeddings ${join(dir, "e.npy")} is the same file as --data; writing it would overwrite that file (see --help)`,
    ]);
    expect(readFileSync(data).equals(archiveBytes())).toBe(true);
  });

  it("--report on the --assignments file is a usage error, before any work", async () => {
    const dir = tempDir();
    symlinkSync(join(dir, "a.csv"), join(dir, "r.html"));
    const cache = tempDir();
    const r = await run(
      [...base(), ...TINY, "--assignments", join(dir, "a.csv"), "--report", join(dir, "r.html")],
      {},
      cache,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report .*r\.html is the same file as --assignments/);
    expect(listTree(cache)).toEqual([]);
  });

  it("--save-embeddings checks its extension", async () => {
    const r = await run([...base(), ...TINY, "--save-embeddings", "x.tar.gz"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--save-embeddings file must end in .npy, got 'x.tar.gz'");
  });
});

describe("row 3: stdout is complete or the exit code says not", { timeout: 60_000 }, () => {
  it("> /dev/full: exit 8, one line", async () => {
    const r = await sh(
      `node "$CLI" corpus --data ${archive()} --categories sci.space,rec.autos > /dev/full`,
      tempDir(),
    );
    expect(r.code).toBe(8);
    expect(lines(r.stderr)).toEqual([
      "newsgroup-cluster: error: cannot write stdout: ENOSPC: no space left on device, write",
    ]);
  });

  it("ulimit -f: a short write is exit 8, not a silently cut file with exit 0", async () => {
    const dir = tempDir();
    const r = await sh(
      `ulimit -f 4; node "$CLI" corpus --data ${archive()} --categories sci.space,rec.autos > out.jsonl`,
      dir,
    );
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/^newsgroup-cluster: error: cannot write stdout: EFBIG/);
  });
});

/** The width of the second model in row 6 (the fixture's is TINY_DIMS). */
const OTHER_DIMS = 24;

describe("row 6: the cache is keyed on the model's content", { timeout: 90_000 }, () => {
  it("other weights under the same folder name are embedded, not served from the cache", async () => {
    const models = tempDir();
    // The tiny fixture model, then one with other weights and another width, both named "m".
    const write = (options: { dims: number; seed?: number }) => {
      rmSync(join(models, "m"), { recursive: true, force: true });
      writeTinyModel(models, "m", options);
    };
    const cache = tempDir();
    const out = join(tempDir(), "e.npy");
    const args = [...base(), "--models", models, "--model", "m", "--device", "cpu", "--quiet"];
    write({ dims: TINY_DIMS });
    const first = await run([...args, "--save-embeddings", out], {}, cache);
    expect(first.code).toBe(0);
    const tiny = decodeNpy(readFileSync(out));
    expect(tiny.dims).toBe(TINY_DIMS);
    // Same width, other weights: a key on the name and the shape alone would serve the old ones.
    write({ dims: TINY_DIMS, seed: 7 });
    const same = await run([...args, "--save-embeddings", out, "--format", "json"], {}, cache);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout).config.device).toBe("cpu");
    const other = decodeNpy(readFileSync(out));
    expect([other.rows, other.dims]).toEqual([48, TINY_DIMS]);
    expect(Array.from(other.data)).not.toEqual(Array.from(tiny.data));
    write({ dims: OTHER_DIMS, seed: 7 });
    const second = await run([...args, "--save-embeddings", out, "--format", "json"], {}, cache);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).config.device).toBe("cpu");
    const e = decodeNpy(readFileSync(out));
    expect([e.rows, e.dims]).toEqual([48, OTHER_DIMS]);
  });
});
