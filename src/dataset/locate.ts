/**
 * Finds the corpus archive, or downloads it into the cache. The only dataset module that touches
 * the file system or the network.
 */
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, mkdtemp, open, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mkdirs, registerTemp } from "../atomic.js";
import { CORPUS_MANIFEST } from "../data.js";
import { CliError, dataError, networkError, usageError } from "../errors.js";

/** Where scikit-learn's `fetch_20newsgroups` downloads the corpus, and its sha256 (data/corpus.json). */
export const OFFICIAL_URL = CORPUS_MANIFEST.url;
export const OFFICIAL_SHA256 = CORPUS_MANIFEST.sha256;
export const ARCHIVE_NAME = `${CORPUS_MANIFEST.name}.tar.gz`;

export interface DataSourceOptions {
  /** `--data`, then NEWSGROUP_CLUSTER_DATA: an explicit archive path. */
  explicitPath?: string | undefined;
  /** Where the explicit path came from, for messages (e.g. "--data"). */
  explicitFrom?: string | undefined;
  /** The tool's cache directory. */
  cacheDir: string;
  offline: boolean;
  url: string;
  sha256: string;
  /**
   * Abort a download that receives nothing for this long; a function is called only when a
   * download happens (so a bad setting does not fail runs that download nothing).
   */
  timeoutMs: number | (() => number);
}

export interface LocateDeps {
  fetch: typeof globalThis.fetch;
  /** Progress of a download: bytes received, total bytes when known. */
  onDownload?: (received: number, total: number | undefined) => void;
  /** A line for stderr. */
  log?: (line: string) => void;
}

/** Where the archive was found. */
export interface LocatedArchive {
  path: string;
  origin: "explicit" | "cache" | "download";
  /** A folder to delete once the archive is read: the cache directory was unusable. */
  temporary?: string;
}

async function isFile(path: string, from: string): Promise<boolean> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw dataError(`${from} ${path} is a directory, not the corpus archive`);
    // A FIFO, `<(cat archive)` or /dev/stdin is read like a file.
    return s.isFile() || s.isFIFO() || s.isCharacterDevice() || s.isSocket();
  } catch (err) {
    if (err instanceof CliError) throw err;
    return false;
  }
}

/**
 * Resolves the archive: explicit path, cached copy, else download (unless offline).
 * @throws CliError(data) for a missing explicit file or an offline miss, CliError(network) when
 * the download fails.
 */
export async function locateArchive(
  opts: DataSourceOptions,
  deps: LocateDeps,
): Promise<LocatedArchive> {
  if (opts.explicitPath !== undefined) {
    const from = opts.explicitFrom ?? "--data";
    if (!(await isFile(opts.explicitPath, from))) {
      throw dataError(`${from} ${opts.explicitPath} does not exist`);
    }
    return { path: opts.explicitPath, origin: "explicit" };
  }
  const cached = join(opts.cacheDir, ARCHIVE_NAME);
  if (await isFile(cached, "cached archive")) return { path: cached, origin: "cache" };
  if (opts.offline) {
    throw dataError(
      `the corpus is not in the cache (${cached}) and --offline forbids downloading it; pass --data <20news-bydate.tar.gz> or set NEWSGROUP_CLUSTER_DATA`,
    );
  }
  const timeoutMs = typeof opts.timeoutMs === "function" ? opts.timeoutMs() : opts.timeoutMs;
  let dest = cached;
  let temporary: string | undefined;
  try {
    await mkdirs(opts.cacheDir);
  } catch (err) {
    // As for the embedding cache: an unusable cache directory is a warning, not a failure.
    temporary = await mkdtemp(join(tmpdir(), "newsgroup-cluster-"));
    dest = join(temporary, ARCHIVE_NAME);
    deps.log?.(
      `cannot use the cache directory ${opts.cacheDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); continuing without it`,
    );
  }
  deps.log?.(`downloading the corpus from ${opts.url} into ${dirname(dest)}`);
  const unregister = temporary === undefined ? () => {} : registerTemp(temporary);
  try {
    await downloadVerified(opts.url, dest, opts.sha256.toLowerCase(), timeoutMs, deps);
  } catch (err) {
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
    unregister();
    throw err;
  }
  return temporary === undefined
    ? { path: dest, origin: "download" }
    : { path: dest, origin: "download", temporary };
}

/**
 * Downloads `url` to `dest` through a temp file in the same folder, renaming only after the
 * sha256 matches, so that an interrupted or corrupt download never lands at `dest`.
 */
export async function downloadVerified(
  url: string,
  dest: string,
  sha256: string,
  timeoutMs: number,
  deps: LocateDeps,
): Promise<void> {
  if (!(timeoutMs > 0)) {
    // NaN (a non-numeric NEWSGROUP_CLUSTER_TIMEOUT_MS), 0 or negative: every download would
    // "time out" after 1 ms, since setTimeout treats these as 1.
    throw usageError(
      `the download timeout (NEWSGROUP_CLUSTER_TIMEOUT_MS) must be a positive number of milliseconds, got ${timeoutMs}`,
    );
  }
  // setTimeout fires after 1 ms for delays past 2^31 - 1 (with a warning on stderr).
  const delay = Math.min(timeoutMs, MAX_TIMER_MS);
  const dir = join(dest, "..");
  try {
    await mkdirs(dir);
  } catch (err) {
    throw dataError(`cannot create cache directory ${dir}: ${(err as Error).message}`, err);
  }
  const tmp = `${dest}.${process.pid}.${randomBytes(4).toString("hex")}.part`;
  const unregister = registerTemp(tmp);
  const watchdog = new Watchdog(delay);
  try {
    watchdog.arm();
    const res = await fetchArchive(url, timeoutMs, deps, watchdog.signal);
    const got = await streamAndHash(res, tmp, dir, url, timeoutMs, deps, watchdog);
    verifyDownload(url, res, got, sha256);
    await rename(tmp, dest);
  } finally {
    watchdog.stop();
    // Best effort: an error here (e.g. the temp name was too long to create) must not replace
    // the error that explains the failure.
    await rm(tmp, { force: true }).catch(() => {});
    unregister();
  }
}

