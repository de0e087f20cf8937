/**
 * Issue 9, rows 8-13 through the built CLI: hangs and misleading failures (unusable cache
 * directory, a Hub that never answers, options before `corpus`, a silhouette that cannot be
 * computed, broken model files, small input fixes).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultCacheDir } from "../../src/program.js";
import { fixtures } from "../support/fixtures.js";
import { TINY_MODEL } from "../support/tiny-model.js";
import { lines, notFound, said, serveBytes, stallBeforeHeaders } from "./server.js";
import { sh, TINY, trustFixture } from "./trust-fixture.js";

const { tempDir, serve, run, base, archive, archiveBytes } = trustFixture();
/** The hermetic tiny model's folder, whose files the broken-model cases start from. */
const TINY_DIR = join(fixtures().models, TINY_MODEL);

describe("rows 8-13: hangs and misleading failures", { timeout: 60_000 }, () => {
  it("row 8: --cache-dir /proc/x warns once and runs without the cache", async () => {
    const r = await run([...base(), ...TINY, "--cache-dir", "/proc/x", "--format", "csv"]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toBe("newsgroup,0,1");
    // One warning besides the stage lines (issue 10).
    expect(said(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /cannot write the embedding cache at \/proc\/x\/.*continuing without it/,
    );
  });

  it("row 8: corpus --cache-dir /proc/x without --data downloads without the cache", async () => {
    const s = await serve(serveBytes(archiveBytes()));
    const sha = createHash("sha256").update(archiveBytes()).digest("hex");
    const r = await run(["corpus", "--cache-dir", "/proc/x", "--categories", "sci.space"], {
      NEWSGROUP_CLUSTER_DATA_URL: s.url,
      NEWSGROUP_CLUSTER_DATA_SHA256: sha.toUpperCase(), // row 13: any case
    });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(24);
    expect(r.stderr).toMatch(/cannot use the cache directory \/proc\/x \(\w+\); continuing/);
  });

  it("row 9: a Hub that accepts and never answers: exit 5 after the stall timeout", async () => {
    const s = await serve(stallBeforeHeaders);
    const r = await run([...base(), "--model", "some/model"], {
      NEWSGROUP_CLUSTER_HF_ENDPOINT: `http://127.0.0.1:${s.port}/`,
      NEWSGROUP_CLUSTER_TIMEOUT_MS: "1000",
    });
    expect(r.code).toBe(5);
    expect(r.ms).toBeLessThan(20_000);
    const errs = lines(r.stderr).filter((l) => l.includes("error"));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toContain("no data for 1000 ms (timeout)");
  });

  it("row 10: options before 'corpus' apply to it; cluster-only ones are a usage error", async () => {
    const r = await run([
      "--categories",
      "sci.space",
      "--subset",
      "test",
      "corpus",
      "--data",
      archive(),
    ]);
    expect(r.code).toBe(0);
    const docs = lines(r.stdout).map((l) => JSON.parse(l));
    expect(docs).toHaveLength(12);
    expect(new Set(docs.map((d) => `${d.split} ${d.group}`))).toEqual(new Set(["test sci.space"]));
    const bad = await run(["--k", "3", "corpus", "--data", archive()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--k only applies to clustering, not to 'corpus'");
  });

  it("row 11: --silhouette with one non-empty cluster prints the result, silhouette null", async () => {
    const r = await run([
      ...base(),
      ...TINY,
      "--max-length",
      "2",
      "--silhouette",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.metrics.silhouette).toBeNull();
    expect(doc.metrics.silhouetteOmitted).toBe("needs 2 to 47 non-empty clusters, got 1");
    expect(r.stderr).toContain("silhouette omitted");
  });

  it("row 12: broken model files are named, exit 4", async () => {
    const models = tempDir();
    const copy = (name: string, skip: string[] = []) => {
      mkdirSync(join(models, name, "onnx"), { recursive: true });
      for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"]) {
        if (!skip.includes(f))
          writeFileSync(join(models, name, f), readFileSync(join(TINY_DIR, f)));
      }
      symlinkSync(
        join(TINY_DIR, "onnx", "model_quantized.onnx"),
        join(models, name, "onnx", "model_quantized.onnx"),
      );
    };
    copy("no-tc", ["tokenizer_config.json"]);
    copy("empty-config");
    writeFileSync(join(models, "empty-config", "config.json"), "");
    copy("no-cls");
    const tok = JSON.parse(readFileSync(join(models, "no-cls", "tokenizer.json"), "utf8"));
    delete tok.model.vocab["[CLS]"];
    delete tok.model.vocab["[SEP]"];
    tok.added_tokens = tok.added_tokens.filter(
      (t: { content: string }) => !["[CLS]", "[SEP]"].includes(t.content),
    );
    tok.post_processor = null;
    writeFileSync(join(models, "no-cls", "tokenizer.json"), JSON.stringify(tok));
    const cases: [string, RegExp][] = [
      ["no-tc", /no-tc lacks tokenizer_config\.json/],
      ["empty-config", /empty-config\/config\.json is not valid JSON/],
      ["no-cls", /has no \[CLS\] or \[SEP\] token/],
    ];
    for (const [name, message] of cases) {
      const r = await run([...base(), "--models", models, "--model", name, "--device", "cpu"]);
      expect(r.code, name).toBe(4);
      expect(
        lines(r.stderr).filter((l) => l.includes("error")),
        name,
      ).toEqual([expect.stringMatching(message)]);
    }
  });

  it("row 12: a Hub that answers 404, and --offline with a partial Hub cache", async () => {
    const s = await serve(notFound);
    const r = await run([...base(), "--model", "nobody/nothing"], {
      NEWSGROUP_CLUSTER_HF_ENDPOINT: `http://127.0.0.1:${s.port}/`,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).not.toContain("Cannot read properties");
    expect(r.stderr).toContain("tokenizer_config.json or tokenizer.json not found");
    const cache = tempDir();
    const part = join(cache, "models", "org", "partial");
    mkdirSync(part, { recursive: true });
    for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"]) {
      writeFileSync(join(part, f), readFileSync(join(TINY_DIR, f)));
    }
    const off = await run(
      [...base(), "--model", "org/partial", "--offline", "--device", "cpu"],
      {},
      cache,
    );
    expect(off.code).toBe(4);
    expect(off.stderr).not.toContain("local-none");
    expect(off.stderr).toContain("is only partly in the cache");
  });

  it("row 13: small input fixes", async () => {
    // A bad timeout does not fail a run that downloads nothing.
    const t = await run(["corpus", "--data", archive(), "--categories", "sci.space"], {
      NEWSGROUP_CLUSTER_TIMEOUT_MS: "abc",
    });
    expect(t.code).toBe(0);
    // /dev/stdin is read, not "does not exist".
    const dir = tempDir();
    const fifo = await sh(
      `node "$CLI" corpus --data /dev/stdin --categories sci.space,rec.autos < ${archive()} | wc -l`,
      dir,
    );
    expect(fifo.stderr).toBe("");
    expect(fifo.stdout.trim()).toBe("48");
    // 'all' cannot be combined; names match in any case.
    const all = await run([...base(), "--categories", "all,sci.space"]);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain("'all' cannot be combined");
    const upper = await run(["corpus", "--data", archive(), "--categories", "SCI.SPACE"]);
    expect(upper.code).toBe(0);
    expect(lines(upper.stdout)).toHaveLength(24);
    // --threads above the cores: warned and capped.
    const th = await run([...base(), ...TINY, "--threads", "1000", "--format", "csv"]);
    expect(th.code).toBe(0);
    expect(th.stderr).toMatch(/--threads 1000 is more than the \d+ cores here; using \d+/);
    // An empty HOME or --cache-dir is unset, not the current directory.
    expect(defaultCacheDir({}, "")).toMatch(/^\//);
    const cwd = tempDir();
    // Run from a folder of its own: the cache (NEWSGROUP_CLUSTER_CACHE = cwd) now gets the
    // cleaned corpus (src/dataset/corpus-cache.ts), the current directory must get nothing.
    const empty = await sh(
      `mkdir work && cd work && node "$CLI" corpus --data ${archive()} --categories sci.space --cache-dir '' > /dev/null`,
      cwd,
    );
    expect(empty.code).toBe(0);
    expect(readdirSync(join(cwd, "work"))).toEqual([]);
    expect(readdirSync(cwd).sort()).toEqual(["corpus", "work"]);
  });
});
