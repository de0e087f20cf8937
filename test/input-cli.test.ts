/**
 * `--input`, `--embeddings` and the k sweep through the built CLI (dist/cli.js). A synthetic
 * three-newsgroup archive and the hermetic fixtures keep these independent of ../shared; the
 * round trip is repeated on the real corpus with tiny-random-bert where present ([full]).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, packTarGz, SHARED_ARCHIVE, SHARED_MODELS } from "./helpers.js";
import { fixtures } from "./support/fixtures.js";
import { HAVE_SHARED, TAG } from "./support/layers.js";
import { TINY_MODEL } from "./support/tiny-model.js";

const GROUPS = ["comp.graphics", "rec.autos", "sci.space"];
const VOCAB: Record<string, string[]> = {
  "comp.graphics": "image pixel render shader polygon texture bitmap jpeg color screen".split(" "),
  "rec.autos": "engine brake wheel dealer sedan clutch tire gasoline mileage torque".split(" "),
  "sci.space": "orbit launch rocket shuttle nasa lunar satellite mission planet comet".split(" "),
};
const COMMON = "the people think about some really good news today".split(" ");

/** A small deterministic archive: 30 train and 8 test posts per group. */
async function syntheticArchive(): Promise<Buffer> {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const files: Record<string, string> = {};
  for (const [split, n] of [
    ["train", 30],
    ["test", 8],
  ] as const) {
    for (const g of GROUPS) {
      for (let i = 0; i < n; i++) {
        const words = Array.from({ length: 25 }, () => {
          const pool = rnd() < 0.7 ? (VOCAB[g] as string[]) : COMMON;
          return pool[Math.floor(rnd() * pool.length)];
        });
        const id = split === "train" ? 1000 + i : 5000 + i;
        files[`20news-bydate-${split}/${g}/${id}`] =
          `From: user${i}@example.com\nSubject: post ${i}\n\n${words.join(" ")}\n`;
      }
    }
  }
  return packTarGz(files);
}

let dir: string;
let archive: string;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  dir = mkdtempSync(join(tmpdir(), "ngc-input-"));
  archive = join(dir, "synthetic.tar.gz");
  writeFileSync(archive, await syntheticArchive());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    input,
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, NEWSGROUP_CLUSTER_CACHE: join(dir, "cache") },
    timeout: 300_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SYN = () => ["--data", archive, "--categories", GROUPS.join(",")];
const TFIDF = ["--embedder", "tfidf", "--quiet", "--n-init", "3"];

/** A failed run: the exit code, nothing on stdout, and one line on stderr. */
function expectOneLineError(r: ReturnType<typeof cli>, code: number): string {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0] as string;
}