/** Aborts its signal when `arm()` is not called again within the delay (no data: timeout). */
class Watchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly delay: number) {}
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(new Error("timeout")), this.delay);
  }
  stop(): void {
    clearTimeout(this.timer);
  }
}

/** The response to GET `url`, checked to be a 2xx with a body. */
async function fetchArchive(
  url: string,
  timeoutMs: number,
  deps: LocateDeps,
  signal: AbortSignal,
): Promise<Response & { body: ReadableStream<Uint8Array> }> {
  let res: Response;
  try {
    res = await deps.fetch(url, {
      signal,
      redirect: "follow",
      // The sha256 is of the archive's own bytes: ask for them as they are.
      headers: { "accept-encoding": "identity" },
    });
  } catch (err) {
    // No connection at all: say how to run without the download host.
    throw networkError(
      `cannot download ${url}: ${describeFetchError(err, timeoutMs)} (offline? pass --data <20news-bydate.tar.gz> or set NEWSGROUP_CLUSTER_DATA)`,
      err,
    );
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel().catch(() => {});
    throw networkError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  }
  return res as Response & { body: ReadableStream<Uint8Array> };
}

/**
 * The Content-Encoding a server applied, or null. A server that labels the .tar.gz
 * `Content-Encoding: gzip` (a common static-file setup) has fetch decompress it in transit:
 * Content-Length then counts the encoded bytes, not what arrives, and only the checksum can
 * judge the result.
 */
function transitEncoding(res: Response): string | null {
  const encoding = res.headers.get("content-encoding");
  return encoding !== null && encoding.trim().toLowerCase() !== "identity" ? encoding : null;
}

/**
 * Streams the body into a new file `tmp`, hashing it on the way, and checks the length against
 * Content-Length when the bytes were not decoded in transit.
 * @returns the sha256 of the bytes received, lowercase hex.
 */
async function streamAndHash(
  res: Response & { body: ReadableStream<Uint8Array> },
  tmp: string,
  dir: string,
  url: string,
  timeoutMs: number,
  deps: LocateDeps,
  watchdog: Watchdog,
): Promise<string> {
  const total =
    transitEncoding(res) !== null
      ? undefined
      : Number(res.headers.get("content-length")) || undefined;
  const hash = createHash("sha256");
  // A file handle, not a write stream: a stream that cannot open (unwritable or read-only
  // cache, name too long) or write (disk full) emits an 'error' event nobody awaits, which
  // crashed the process (or left the loop waiting for a 'drain' that never came).
  let out: FileHandle;
  try {
    out = await open(tmp, "wx");
  } catch (err) {
    await res.body.cancel().catch(() => {});
    throw dataError(`cannot write the download into ${dir}: ${(err as Error).message}`, err);
  }
  let received = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      watchdog.arm();
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw networkError(
          `download of ${url} broke off after ${received} bytes: ${describeFetchError(err, timeoutMs)}`,
          err,
        );
      }
      watchdog.stop();
      if (chunk.done) break;
      const value = chunk.value;
      hash.update(value);
      received += value.byteLength;
      deps.onDownload?.(received, total);
      try {
        for (let at = 0; at < value.byteLength; ) {
          const { bytesWritten } = await out.write(value, at);
          if (bytesWritten <= 0) throw new Error("the file system accepted no bytes");
          at += bytesWritten;
        }
      } catch (err) {
        await reader.cancel().catch(() => {});
        throw dataError(`cannot write the download into ${dir}: ${(err as Error).message}`, err);
      }
    }
  } catch (err) {
    await out.close().catch(() => {});
    throw err;
  }
  try {
    await out.close();
  } catch (err) {
    throw dataError(`cannot write the download into ${dir}: ${(err as Error).message}`, err);
  }
  if (total !== undefined && received !== total) {
    throw networkError(`download of ${url} broke off: got ${received} of ${total} bytes`);
  }
  return hash.digest("hex");
}

/** @throws CliError(network) when the downloaded bytes' sha256 `got` is not `sha256`. */
function verifyDownload(url: string, res: Response, got: string, sha256: string): void {
  if (got === sha256) return;
  const encoding = transitEncoding(res);
  const why =
    encoding !== null
      ? `; the server sent Content-Encoding: ${encoding}, so the archive was decompressed in transit (serve it without Content-Encoding)`
      : "";
  throw networkError(`checksum mismatch for ${url}: sha256 ${got}, expected ${sha256}${why}`);
}

/** The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (
      err.name === "AbortError" ||
      err.message === "timeout" ||
      String(err.cause) === "Error: timeout"
    ) {
      return `no data for ${timeoutMs} ms (timeout)`;
    }
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}
