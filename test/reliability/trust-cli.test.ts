/**
 * Issue 9 through the built CLI: outputs are never lost, faked or clobbered (rows 1-4), model
 * content keys the cache (row 6), and the misleading failures of rows 8-13. Small synthetic
 * corpus (packTarGz) and tiny-random-bert, so each run takes about a second.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeNpy } from "../../src/embed/npy.js";
import { defaultCacheDir } from "../../src/program.js";
import { CLI, packTarGz, SHARED_MODELS } from "../helpers.js";
import {
  lines,
  listTree,
  notFound,
  runCli,
  serveBytes,
  stallBeforeHeaders,
  startServer,
  type TestServer,
} from "./server.js";

const temps: string[] = [];
function tempDir(prefix = "ngc-trust-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
const servers: TestServer[] = [];
async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const WORDS = {
  "sci.space": "orbit launch nasa shuttle moon rocket satellite mission",
  "rec.autos": "engine car dealer brake tire mileage sedan clutch",
};
let archive: string;
let archiveBytes: Buffer;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  const files: Record<string, string> = {};
  for (const split of ["train", "test"]) {
    for (const [group, words] of Object.entries(WORDS)) {
      for (let i = 0; i < 12; i++) {
        const body = Array.from({ length: 60 }, (_, j) => words.split(" ")[(i + j) % 8]).join(" ");
        files[`20news-bydate-${split}/${group}/${split === "train" ? 100 + i : 200 + i}`] =
          `From: someone${i}@example.com\nSubject: post ${i}\n\n${body} number ${i}\n`;
      }
    }
  }
  archiveBytes = await packTarGz(files);
  archive = join(tempDir(), "corpus.tar.gz");
  writeFileSync(archive, archiveBytes);
});

const TINY = ["--models", SHARED_MODELS, "--model", "tiny-random-bert", "--device", "cpu"];
const base = () => ["--data", archive, "--categories", "sci.space,rec.autos", "--k", "2"];
const run = (args: string[], env: Record<string, string> = {}, cacheDir = tempDir()) =>
  runCli(args, { cacheDir, env, timeoutMs: 60_000 });

/** Runs a shell line with the CLI as "$CLI", for redirections and ulimit. */
function sh(
  line: string,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", line], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, NEWSGROUP_CLUSTER_CACHE: cwd, CLI },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

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
    writeFileSync(data, archiveBytes);
    symlinkSync(data, join(dir, "e.npy"));
    const r = await run(
      ["--data", data, "--categories", "sci.space", ...TINY].concat(
        "--save-embeddings",
        join(dir, "e.npy"),
      ),
    );
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `newsgroup-cluster: error: --save-embeddings ${join(dir, "e.npy")} is the same file as --data; writing it would overwrite that file`,
    ]);
    expect(readFileSync(data).equals(archiveBytes)).toBe(true);
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
      `node "$CLI" corpus --data ${archive} --categories sci.space,rec.autos > /dev/full`,
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
      `ulimit -f 4; node "$CLI" corpus --data ${archive} --categories sci.space,rec.autos > out.jsonl`,
      dir,
    );
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/^newsgroup-cluster: error: cannot write stdout: EFBIG/);
  });
});

describe("row 6: the cache is keyed on the model's content", { timeout: 90_000 }, () => {
  it("other weights under the same folder name are embedded, not served from the cache", async () => {
    const models = tempDir();
    const link = (from: string) => {
      rmSync(join(models, "m"), { recursive: true, force: true });
      mkdirSync(join(models, "m", "onnx"), { recursive: true });
      for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"]) {
        symlinkSync(join(SHARED_MODELS, from, f), join(models, "m", f));
      }
      const q8 = join("onnx", "model_quantized.onnx");
      symlinkSync(join(SHARED_MODELS, from, q8), join(models, "m", q8));
    };
    const cache = tempDir();
    const out = join(tempDir(), "e.npy");
    const args = [...base(), "--models", models, "--model", "m", "--device", "cpu", "--quiet"];
    link("tiny-random-bert");
    const first = await run([...args, "--save-embeddings", out], {}, cache);
    expect(first.code).toBe(0);
    expect(decodeNpy(readFileSync(out)).dims).toBe(32);
    link("random-minilm-l6");
    const second = await run([...args, "--save-embeddings", out, "--format", "json"], {}, cache);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).config.device).toBe("cpu");
    const e = decodeNpy(readFileSync(out));
    expect([e.rows, e.dims]).toEqual([48, 384]);
  });
});

describe("rows 8-13: hangs and misleading failures", { timeout: 60_000 }, () => {
  it("row 8: --cache-dir /proc/x warns once and runs without the cache", async () => {
    const r = await run([...base(), ...TINY, "--cache-dir", "/proc/x", "--format", "csv"]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toBe("newsgroup,0,1");
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /cannot write the embedding cache at \/proc\/x\/.*continuing without it/,
    );
  });

  it("row 8: corpus --cache-dir /proc/x without --data downloads without the cache", async () => {
    const s = await serve(serveBytes(archiveBytes));
    const sha = createHash("sha256").update(archiveBytes).digest("hex");
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
      archive,
    ]);
    expect(r.code).toBe(0);
    const docs = lines(r.stdout).map((l) => JSON.parse(l));
    expect(docs).toHaveLength(12);
    expect(new Set(docs.map((d) => `${d.split} ${d.group}`))).toEqual(new Set(["test sci.space"]));
    const bad = await run(["--k", "3", "corpus", "--data", archive]);
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
          writeFileSync(
            join(models, name, f),
            readFileSync(join(SHARED_MODELS, "tiny-random-bert", f)),
          );
      }
      symlinkSync(
        join(SHARED_MODELS, "tiny-random-bert", "onnx", "model_quantized.onnx"),
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
      writeFileSync(join(part, f), readFileSync(join(SHARED_MODELS, "tiny-random-bert", f)));
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
    const t = await run(["corpus", "--data", archive, "--categories", "sci.space"], {
      NEWSGROUP_CLUSTER_TIMEOUT_MS: "abc",
    });
    expect(t.code).toBe(0);
    // /dev/stdin is read, not "does not exist".
    const dir = tempDir();
    const fifo = await sh(
      `node "$CLI" corpus --data /dev/stdin --categories sci.space,rec.autos < ${archive} | wc -l`,
      dir,
    );
    expect(fifo.stderr).toBe("");
    expect(fifo.stdout.trim()).toBe("48");
    // 'all' cannot be combined; names match in any case.
    const all = await run([...base(), "--categories", "all,sci.space"]);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain("'all' cannot be combined");
    const upper = await run(["corpus", "--data", archive, "--categories", "SCI.SPACE"]);
    expect(upper.code).toBe(0);
    expect(lines(upper.stdout)).toHaveLength(24);
    // --threads above the cores: warned and capped.
    const th = await run([...base(), ...TINY, "--threads", "1000", "--format", "csv"]);
    expect(th.code).toBe(0);
    expect(th.stderr).toMatch(/--threads 1000 is more than the \d+ cores here; using \d+/);
    // An empty HOME or --cache-dir is unset, not the current directory.
    expect(defaultCacheDir({}, "")).toMatch(/^\//);
    const cwd = tempDir();
    const empty = await sh(
      `node "$CLI" corpus --data ${archive} --categories sci.space --cache-dir '' > /dev/null`,
      cwd,
    );
    expect(empty.code).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
