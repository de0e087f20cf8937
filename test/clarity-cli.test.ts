/**
 * What the tool says (issue 10), through the spawned CLI on the hermetic fixtures: stage lines on
 * stderr when it is not a terminal (spawnSync pipes it), silenced by --quiet; `--help` and
 * `help`; one-line usage errors; `--model <folder>`; `counts.empty`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_GROUPS } from "../src/dataset/groups.js";
import { ExitCode } from "../src/errors.js";
import { CLI } from "./helpers.js";
import { fixtureTotal } from "./support/corpus.js";
import { fixtures, tinyArgs } from "./support/fixtures.js";
import { TINY_MODEL } from "./support/tiny-model.js";

let cache: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  cache = mkdtempSync(join(tmpdir(), "ngc-clarity-"));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function cli(args: string[], opts: { cwd?: string; cacheDir?: string } = {}) {
  const dir = opts.cacheDir ?? cache;
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: dir, NEWSGROUP_CLUSTER_CACHE: dir },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = tinyArgs();
const lines = (s: string) => s.split("\n").filter((l) => l !== "");

describe("stage lines on stderr outside a terminal", () => {
  it("one line per stage, the embedding at each quarter, each file written; --quiet: none", () => {
    const own = mkdtempSync(join(tmpdir(), "ngc-stages-"));
    const report = join(own, "r.html");
    const args = ["--k", "3", "--format", "csv", ...TINY, "--report", report];
    const r = cli(args, { cacheDir: own });
    expect(r.code, r.stderr).toBe(0);
    const err = lines(r.stderr);
    const posts = fixtureTotal();
    expect(err).toContain(`newsgroup-cluster: corpus: ${posts} posts from ${fixtures().archive}`);
    expect(
      err.some((l) =>
        /^newsgroup-cluster: model: .*tiny.* \(q8, cpu\), loaded in \d+\.\d s$/.test(l),
      ),
    ).toBe(true);
    const quarters = err.filter((l) => l.startsWith("newsgroup-cluster: embedding: "));
    expect(quarters.map((l) => /embedding: (\d+)%/.exec(l)?.[1])).toEqual([
      "25",
      "50",
      "75",
      "100",
    ]);
    expect(quarters[3]).toMatch(new RegExp(`\\(${posts}/${posts} posts, [\\d.]+ posts/s\\)$`));
    expect(err).toContainEqual(
      expect.stringMatching(/^newsgroup-cluster: k-means: k=3, 10 restarts, \d+\.\d s$/),
    );
    expect(err).toContainEqual(
      expect.stringMatching(/^newsgroup-cluster: wrote .*r\.html \(\d+\.\d kB\)$/),
    );
    // Stages in order.
    const at = (p: string) => err.findIndex((l) => l.startsWith(`newsgroup-cluster: ${p}`));
    expect(at("corpus:")).toBeLessThan(at("model:"));
    expect(at("model:")).toBeLessThan(at("embedding:"));
    expect(at("embedding:")).toBeLessThan(at("k-means:"));
    expect(at("k-means:")).toBeLessThan(at("wrote"));

    // A second run finds every vector cached; stdout is the same with or without --quiet.
    const again = cli(["--k", "3", "--format", "csv", ...TINY], { cacheDir: own });
    expect(again.stdout).toBe(r.stdout);
    expect(lines(again.stderr)).toContain(
      `newsgroup-cluster: embedding: ${posts} posts, all from the cache`,
    );
    const quiet = cli(["--k", "3", "--format", "csv", ...TINY, "--quiet"], { cacheDir: own });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).toBe(r.stdout);
    rmSync(own, { recursive: true, force: true });
  }, 120_000);
});

describe("help", () => {
  it("--help groups the options and lists examples, exit codes and the 20 newsgroups", () => {
    const r = cli(["--help"]);
    expect(r.code).toBe(0);
    const h = r.stdout;
    const headings = [
      "Corpus (the built-in 20 Newsgroups):",
      "Input (your own posts or vectors):",
      "Model:",
      "k-means:",
      "Output:",
      "Diagnostics:",
      "Examples:",
      "Exit codes:",
    ];
    const at = headings.map((x) => h.indexOf(`\n${x}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Options under their group: --seed after "k-means:", before "Output:".
    expect(h.indexOf("--seed")).toBeGreaterThan(at[3] as number);
    expect(h.indexOf("--seed")).toBeLessThan(at[4] as number);
    const examples = h
      .slice(at[6], at[7])
      .split("\n")
      .filter((l) => l.startsWith("  newsgroup-cluster"));
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const [name, code] of Object.entries(ExitCode)) {
      expect(h, name).toMatch(new RegExp(`\\n +${code}  \\S`));
    }
    expect(h).toContain(`exit ${ExitCode.gate} after printing when the ARI is below x`);
    for (const g of ALL_GROUPS) expect(h).toContain(g);
  });

  it("`help` and `help corpus` show the help; `help corpus` the corpus command's", () => {
    const top = cli(["help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toBe(cli(["--help"]).stdout);
    const sub = cli(["help", "corpus"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: newsgroup-cluster corpus \[options\]/);
    expect(sub.stdout).toBe(cli(["corpus", "--help"]).stdout);
  });
});

describe("usage errors: one line, the tool's prefix, a hint to --help, exit 2", () => {
  const cases: [string[], RegExp][] = [
    [["corpsu"], /unknown command 'corpsu'; did you mean 'corpus'\?/],
    [["--catgories", "sci.space"], /unknown option '--catgories'; did you mean --categories\?/],
    [["--k"], /option '-k, --k <n>' argument missing/],
    [["--format", "xml"], /argument 'xml' is invalid\. Allowed choices are table, csv/],
    [["--k", "0"], /--k must be an integer from 1/],
    [["corpus", "--n-init", "3"], /unknown option '--n-init'/],
    [["--embedder", "tfidf", "--dtype", "q8"], /--dtype only applies to --embedder minilm/],
  ];
  for (const [args, message] of cases) {
    it(args.join(" "), () => {
      const r = cli(args);
      expect(r.code).toBe(ExitCode.usage);
      expect(r.stdout).toBe("");
      const err = lines(r.stderr);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^newsgroup-cluster: error: /);
      expect(err[0]).toMatch(message);
      expect(err[0]).toMatch(/\(see --help\)$/);
    });
  }

  it("an unknown newsgroup keeps its own pointer to --help, once", () => {
    const r = cli(["--categories", "sci"]);
    expect(r.code).toBe(ExitCode.usage);
    const err = lines(r.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]?.match(/--help/g)).toHaveLength(1);
  });
});

describe("--model <folder>", () => {
  it("runs a model given by its folder path, relative or absolute, as --models + --model do", () => {
    const { archive, models } = fixtures();
    const base = ["--data", archive, "--k", "3", "--format", "csv", "--no-cache", "--quiet"];
    const ref = cli([...base, "--models", models, "--model", TINY_MODEL]);
    expect(ref.code, ref.stderr).toBe(0);
    const abs = cli([...base, "--model", join(models, TINY_MODEL)]);
    expect(abs.code, abs.stderr).toBe(0);
    expect(abs.stdout).toBe(ref.stdout);
    const rel = cli([...base, "--model", relative(models, join(models, TINY_MODEL))], {
      cwd: models,
    });
    expect(rel.code, rel.stderr).toBe(0);
    expect(rel.stdout).toBe(ref.stdout);
  }, 120_000);
});

describe("empty posts", () => {
  it("JSON counts.empty: the posts without text after cleaning, the same as the stderr note", () => {
    const r = cli(["--k", "3", "--format", "json", ...TINY, "--remove", "headers,footers,quotes"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const corpus = cli(["corpus", "--data", fixtures().archive]);
    const expected = lines(corpus.stdout)
      .map((l) => JSON.parse(l) as { text: string })
      .filter((p) => p.text.trim() === "").length;
    // The synthetic corpus has posts with an empty body.
    expect(expected).toBeGreaterThan(0);
    expect(doc.counts.empty).toBe(expected);
    const note = /(\d+) of (\d+) posts are empty after cleaning/.exec(r.stderr);
    expect(Number(note?.[1])).toBe(expected);
  }, 120_000);
});

describe("help for an unknown command", () => {
  it("`help corpsu`: one line with a did-you-mean, exit 2", () => {
    const r = cli(["help", "corpsu"]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toEqual([
      "newsgroup-cluster: error: unknown command 'corpsu'; did you mean 'corpus'? (see --help)",
    ]);
  });
});
