#!/usr/bin/env node
/**
 * k-means benchmark: this tool's `cluster` (dist/, so run `npm run build` first; `npm run
 * bench:kmeans` does) against scikit-learn's KMeans on the same vectors, in the same run, and
 * optionally against the previous pure-JS implementation (git history).
 *
 *   node scripts/bench/kmeans.mjs [--vectors a.npy,b.npy] [--k 20] [--n-init 10]
 *     [--repeats 3] [--previous <commit>] [--no-sklearn] [--data archive.tar.gz]
 *
 * Without --vectors it uses (1) the TF-IDF+LSA vectors of all 20 groups, made by the built CLI
 * (`--embedder tfidf --categories all --save-embeddings`; needs the archive: --data or
 * NEWSGROUP_CLUSTER_DATA or ../shared/data) and (2) 18,846 synthetic 384-d unit vectors around 20
 * centres. scikit-learn comes from scripts/crosscheck/sklearn_kmeans.py under /usr/bin/python3
 * (`apt-get install python3-sklearn`); Python is not a project dependency, so without it the
 * column is left empty. Repeats alternate tool and reference so that load from other processes
 * hits both; medians are reported, and ratios are of the medians. CPU seconds (all threads) are
 * printed beside wall seconds: on a shared machine they move less with other people's load.
 *
 * Two figures for the tool: `cluster()` called in this process (warm after the first repeat), and
 * the built CLI's own cluster stage (JSON `timings.cluster` of `--embeddings <vectors>
 * --categories all --k 20 --n-init 10 --no-cache`: a fresh process each time, so onnxruntime's
 * first runs and the JIT's warm-up are in it), which is what issue 11 compares. The CLI needs the
 * archive (for the posts the vectors belong to) and vectors of 18,846 rows.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { cluster } = await import(pathToFileURL(join(root, "dist/cluster/kmeans.js")));
const { mulberry32 } = await import(pathToFileURL(join(root, "dist/linalg/random.js")));
const { decodeNpy, encodeNpy } = await import(pathToFileURL(join(root, "dist/embed/npy.js")));

const { values: args } = parseArgs({
  options: {
    vectors: { type: "string" },
    k: { type: "string", default: "20" },
    "n-init": { type: "string", default: "10" },
    repeats: { type: "string", default: "3" },
    previous: { type: "string" },
    "no-sklearn": { type: "boolean", default: false },
    data: { type: "string" },
  },
});
const k = Number(args.k);
const nInit = Number(args["n-init"]);
const repeats = Number(args.repeats);
const opts = { k, seed: 42, nInit, maxIterations: 300 };
const dir = mkdtempSync(join(tmpdir(), "bench-kmeans-"));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const log = (s) => process.stderr.write(`${s}\n`);

/** Unit vectors scattered around `centres` random centres, like sentence embeddings. */
function synthetic(n, dims, centres) {
  const rand = mulberry32(1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const cs = Array.from({ length: centres }, () => Array.from({ length: dims }, gauss));
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < dims; t++) {
      const v = 0.6 * cs[i % centres][t] + gauss();
      data[i * dims + t] = v;
      s += v * v;
    }
    for (let t = 0; t < dims; t++) data[i * dims + t] /= Math.sqrt(s);
  }
  return { rows: n, dims, data };
}

const archive =
  args.data ??
  process.env.NEWSGROUP_CLUSTER_DATA ??
  join(root, "../shared/data/20news-bydate.tar.gz");

/** The built CLI's cluster stage (seconds) on `path`'s vectors, or undefined without the archive. */
function cliStage(path, rows) {
  if (!existsSync(archive) || rows !== 18846) return undefined;
  const out = execFileSync(
    process.execPath,
    [join(root, "dist/cli.js"), "--data", archive, "--embeddings", path, "--categories", "all"]
      .concat(["--k", String(k), "--n-init", String(nInit), "--seed", "42"])
      .concat(["--format", "json", "--quiet", "--no-cache"]),
    { stdio: ["ignore", "pipe", "inherit"], maxBuffer: 2 ** 28 },
  );
  return JSON.parse(out.toString()).timings.cluster;
}