describe("--input", () => {
  it("corpus | --input - prints exactly the built-in selection's table (tfidf)", () => {
    const corpus = cli(["corpus", ...SYN()]);
    expect(corpus.code).toBe(0);
    const direct = cli([...SYN(), ...TFIDF, "--k", "3", "--silhouette"]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toContain("sci.space");
    const piped = cli(["--input", "-", ...TFIDF, "--k", "3", "--silhouette"], corpus.stdout);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(direct.stdout);
  }, 120_000);

  // The hermetic fixtures (the synthetic 20news-bydate archive, the tiny model), and the real
  // corpus with tiny-random-bert where ../shared is present.
  const roundTrips = [
    {
      name: "the synthetic corpus (tiny fixture model)",
      skip: false,
      data: () => fixtures().archive,
      model: () => ["--models", fixtures().models, "--model", TINY_MODEL],
    },
    {
      name: `${TAG.full} the real corpus (tiny-random-bert)`,
      skip: !HAVE_SHARED,
      data: () => SHARED_ARCHIVE,
      model: () => ["--models", SHARED_MODELS, "--model", "tiny-random-bert"],
    },
  ];
  for (const t of roundTrips) {
    it.skipIf(t.skip)(
      `corpus | --input - prints exactly the built-in table on ${t.name}`,
      () => {
        const model = [...t.model(), "--quiet"];
        const corpus = cli(["corpus", "--data", t.data()]);
        expect(corpus.code).toBe(0);
        const direct = cli(["--data", t.data(), ...model, "--n-init", "2", "--no-cache"]);
        expect(direct.code, direct.stderr).toBe(0);
        expect(direct.stdout).toContain("sci.space");
        const piped = cli(["--input", "-", ...model, "--n-init", "2", "--no-cache"], corpus.stdout);
        expect(piped.code, piped.stderr).toBe(0);
        expect(piped.stdout).toBe(direct.stdout);
      },
      300_000,
    );
  }

  it("reads a CSV with quoted multi-line fields, commas and CRLF, labelled by --label-field", () => {
    const rows = GROUPS.flatMap((g) =>
      Array.from({ length: 12 }, (_, i) => {
        const words = (VOCAB[g] as string[]).slice(i % 5, (i % 5) + 5).join(" ");
        return `${g}-${i},"${words},\r\nsecond line ""quoted"" ${words}",${g}`;
      }),
    );
    writeFileSync(join(dir, "tickets.csv"), `\uFEFFkey,body,queue\r\n${rows.join("\r\n")}\r\n`);
    const r = cli([
      "--input",
      "tickets.csv",
      "--text-field",
      "body",
      "--label-field",
      "queue",
      "--id-field",
      "key",
      ...TFIDF,
      "--top-terms",
      "0",
      "--k",
      "3",
      "--format",
      "csv",
      "--assignments",
      "a.csv",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("newsgroup,0,1,2");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(GROUPS);
    const totals = lines.slice(1).map((l) =>
      l
        .split(",")
        .slice(1)
        .reduce((s, v) => s + Number(v), 0),
    );
    expect(totals).toEqual([12, 12, 12]);
    const assigned = readFileSync(join(dir, "a.csv"), "utf8").trimEnd().split("\n");
    expect(assigned).toHaveLength(37);
    expect(assigned[1]).toMatch(/^,comp\.graphics,comp\.graphics-0,\d,/);
  }, 60_000);

  it("prints sizes, shares and terms for posts without labels; JSON keeps the schema", () => {
    const corpus = cli(["corpus", ...SYN()]);
    const texts = corpus.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.stringify({ text: JSON.parse(l).text }))
      .join("\n");
    writeFileSync(join(dir, "notes.jsonl"), `${texts}\n`);
    const r = cli(["--input", "notes.jsonl", ...TFIDF, "--k", "3", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual([
      "schema",
      "version",
      "config",
      "counts",
      "table",
      "metrics",
      "labels",
      "timings",
    ]);
    expect(doc.schema).toBe(1);
    expect(doc.config.input).toBe("notes.jsonl");
    expect(doc.config.selection.categories).toEqual([]);
    expect(Object.keys(doc.table)).toEqual(["clusters", "sizes", "shares"]);
    expect(doc.table.clusters).toEqual([0, 1, 2]);
    expect(doc.table.sizes.reduce((a: number, b: number) => a + b, 0)).toBe(114);
    // --order matched numbers clusters by size, largest first.
    expect([...doc.table.sizes].sort((a: number, b: number) => b - a)).toEqual(doc.table.sizes);
    expect(doc.table.shares[0]).toBeCloseTo(doc.table.sizes[0] / 114, 12);
    expect(doc.counts).toEqual({ posts: 114, clusters: doc.table.sizes, empty: 0 });
    expect(Object.keys(doc.metrics)).toEqual(["inertia"]);
    expect(doc.labels.map((l: { terms: string[] }) => l.terms.length)).toEqual([8, 8, 8]);

    const s = cli(["--input", "notes.jsonl", ...TFIDF, "--k", "3", "--silhouette"]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/│ +cluster │ +size │ +share │ top terms/);
    expect(s.stdout).toMatch(/^inertia \d+\.\d\d {2}silhouette -?0\.\d{4}$/m);

    expect(expectOneLineError(cli(["--input", "notes.jsonl", ...TFIDF]), 2)).toContain("give --k");
    const gate = cli(["--input", "notes.jsonl", ...TFIDF, "--k", "3", "--min-ari", "0.1"]);
    expect(expectOneLineError(gate, 2)).toContain("--min-ari needs labelled posts");
    expect(existsSync(join(dir, "u.html"))).toBe(false);
  }, 120_000);

  it("--report on posts without labels: the sizes, the map coloured by cluster, no heatmap", () => {
    const plain = cli(["--input", "notes.jsonl", ...TFIDF, "--k", "3"]);
    expect(plain.code, plain.stderr).toBe(0);
    const report = cli(["--input", "notes.jsonl", ...TFIDF, "--k", "3", "--report", "u.html"]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toBe(plain.stdout);
    const html = readFileSync(join(dir, "u.html"), "utf8");
    expect(html).toContain('<section id="sizes"');
    expect(html).toContain("114 posts without labels in 3 clusters; inertia ");
    expect(html).not.toContain('id="table"');
    expect(html).not.toMatch(/ARI|NMI|Mostly <b>|<h3>Newsgroups<\/h3>/);
    expect([...html.matchAll(/class="pt c[0-2]"/g)]).toHaveLength(114);
    expect(html).toContain("<th>input</th><td>notes.jsonl</td>");
    // A sweep draws the metrics against k and the suggested k's page, here without labels.
    const sweep = cli(["--input", "notes.jsonl", ...TFIDF, "--k", "2..4", "--report", "s.html"]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const page = readFileSync(join(dir, "s.html"), "utf8");
    expect(page).toContain('<section id="sizes"');
    expect(page).not.toMatch(/ARI|NMI/);
  }, 120_000);

  it("refuses --input with options of the built-in corpus, and field options without --input", () => {
    for (const extra of [
      ["--categories", "sci.space"],
      ["--subset", "test"],
      ["--remove", "none"],
      ["--data", "x.tar.gz"],
    ]) {
      const msg = expectOneLineError(cli(["--input", "-", ...extra, "--k", "2"], ""), 2);
      expect(msg).toContain(`${extra[0]} choose posts of the built-in corpus`);
    }
    expect(expectOneLineError(cli(["--text-field", "body"]), 2)).toContain(
      "--text-field only apply with --input",
    );
    expect(expectOneLineError(cli(["--input", "posts.txt", "--k", "2"]), 2)).toContain(
      "--input-format jsonl, csv or tsv",
    );
  });
});

describe("bad --input: one line naming file, line and problem; exit 3; nothing written", () => {
  const cases: [string, string | Buffer, string, RegExp][] = [
    ["not-json.jsonl", '{"text":"a"}\n{oops}\n', "jsonl", /not-json\.jsonl: line 2: not JSON/],
    ["array.jsonl", '{"text":"a"}\n[1]\n', "jsonl", /line 2: expected a JSON object, got an array/],
    ["no-text.jsonl", '{"body":"a"}\n', "jsonl", /line 1: no 'text' field/],
    ["num-text.jsonl", '{"text":5}\n', "jsonl", /line 1: 'text' must be a string, got a number/],
    ["empty.jsonl", "", "jsonl", /empty\.jsonl: no posts/],
    ["mixed.jsonl", '{"text":"a","group":"g"}\n{"text":"b"}\n', "jsonl", /line 2: no 'group'/],
    [
      "count.csv",
      "text,group\na,g\nb,g,extra\n",
      "csv",
      /row 2 \(line 3\): 3 fields, but the header has 2/,
    ],
    [
      "header.csv",
      "body,queue\na,g\n",
      "csv",
      /line 1: the header has no column 'text' .* 'body', 'queue'/,
    ],
    [
      "latin1.jsonl",
      Buffer.from('{"text":"caf\xe9"}\n', "latin1"),
      "jsonl",
      /line 1: invalid UTF-8/,
    ],
  ];
  for (const [name, body, , want] of cases) {
    it(name, () => {
      writeFileSync(join(dir, name), body);
      const out = join(dir, `${name}.assign.csv`);
      const r = cli(["--input", name, ...TFIDF, "--k", "2", "--assignments", out]);
      const msg = expectOneLineError(r, 3);
      expect(msg).toMatch(/^newsgroup-cluster: error: /);
      expect(msg).toContain(name);
      expect(msg).toMatch(want);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("a 50 MB single line on stdin works (and does not hang)", () => {
    const big = `${JSON.stringify({ text: "lorem ipsum ".repeat(4_400_000) })}\n`;
    const small = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({ text: `alpha${i % 5} beta${i % 6} gamma${i % 4} lorem` }),
    );
    const r = cli(
      ["--input", "-", ...TFIDF, "--k", "2", "--top-terms", "0"],
      `${big}${small.join("\n")}\n`,
    );
    expect(big.length).toBeGreaterThan(50_000_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ +total │ +31 │/);
  }, 120_000);
});

describe("--embeddings", () => {
  it("--save-embeddings then --embeddings prints the same bytes", () => {
    const save = cli([
      ...SYN(),
      ...TFIDF,
      "--k",
      "3",
      "--silhouette",
      "--save-embeddings",
      "v.npy",
    ]);
    expect(save.code, save.stderr).toBe(0);
    const again = cli([
      ...SYN(),
      "--quiet",
      "--n-init",
      "3",
      "--k",
      "3",
      "--silhouette",
      "--embeddings",
      "v.npy",
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(save.stdout);
  }, 120_000);

  it("refuses a row count that is not the number of posts, and embedder options", () => {
    const msg = expectOneLineError(
      cli([...SYN(), "--categories", "sci.space", "--quiet", "--k", "2", "--embeddings", "v.npy"]),
      3,
    );
    expect(msg).toMatch(/v\.npy: 114 rows, but there are 38 posts/);
    const clash = cli([...SYN(), "--embeddings", "v.npy", "--embedder", "tfidf"]);
    expect(expectOneLineError(clash, 2)).toContain("--embedder cannot be used with --embeddings");
    writeFileSync(join(dir, "bad.npy"), "not numpy");
    expect(expectOneLineError(cli([...SYN(), "--embeddings", "bad.npy", "--quiet"]), 3)).toMatch(
      /bad\.npy: not a \.npy file/,
    );
  }, 60_000);
});

describe("--k sweep", () => {
  it("prints one row per k whose silhouette, inertia and ARI equal the single-k runs'", () => {
    const sweep = cli([...SYN(), ...TFIDF, "--k", "2..4", "--format", "json"]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const doc = JSON.parse(sweep.stdout);
    expect(doc.sweep.rows.map((r: { k: number }) => r.k)).toEqual([2, 3, 4]);
    expect(doc.sweep.silhouetteSample).toBeUndefined();
    const best = Math.max(...doc.sweep.rows.map((r: { silhouette: number }) => r.silhouette));
    for (const row of doc.sweep.rows) {
      const one = JSON.parse(
        cli([...SYN(), ...TFIDF, "--k", String(row.k), "--silhouette", "--format", "json"]).stdout,
      );
      expect(row.silhouette).toBe(one.metrics.silhouette);
      expect(row.inertia).toBe(one.metrics.inertia);
      expect(row.ari).toBe(one.metrics.ari);
      expect(row.nmi).toBe(one.metrics.nmi);
      expect(row.v_measure).toBe(one.metrics.v_measure);
      expect(row.suggested).toBe(row.silhouette === best);
    }
    expect(doc.sweep.suggested).toBe(
      doc.sweep.rows.find((r: { suggested: boolean }) => r.suggested).k,
    );

    const csv = cli([...SYN(), ...TFIDF, "--k", "4,2", "--format", "csv", "--report", "k.html"]);
    expect(csv.code, csv.stderr).toBe(0);
    const page = readFileSync(join(dir, "k.html"), "utf8");
    expect(page).toContain('<section id="sweep"');
    expect(page).toMatch(/Suggested: k = [24]/);
    expect(page).toContain('<section id="table"');
    const lines = csv.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("k,inertia,silhouette,ari,nmi,v_measure,suggested");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["2", "4"]);
    const loud = cli([
      ...SYN(),
      "--embedder",
      "tfidf",
      "--n-init",
      "1",
      "--k",
      "2..3",
      "--format",
      "csv",
    ]);
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stderr).toContain("k-means k=2 done (1/2)");
    expect(loud.stderr).toContain("k-means k=3 done (2/2)");
    expect(loud.stdout.split("\n")[0]).toBe("k,inertia,silhouette,ari,nmi,v_measure,suggested");
    const gate = cli([...SYN(), ...TFIDF, "--k", "2..3", "--min-nmi", "0.5"]);
    expect(expectOneLineError(gate, 2)).toContain("--min-nmi gate one k, not a sweep");
  }, 180_000);
});
