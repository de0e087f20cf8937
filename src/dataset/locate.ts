/**
 * Finds the corpus archive, or downloads it into the cache. The only dataset module that touches
 * the file system or the network.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { CliError, dataError, networkError } from "../errors.js";

/** Where scikit-learn's `fetch_20newsgroups` downloads the corpus, and its sha256. */
export const OFFICIAL_URL = "https://ndownloader.figshare.com/files/5975967";
export const OFFICIAL_SHA256 = "8f1b2514ca22a5ade8fbb9cfa5727df95fa587f4c87b786e15c759fa66d95610";
export const ARCHIVE_NAME = "20news-bydate.tar.gz";

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
  /** Abort a download that receives nothing for this long. */
  timeoutMs: number;
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
}

async function isFile(path: string, from: string): Promise<boolean> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw dataError(`${from} ${path} is a directory, not the corpus archive`);
    return s.isFile();
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
  deps.log?.(`downloading the corpus from ${opts.url} into ${opts.cacheDir}`);
  await downloadVerified(opts.url, cached, opts.sha256, opts.timeoutMs, deps);
  return { path: cached, origin: "download" };
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
  const dir = join(dest, "..");
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw dataError(`cannot create cache directory ${dir}: ${(err as Error).message}`, err);
  }
  const tmp = `${dest}.${process.pid}.${randomBytes(4).toString("hex")}.part`;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error("timeout")), timeoutMs);
  };
  try {
    arm();
    let res: Response;
    try {
      res = await deps.fetch(url, { signal: controller.signal, redirect: "follow" });
    } catch (err) {
      throw networkError(`cannot download ${url}: ${describeFetchError(err, timeoutMs)}`, err);
    }
    if (!res.ok || res.body === null) {
      throw networkError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
    }
    const total = Number(res.headers.get("content-length")) || undefined;
    const hash = createHash("sha256");
    const out = createWriteStream(tmp, { flags: "wx" });
    let received = 0;
    try {
      const reader = res.body.getReader();
      for (;;) {
        arm();
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
        received += value.byteLength;
        deps.onDownload?.(received, total);
        if (!out.write(value)) await new Promise<void>((r) => out.once("drain", () => r()));
      }
    } catch (err) {
      throw networkError(
        `download of ${url} broke off after ${received} bytes: ${describeFetchError(err, timeoutMs)}`,
        err,
      );
    } finally {
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
    }
    if (total !== undefined && received !== total) {
      throw networkError(`download of ${url} broke off: got ${received} of ${total} bytes`);
    }
    const got = hash.digest("hex");
    if (got !== sha256) {
      throw networkError(`checksum mismatch for ${url}: sha256 ${got}, expected ${sha256}`);
    }
    await rename(tmp, dest);
  } finally {
    clearTimeout(timer);
    await rm(tmp, { force: true });
  }
}

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
