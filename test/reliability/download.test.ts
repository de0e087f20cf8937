/**
 * The corpus download against a local server that misbehaves on purpose: refused connections,
 * HTTP errors, bodies cut short, stalls, wrong bytes. In every failure nothing may be left in the
 * cache (neither the archive nor a `.part` file); a good download lands there with the right
 * sha256 and later runs (even --offline) use it. Only 127.0.0.1 is ever contacted.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARCHIVE_NAME, downloadVerified, locateArchive } from "../../src/dataset/locate.js";
import { CliError } from "../../src/errors.js";
import { CLI } from "../helpers.js";
import { FIXTURE_COUNTS } from "../support/corpus.js";
import { fixtures } from "../support/fixtures.js";
import {
  closedPort,
  type Handler,
  halfThenDestroy,
  lines,
  listTree,
  notFound,
  runCli,
  serveBytes,
  serveGzipEncoded,
  stallAfter,
  stallBeforeHeaders,
  startServer,
  type TestServer,
} from "./server.js";

/** The synthetic corpus archive of test/support, served as the download. */
const archive = readFileSync(fixtures().archive);
const SHA = createHash("sha256").update(archive).digest("hex");
const HALF = Math.floor(archive.length / 2);
const WRONG_SHA = "0".repeat(64);
const CORPUS = ["corpus", "--categories", "sci.space", "--subset", "test"];
/** The stall timeout in process (the spawned CLI uses 500 ms, as a user would set it). */
const IN_PROCESS_TIMEOUT = 250;

const temps: string[] = [];
const servers: TestServer[] = [];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** The files of `dir` outside the cleaned corpus cache (`corpus/`, written by every good run). */
const outsideCorpusCache = (dir: string) => listTree(dir).filter((f) => !f.startsWith("corpus/"));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "ngc-dl-"));
  temps.push(d);
  return d;
}

async function serve(handler: Handler): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

/** Asserts a CliError of `kind` whose message matches `pattern`. */
async function rejectsWith(p: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  expect((err as CliError).kind).toBe(kind);
  expect((err as CliError).message).toMatch(pattern);
  expect((err as CliError).message).not.toContain("\n");
}

/** The URL of a case's server, or of a port that refuses connections. */
async function urlOf(server: TestServer | undefined): Promise<string> {
  return server?.url ?? `http://127.0.0.1:${await closedPort()}/20news-bydate.tar.gz`;
}

/** The failure cases, shared by the direct and the spawned tests. */
interface Case {
  name: string;
  /** The server (undefined for a refused connection). */
  server: () => Promise<TestServer | undefined>;
  sha?: string;
  timeoutMs?: number;
  message: RegExp;
}

const CASES: Case[] = [
  {
    name: "connection refused",
    server: async () => undefined,
    message:
      /cannot download http:\/\/127\.0\.0\.1:\d+\/20news-bydate\.tar\.gz: .*ECONNREFUSED.*\(offline\? pass --data <20news-bydate\.tar\.gz> or set NEWSGROUP_CLUSTER_DATA\)$/,
  },
  {
    name: "HTTP 404",
    server: () => serve(notFound),
    message: /cannot download .*: HTTP 404 Not Found$/,
  },
  {
    name: "half the body, then a destroyed socket (Content-Length set)",
    server: () => serve(halfThenDestroy(archive)),
    message: /download of .* broke off/,
  },
  {
    name: "half the body, then a destroyed socket (chunked)",
    server: () => serve(halfThenDestroy(archive, true)),
    message: /download of .* broke off/,
  },
  {
    name: "a server that never answers",
    server: () => serve(stallBeforeHeaders),
    timeoutMs: 500,
    message: /no data for 500 ms \(timeout\)/,
  },
  {
    name: "a server that stalls mid-body",
    server: () => serve(stallAfter(archive, HALF)),
    timeoutMs: 500,
    message: new RegExp(`broke off after ${HALF} bytes: no data for 500 ms \\(timeout\\)`),
  },
  {
    name: "the wrong bytes (checksum)",
    server: () => serve(serveBytes(archive)),
    sha: WRONG_SHA,
    message: new RegExp(`checksum mismatch for .*: sha256 ${SHA}, expected ${WRONG_SHA}`),
  },
  {
    name: "the archive labelled Content-Encoding: gzip (decoded in transit)",
    server: () => serve(serveGzipEncoded(archive)),
    message:
      /checksum mismatch for .*; the server sent Content-Encoding: gzip, so the archive was decompressed in transit \(serve it without Content-Encoding\)$/,
  },
  {
    name: "a short but complete body (checksum)",
    server: () => serve(serveBytes(archive.subarray(0, 1000))),
    message: /checksum mismatch/,
  },
];