function tfidfVectors() {
  if (!existsSync(archive)) {
    log(`no archive at ${archive}: skipping the TF-IDF vectors (give --data)`);
    return undefined;
  }
  const out = join(dir, "tfidf-all.npy");
  log("making TF-IDF+LSA vectors of all 20 groups with the built CLI ...");
  execFileSync(
    process.execPath,
    [join(root, "dist/cli.js"), "--data", archive, "--embedder", "tfidf", "--categories", "all"]
      .concat(["--k", "20", "--n-init", "1", "--format", "json", "--quiet"])
      .concat(["--cache-dir", join(dir, "cache"), "--save-embeddings", out]),
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  return { name: "TF-IDF+LSA, all 20 groups", path: out };
}

/** The previous implementation, from git, with its types stripped by TypeScript. */
async function previousCluster(commit) {
  const ts = (await import("typescript")).default;
  const src = execFileSync("git", ["show", `${commit}:src/cluster/kmeans.ts`], { cwd: root });
  const js = ts.transpileModule(src.toString(), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = join(dir, "previous-kmeans.mjs");
  writeFileSync(file, js);
  return (await import(pathToFileURL(file))).cluster;
}

function sklearn(path) {
  if (args["no-sklearn"]) return undefined;
  const r = spawnSync(
    "/usr/bin/python3",
    [join(root, "scripts/crosscheck/sklearn_kmeans.py"), path, "--k", String(k)].concat([
      "--n-init",
      String(nInit),
      "--repeats",
      "1",
    ]),
    { encoding: "utf8" },
  );
  if (r.status !== 0) {
    log(
      `scikit-learn unavailable (${(r.stderr || r.error?.message || "").trim().split("\n").pop()})`,
    );
    args["no-sklearn"] = true;
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

async function timeOurs(f, emb) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const c = await f(emb, opts);
  const cpu = process.cpuUsage(c0);
  return {
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    inertia: c.inertia,
  };
}

const sets = [];
if (args.vectors) {
  for (const p of args.vectors.split(",")) sets.push({ name: p, path: p });
} else {
  const t = tfidfVectors();
  if (t) sets.push(t);
  const path = join(dir, "synthetic-384.npy");
  writeFileSync(path, encodeNpy(synthetic(18846, 384, 20)));
  sets.push({ name: "synthetic unit vectors around 20 centres", path });
}
const previous = args.previous ? await previousCluster(args.previous) : undefined;

try {
  console.log(`k-means, k=${k}, n-init ${nInit}, median of ${repeats} (seconds; inertia)`);
  for (const set of sets) {
    const emb = decodeNpy(readFileSync(set.path));
    const ours = [];
    const stage = [];
    const ref = [];
    const prev = [];
    for (let r = 0; r < repeats; r++) {
      ours.push(await timeOurs(cluster, emb));
      const st = cliStage(set.path, emb.rows);
      if (st !== undefined) stage.push(st);
      const s = sklearn(set.path);
      if (s) ref.push(s);
      if (previous) prev.push(await timeOurs(async (e, o) => previous(e, o), emb));
    }
    const tOurs = median(ours.map((x) => x.seconds));
    const cOurs = median(ours.map((x) => x.cpuSeconds));
    let line = `${emb.rows} x ${emb.dims} (${set.name}): tool ${tOurs.toFixed(3)} s (cpu ${cOurs.toFixed(3)} s), inertia ${ours[0].inertia.toFixed(4)}`;
    if (ref.length > 0) {
      const tRef = median(ref.map((x) => x.seconds));
      const cRef = median(ref.map((x) => x.cpu_seconds));
      const bestRef = Math.min(...ref.map((x) => x.inertia));
      line += `; scikit-learn ${ref[0].sklearn} ${tRef.toFixed(3)} s (cpu ${cRef.toFixed(3)} s), best inertia ${bestRef.toFixed(4)}`;
      line += `; tool/sklearn wall ${(tOurs / tRef).toFixed(3)}, cpu ${(cOurs / cRef).toFixed(3)}, inertia ${(ours[0].inertia / bestRef).toFixed(5)}`;
      if (stage.length > 0) {
        const tStage = median(stage);
        line += `; CLI cluster stage ${tStage.toFixed(3)} s (${stage.map((x) => x.toFixed(2)).join(", ")}), stage/sklearn ${(tStage / tRef).toFixed(3)}`;
      }
    }
    if (prev.length > 0) {
      const tPrev = median(prev.map((x) => x.seconds));
      // (cpu of the previous implementation equals its wall time: one thread)
      line += `; previous (${args.previous}) ${tPrev.toFixed(3)} s, tool/previous ${(tOurs / tPrev).toFixed(3)}`;
    }
    console.log(line);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
