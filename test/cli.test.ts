/**
 * Integration tests: spawn the built CLI (dist/cli.js; `npm test` builds it first) on the
 * synthetic corpus and the tiny model of test/support (random weights: these tests check
 * structure, counts, determinism and error handling, never clustering quality). The "[full]"
 * suite repeats the counting tests on the real corpus in ../shared.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, SHARED_ARCHIVE, SHARED_MODELS } from "./helpers.js";
import { FIXTURE_COUNTS, FIXTURE_GROUPS, fixtureTotal, groupTotal } from "./support/corpus.js";
import { fixtures, tinyArgs } from "./support/fixtures.js";
import { HAVE_SHARED, REAL_ARCHIVE, TAG } from "./support/layers.js";
import { TINY_DIMS, TINY_MODEL, TOKENIZER_ONLY } from "./support/tiny-model.js";

let cache: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  cache = mkdtempSync(join(tmpdir(), "ngc-cli-"));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: cache, NEWSGROUP_CLUSTER_CACHE: cache, ...env },
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = tinyArgs();
const { archive: ARCHIVE, models: MODELS } = fixtures();
/** sci.space's test posts and alt.atheism's in the synthetic corpus. */
const SPACE_TEST = FIXTURE_COUNTS["sci.space"]?.test ?? 0;
const ATHEISM_TEST = FIXTURE_COUNTS["alt.atheism"]?.test ?? 0;