describe("downloadVerified / locateArchive (in process)", { timeout: 20_000 }, () => {
  it.each(CASES)("$name: CliError(network), nothing in the cache", async (c) => {
    const dir = tempDir();
    const dest = join(dir, ARCHIVE_NAME);
    const url = await urlOf(await c.server());
    const timeoutMs = c.timeoutMs !== undefined ? IN_PROCESS_TIMEOUT : 5_000;
    const message = new RegExp(c.message.source.replace(`${c.timeoutMs} ms`, `${timeoutMs} ms`));
    const t0 = performance.now();
    await rejectsWith(
      downloadVerified(url, dest, c.sha ?? SHA, timeoutMs, { fetch: globalThis.fetch }),
      "network",
      message,
    );
    expect(performance.now() - t0).toBeLessThan(4_000);
    expect(listTree(dir)).toEqual([]);
    // The same through locateArchive, into a cache folder that does not exist yet.
    const cache = join(tempDir(), "cache");
    await rejectsWith(
      locateArchive(
        {
          cacheDir: cache,
          offline: false,
          url,
          sha256: c.sha ?? SHA,
          timeoutMs: timeoutMs,
        },
        { fetch: globalThis.fetch },
      ),
      "network",
      message,
    );
    expect(listTree(cache)).toEqual([]);
  });

  it("a good server: the archive lands at dest, progress is reported, then the cache is used", async () => {
    const s = await serve(serveBytes(archive));
    const cache = join(tempDir(), "nested", "cache");
    const progress: number[] = [];
    const logs: string[] = [];
    const opts = { cacheDir: cache, offline: false, url: s.url, sha256: SHA, timeoutMs: 5_000 };
    const got = await locateArchive(opts, {
      fetch: globalThis.fetch,
      onDownload: (received, total) => {
        expect(total).toBe(archive.byteLength);
        progress.push(received);
      },
      log: (l) => logs.push(l),
    });
    expect(got).toEqual({ path: join(cache, ARCHIVE_NAME), origin: "download" });
    expect(listTree(cache)).toEqual([ARCHIVE_NAME]);
    expect(createHash("sha256").update(readFileSync(got.path)).digest("hex")).toBe(SHA);
    expect(progress.at(-1)).toBe(archive.byteLength);
    expect(logs).toEqual([`downloading the corpus from ${s.url} into ${cache}`]);
    const before = s.connections;
    const again = await locateArchive({ ...opts, offline: true }, { fetch: globalThis.fetch });
    expect(again).toEqual({ path: join(cache, ARCHIVE_NAME), origin: "cache" });
    expect(s.connections).toBe(before);
  });

  it("asks for the bytes as they are, and accepts on-the-fly compression", async () => {
    const s = await serve(serveGzipEncoded(gzipSync(archive, { level: 1 })));
    const dir = tempDir();
    await downloadVerified(s.url, join(dir, ARCHIVE_NAME), SHA, 5_000, { fetch: globalThis.fetch });
    expect(s.lastHeaders?.["accept-encoding"]).toBe("identity");
    expect(listTree(dir)).toEqual([ARCHIVE_NAME]);
    expect(
      createHash("sha256")
        .update(readFileSync(join(dir, ARCHIVE_NAME)))
        .digest("hex"),
    ).toBe(SHA);
  });

  it("offline with an empty cache: CliError(data) with the hint, and fetch is never called", async () => {
    const cache = tempDir();
    let calls = 0;
    const fetch = (() => {
      calls++;
      throw new Error("fetch must not be called");
    }) as unknown as typeof globalThis.fetch;
    await rejectsWith(
      locateArchive(
        {
          cacheDir: cache,
          offline: true,
          url: "http://127.0.0.1:9/x",
          sha256: SHA,
          timeoutMs: 500,
        },
        { fetch },
      ),
      "data",
      /--offline forbids downloading it; pass --data <20news-bydate\.tar\.gz> or set NEWSGROUP_CLUSTER_DATA/,
    );
    expect(calls).toBe(0);
    expect(listTree(cache)).toEqual([]);
  });

  it("a dest whose temp file cannot be created: CliError(data), not an unhandled stream error", async () => {
    // A 250-character file name: the `.<pid>.<hex>.part` temp name beside it exceeds NAME_MAX.
    // (This used to emit an 'error' event on an unawaited write stream: an uncaught exception.)
    const s = await serve(serveBytes(archive));
    const dir = tempDir();
    const dest = join(dir, "a".repeat(250));
    await rejectsWith(
      downloadVerified(s.url, dest, SHA, 5_000, { fetch: globalThis.fetch }),
      "data",
      /^cannot write the download into .*ENAMETOOLONG/,
    );
    expect(listTree(dir)).toEqual([]);
  });

  it.each([Number.NaN, 0, -5])("timeout %d ms: CliError(usage), nothing fetched", async (ms) => {
    const dir = tempDir();
    let calls = 0;
    const fetch = (() => {
      calls++;
      throw new Error("fetch must not be called");
    }) as unknown as typeof globalThis.fetch;
    await rejectsWith(
      downloadVerified("http://127.0.0.1:9/x", join(dir, "x"), SHA, ms, { fetch }),
      "usage",
      /NEWSGROUP_CLUSTER_TIMEOUT_MS\) must be a positive number of milliseconds, got/,
    );
    expect(calls).toBe(0);
    expect(listTree(dir)).toEqual([]);
  });

  it("a timeout past setTimeout's limit (2^31 ms) does not fire at once", async () => {
    const s = await serve(serveBytes(archive));
    const dir = tempDir();
    await downloadVerified(s.url, join(dir, ARCHIVE_NAME), SHA, 3_000_000_000, {
      fetch: globalThis.fetch,
    });
    expect(listTree(dir)).toEqual([ARCHIVE_NAME]);
  });
});