describe("newsgroup-cluster (spawned)", () => {
  it("prints the k=4 CSV table for the default groups, and the same bytes twice", () => {
    const args = ["--k", "4", "--format", "csv", ...TINY, "--seed", "1"];
    const a = cli(args);
    expect(a.stderr).not.toContain("Error");
    expect(a.code).toBe(0);
    const lines = a.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("newsgroup,0,1,2,3");
    expect(lines).toHaveLength(5);
    const rows = lines.slice(1).map((l) => l.split(","));
    expect(rows.map((r) => r[0])).toEqual([
      "alt.atheism",
      "comp.graphics",
      "sci.space",
      "talk.religion.misc",
    ]);
    expect(rows.map((r) => r.slice(1).reduce((s, v) => s + Number(v), 0))).toEqual(
      FIXTURE_GROUPS.map(groupTotal),
    );
    const b = cli(args);
    expect(b.stdout).toBe(a.stdout);
  }, 120_000);

  it("keeps stdout for data: notes go to stderr, and --quiet silences them", () => {
    const r = cli([
      "--format",
      "json",
      "--no-cache",
      "--categories",
      "sci.space",
      "--subset",
      "test",
      "--k",
      "2",
      ...TINY,
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.counts.posts).toBe(SPACE_TEST);
    expect(doc.config.device).toBe("cpu");
    expect(doc.table.counts[0].reduce((s: number, v: number) => s + v, 0)).toBe(SPACE_TEST);
    const q = cli([
      "--quiet",
      "--format",
      "csv",
      "--categories",
      "sci.space",
      "--subset",
      "test",
      "--k",
      "2",
      ...TINY,
    ]);
    expect(q.code).toBe(0);
    expect(q.stderr).toBe("");
  }, 120_000);

  it("reuses cached vectors and term ids: a second run with another k loads no model, --save-embeddings writes .npy", () => {
    const own = mkdtempSync(join(tmpdir(), "ngc-cache-"));
    const args = [
      "--format",
      "json",
      "--categories",
      "sci.space",
      "--subset",
      "test",
      ...TINY,
      "--cache-dir",
      own,
    ];
    const cold = JSON.parse(cli([...args, "--k", "2"]).stdout);
    expect(cold.config.device).toBe("cpu");
    const npy = join(own, "vectors-out.npy");
    const warm = cli([...args, "--k", "3", "--save-embeddings", npy]);
    expect(warm.code).toBe(0);
    expect(JSON.parse(warm.stdout).config.device).toBe("cache");
    expect(warm.stderr).not.toContain("device auto"); // the model was never loaded
    const bytes = readFileSync(npy);
    expect(bytes.subarray(1, 6).toString("latin1")).toBe("NUMPY");
    expect(bytes.toString("latin1", 10, 80)).toContain(`'shape': (${SPACE_TEST}, ${TINY_DIMS})`);
    expect(bytes.length).toBe(128 + SPACE_TEST * TINY_DIMS * 4);
    // The cluster labels' term ids were kept by the first run and served to the second: one
    // entry, and the same labels as a run that tokenises afresh.
    expect(readdirSync(join(own, "terms"))).toHaveLength(1);
    const fresh = JSON.parse(cli([...args, "--k", "3", "--no-cache"]).stdout);
    expect(JSON.parse(warm.stdout).labels).toEqual(fresh.labels);
    rmSync(own, { recursive: true, force: true });
  }, 120_000);

  it("--format json follows the documented shape; --min-ari fails the run after printing", () => {
    const dir = mkdtempSync(join(tmpdir(), "ngc-json-"));
    const assignments = join(dir, "a.csv");
    const r = cli([
      ...[
        "--format",
        "json",
        "--categories",
        "sci.space,alt.atheism",
        "--subset",
        "test",
        "--k",
        "3",
      ],
      ...[...TINY, "--min-ari", "0.99", "--assignments", assignments, "--silhouette"],
    ]);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/quality gate failed: ARI -?\d\.\d{4} is below --min-ari 0\.99/);
    const doc = JSON.parse(r.stdout); // printed in full before failing
    expect(shapeOf(doc)).toEqual({
      schema: "number",
      version: "string",
      config: {
        selection: { categories: ["string"], subset: "string", remove: ["string"] },
        embedder: "string",
        model: "string",
        dtype: "string",
        device: "string",
        maxLength: "number",
        k: "number",
        seed: "number",
        nInit: "number",
        order: "string",
      },
      counts: {
        posts: "number",
        groups: { "alt.atheism": "number", "sci.space": "number" },
        clusters: ["number"],
        empty: "number",
      },
      table: { groups: ["string"], clusters: ["number"], counts: [["number"]] },
      metrics: {
        ari: "number",
        nmi: "number",
        homogeneity: "number",
        completeness: "number",
        v_measure: "number",
        purity: "number",
        accuracy: "number",
        inertia: "number",
        silhouette: "number",
      },
      labels: [{ cluster: "number", size: "number", terms: ["string"] }],
      timings: {
        corpus: "number",
        model: "number",
        embed: "number",
        cluster: "number",
        evaluate: "number",
      },
    });
    expect(doc.counts.posts).toBe(ATHEISM_TEST + SPACE_TEST);
    expect(doc.table.clusters).toEqual([0, 1, 2]);
    const rows = readFileSync(assignments, "utf8").trimEnd().split("\n");
    expect(rows[0]).toBe("split,group,id,cluster,distance");
    expect(rows).toHaveLength(1 + ATHEISM_TEST + SPACE_TEST);
    // The exported cluster ids are the table's: recount the table from the file.
    const recount = doc.table.groups.map((g: string) =>
      doc.table.clusters.map(
        (c: number) =>
          rows.filter((l) => l.startsWith(`test,${g},`) && l.split(",")[3] === String(c)).length,
      ),
    );
    expect(recount).toEqual(doc.table.counts);
    // Without the gate the same run exits 0.
    expect(
      cli([
        "--format",
        "csv",
        "--categories",
        "sci.space",
        "--subset",
        "test",
        "--k",
        "2",
        ...TINY,
        "--min-ari",
        "-0.5",
      ]).code,
    ).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("--embedder tfidf needs no model files; --report writes one self-contained HTML file", () => {
    const dir = mkdtempSync(join(tmpdir(), "ngc-report-"));
    const report = join(dir, "r.html");
    const r = cli([
      "--embedder",
      "tfidf",
      "--k",
      "4",
      "--data",
      ARCHIVE,
      "--format",
      "json",
      "--report",
      report,
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.config.model).toBe("tfidf-lsa");
    expect(doc.counts.posts).toBe(fixtureTotal());
    const html = readFileSync(report, "utf8");
    expect(html.length).toBeLessThan(5 * 1024 * 1024);
    expect(html.match(/class="pt /g)?.length).toBe(fixtureTotal());
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(cli(["--report", join(dir, "r.txt")]).code).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("an output file that cannot be written exits 8, naming the option and path", () => {
    const r = cli([
      ...["--embedder", "tfidf", "--data", ARCHIVE, "--format", "csv"],
      ...["--assignments", "/nonexistent-dir/a.csv"],
    ]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain("cannot write --assignments /nonexistent-dir/a.csv");
    expect(r.stdout).toBe("");
  }, 60_000);

  it("corpus: JSON Lines of the cleaned posts in corpus order", () => {
    expectCorpusLines(ARCHIVE, FIXTURE_GROUPS.map(groupTotal), fixtureTotal("train"));
  }, 60_000);

  it.each([
    [["--k", "0"], 2, "--k must be an integer from 1 to the number of posts, got '0'"],
    [["--format", "xml"], 2, "Allowed choices are table, csv, tsv, json, markdown"],
    [["--categories", "sci.spac"], 2, "did you mean sci.space"],
    [
      ["--k", "5000", "--data", "<archive>", "--models", "<models>"],
      2,
      `--k 5000 is larger than the number of posts (${fixtureTotal()})`,
    ],
    [["--data", "/nonexistent/x.tar.gz"], 3, "--data /nonexistent/x.tar.gz does not exist"],
    [["--data", "<models>"], 3, "is a directory"],
    [["--data", `<models>/${TINY_MODEL}/tokenizer.json`], 3, "cannot read"],
    [["--offline"], 3, "--offline forbids downloading it"],
    [
      ["--data", "<archive>", "--models", "<models>", "--model", TOKENIZER_ONLY, "--dtype", "q8"],
      4,
      "missing",
    ],
  ] as [string[], number, string][])(
    "%j exits %i with one clear line",
    (args, code, message) => {
      const r = cli(args.map(unfix));
      expect(r.code, r.stderr).toBe(code);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    },
    60_000,
  );

  it("names the missing weights file of a tokenizer-only model folder", () => {
    const r = cli([
      "--data",
      ARCHIVE,
      "--models",
      MODELS,
      "--model",
      TOKENIZER_ONLY,
      "--dtype",
      "fp32",
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(join(TOKENIZER_ONLY, "onnx", "model.onnx"));
  }, 60_000);

  it("--device cuda without a usable CUDA provider fails with the device exit code", () => {
    const r = cli([
      "--device",
      "cuda",
      "--categories",
      "sci.space",
      "--subset",
      "test",
      "--k",
      "2",
      ...TINY,
    ]);
    if (r.code === 0) return; // a machine with a working CUDA EP
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(
      /--device cuda: (no NVIDIA GPU|the CUDA provider libraries|onnxruntime could not)/,
    );
  }, 60_000);
});

describe.skipIf(!HAVE_SHARED)(`${TAG.full} the spawned CLI on the real corpus`, () => {
  const REAL = ["--data", SHARED_ARCHIVE, "--models", SHARED_MODELS, "--model", "tiny-random-bert"];

  it("prints the k=4 CSV table: 799, 973, 987, 628 posts per group", () => {
    const r = cli(["--k", "4", "--format", "csv", ...REAL, "--seed", "1"]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split("\n").slice(1);
    expect(
      rows.map((l) =>
        l
          .split(",")
          .slice(1)
          .reduce((s, v) => s + Number(v), 0),
      ),
    ).toEqual([799, 973, 987, 628]);
  }, 120_000);

  it("a tokenizer-only model folder names its missing weights file", () => {
    const r = cli([...REAL.slice(0, 4), "--model", "Xenova/all-MiniLM-L6-v2", "--dtype", "fp32"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(join("Xenova", "all-MiniLM-L6-v2", "onnx", "model.onnx"));
  }, 60_000);
});

describe.skipIf(REAL_ARCHIVE === undefined)(
  `${TAG.full} the spawned CLI on the real corpus alone`,
  () => {
    const archive = REAL_ARCHIVE ?? "";

    it("--embedder tfidf --k 4 scores the README's ARI 0.3517 and NMI 0.4033", () => {
      const r = cli(["--embedder", "tfidf", "--k", "4", "--data", archive, "--format", "json"]);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.counts.posts).toBe(3387);
      expect(doc.metrics.ari).toBeCloseTo(0.3517, 4);
      expect(doc.metrics.nmi).toBeCloseTo(0.4033, 4);
    }, 60_000);

    it("corpus: JSON Lines of the 3,387 cleaned posts in corpus order", () => {
      expectCorpusLines(archive, [799, 973, 987, 628], 2034);
    }, 60_000);
  },
);

/** An argument with the fixtures' paths put in (test names keep the placeholders, not temp paths). */
function unfix(arg: string): string {
  return arg.replace("<archive>", ARCHIVE).replace("<models>", MODELS);
}

/** `corpus` on an archive: JSON Lines with the given posts per default group and train posts. */
function expectCorpusLines(archive: string, perGroup: number[], train: number): void {
  const r = cli(["corpus", "--data", archive]);
  expect(r.code).toBe(0);
  const docs = r.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  const total = perGroup.reduce((s, v) => s + v, 0);
  expect(docs).toHaveLength(total);
  const count = (g: string) => docs.filter((d) => d.group === g).length;
  expect([
    count("alt.atheism"),
    count("comp.graphics"),
    count("sci.space"),
    count("talk.religion.misc"),
  ]).toEqual(perGroup);
  expect(Object.keys(docs[0])).toEqual(["split", "group", "id", "text"]);
  expect(docs.filter((d) => d.split === "train")).toHaveLength(train);
  expect(docs[0].split).toBe("train");
  expect(docs.at(-1).split).toBe("test");
}

/** The JSON shape of a value: types at the leaves, the first element's shape for arrays. */
function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shapeOf(v[0])];
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOf(x)]));
  }
  return typeof v;
}