describe("the CLI's download (spawned, NEWSGROUP_CLUSTER_DATA_URL on 127.0.0.1)", {
  timeout: 30_000,
}, () => {
  // Independent processes, servers and folders: run side by side to save wall time.
  it.concurrent.for(CASES)(
    "$name: exit 5, one line, empty stdout, empty cache",
    async (c, { expect }) => {
      const cache = tempDir();
      const server = await c.server();
      const url = await urlOf(server);
      const r = await runCli(CORPUS, {
        cacheDir: cache,
        env: {
          NEWSGROUP_CLUSTER_DATA_URL: url,
          NEWSGROUP_CLUSTER_DATA_SHA256: c.sha ?? SHA,
          NEWSGROUP_CLUSTER_TIMEOUT_MS: String(c.timeoutMs ?? 5_000),
        },
        timeoutMs: 15_000,
      });
      expect(r.stdout).toBe("");
      expect(r.code).toBe(5);
      const errs = lines(r.stderr).filter((l) => !l.includes("downloading the corpus from"));
      expect(errs).toHaveLength(1);
      expect(errs[0]).toMatch(/^newsgroup-cluster: error: /);
      expect(errs[0]).toMatch(c.message);
      expect(r.ms).toBeLessThan(8_000); // the default timeout would be 60 s
      if (c.timeoutMs !== undefined) {
        // Gave up soon after the request: the stall was detected, not waited out. (Only an upper
        // bound: this process may see the request late while it is busy with other cases.)
        const waited = r.endedAt - (server?.firstRequestAt as number);
        expect(waited).toBeLessThan(c.timeoutMs + 1_500);
      }
      expect(listTree(cache)).toEqual([]);
    },
  );

  it("after failures, a good server succeeds into the cache; then --offline uses it", async () => {
    const cache = tempDir();
    const env = (url: string) => ({
      NEWSGROUP_CLUSTER_DATA_URL: url,
      NEWSGROUP_CLUSTER_DATA_SHA256: SHA,
      NEWSGROUP_CLUSTER_TIMEOUT_MS: "2000",
    });
    const bad = await serve(halfThenDestroy(archive));
    const failed = await runCli(CORPUS, { cacheDir: cache, env: env(bad.url) });
    expect(failed.code).toBe(5);
    expect(listTree(cache)).toEqual([]);

    const good = await serve(serveBytes(archive));
    const ok = await runCli(CORPUS, { cacheDir: cache, env: env(good.url) });
    expect(ok.stderr).toBe(
      `newsgroup-cluster: downloading the corpus from ${good.url} into ${cache}\n`,
    );
    expect(ok.code).toBe(0);
    expect(good.requests).toBe(1);
    const posts = lines(ok.stdout).map((l) => JSON.parse(l));
    expect(posts).toHaveLength(FIXTURE_COUNTS["sci.space"]?.test ?? -1);
    expect(posts.every((p) => p.group === "sci.space" && p.split === "test")).toBe(true);
    // The archive, and beside it the cleaned corpus cache (src/dataset/corpus-cache.ts).
    expect(outsideCorpusCache(cache)).toEqual([ARCHIVE_NAME]);
    expect(listTree(join(cache, "corpus")).filter((f) => f.endsWith(".jsonl"))).toHaveLength(1);
    const landed = readFileSync(join(cache, ARCHIVE_NAME));
    expect(createHash("sha256").update(landed).digest("hex")).toBe(SHA);

    // Third run: offline, the URL pointing at the (still counting) server: no connection.
    const before = good.connections;
    const offline = await runCli([...CORPUS, "--offline"], { cacheDir: cache, env: env(good.url) });
    expect(offline.code).toBe(0);
    expect(offline.stderr).toBe("");
    expect(offline.stdout).toBe(ok.stdout);
    expect(good.connections).toBe(before);
    expect(outsideCorpusCache(cache)).toEqual([ARCHIVE_NAME]);
  });

  it("a cache folder that cannot hold files (/proc): exit 3, one line, no crash", async () => {
    if (!existsSync("/proc/self")) return; // Linux only
    const s = await serve(serveBytes(archive));
    const r = await runCli([...CORPUS, "--cache-dir", "/proc"], {
      cacheDir: tempDir(),
      env: { NEWSGROUP_CLUSTER_DATA_URL: s.url, NEWSGROUP_CLUSTER_DATA_SHA256: SHA },
    });
    expect(r.stdout).toBe("");
    expect(r.code).toBe(3);
    const errs = lines(r.stderr).filter((l) => !l.includes("downloading the corpus from"));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^newsgroup-cluster: error: cannot write the download into \/proc: /);
    expect(readdirSync("/proc").filter((f) => f.startsWith(ARCHIVE_NAME))).toEqual([]);
  });

  it.each([
    [
      "abc",
      2,
      /NEWSGROUP_CLUSTER_TIMEOUT_MS must be a positive integer of milliseconds, got 'abc'/,
    ],
    ["-5", 2, /NEWSGROUP_CLUSTER_TIMEOUT_MS must be a positive integer of milliseconds, got '-5'/],
    ["", 0, undefined],
    ["3000000000", 0, undefined],
  ])("NEWSGROUP_CLUSTER_TIMEOUT_MS=%s: exit %i", async (value, code, message) => {
    const cache = tempDir();
    const s = await serve(serveBytes(archive));
    const r = await runCli(CORPUS, {
      cacheDir: cache,
      env: {
        NEWSGROUP_CLUSTER_DATA_URL: s.url,
        NEWSGROUP_CLUSTER_DATA_SHA256: SHA,
        NEWSGROUP_CLUSTER_TIMEOUT_MS: value,
      },
    });
    expect(r.code).toBe(code);
    if (message === undefined) {
      expect(r.stderr).toBe(
        `newsgroup-cluster: downloading the corpus from ${s.url} into ${cache}\n`,
      );
      expect(outsideCorpusCache(cache)).toEqual([ARCHIVE_NAME]);
    } else {
      expect(r.stdout).toBe("");
      const errs = lines(r.stderr).filter((l) => !l.includes("downloading the corpus from"));
      expect(errs).toHaveLength(1);
      expect(errs[0]).toMatch(message);
      expect(s.connections).toBe(0);
      expect(listTree(cache)).toEqual([]);
    }
  });

  it("--offline with an empty cache opens no socket: exit 3 with the hint", async () => {
    const cache = tempDir();
    const s = await serve(serveBytes(archive));
    const r = await runCli([...CORPUS, "--offline"], {
      cacheDir: cache,
      env: { NEWSGROUP_CLUSTER_DATA_URL: s.url, NEWSGROUP_CLUSTER_DATA_SHA256: SHA },
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toEqual([
      `newsgroup-cluster: error: the corpus is not in the cache (${join(cache, ARCHIVE_NAME)}) and --offline forbids downloading it; pass --data <20news-bydate.tar.gz> or set NEWSGROUP_CLUSTER_DATA`,
    ]);
    expect(s.connections).toBe(0);
    expect(s.requests).toBe(0);
    expect(listTree(cache)).toEqual([]);
  });
});
