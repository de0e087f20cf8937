/**
 * Test helpers for the reliability suite: a local HTTP server on 127.0.0.1 (port 0, so never a
 * fixed port and never another address) with scripted misbehaviour, and an asynchronous spawn of
 * the built CLI (spawnSync would block the event loop, and with it the server the CLI talks to).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join, relative } from "node:path";
import { CLI } from "../helpers.js";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  /** `http://127.0.0.1:<port>/20news-bydate.tar.gz` */
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** HTTP requests received so far. */
  readonly requests: number;
  /** performance.now() when the first request arrived, if one did. */
  readonly firstRequestAt: number | undefined;
  /** The headers of the last request. */
  readonly lastHeaders: IncomingHttpHeaders | undefined;
  /** Stops listening and destroys every open socket (a stalled response included). */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1, port 0, answering every request with `handler`. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let requests = 0;
  let firstRequestAt: number | undefined;
  let lastHeaders: IncomingHttpHeaders | undefined;
  const server: Server = createServer((req, res) => {
    requests++;
    firstRequestAt ??= performance.now();
    lastHeaders = req.headers;
    handler(req, res);
  });
  server.on("connection", (s) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/20news-bydate.tar.gz`,
    port,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    get firstRequestAt() {
      return firstRequestAt;
    },
    get lastHeaders() {
      return lastHeaders;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that was just opened and closed again: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const s = await startServer((_req, res) => res.end());
  const port = s.port;
  await s.close();
  return port;
}

/** Serves `body` with its Content-Length. */
export const serveBytes =
  (body: Uint8Array): Handler =>
  (_req, res) => {
    res.writeHead(200, {
      "content-type": "application/gzip",
      "content-length": String(body.byteLength),
    });
    res.end(body);
  };

/**
 * Sends `wire` labelled `Content-Encoding: gzip`, with its length: the client decodes it. With
 * `wire` = the .tar.gz itself this is a misconfigured static server; with `wire` = gzip(.tar.gz)
 * it is on-the-fly compression.
 */
export const serveGzipEncoded =
  (wire: Uint8Array): Handler =>
  (_req, res) => {
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-encoding": "gzip",
      "content-length": String(wire.byteLength),
    });
    res.end(wire);
  };

/** 404 Not Found with a small HTML body. */
export const notFound: Handler = (_req, res) => {
  res.writeHead(404, { "content-type": "text/html" });
  res.end("<h1>not here</h1>");
};

/**
 * Announces the full length, sends the first half of `body`, then destroys the socket.
 * `chunked` leaves out Content-Length, so only the broken connection tells.
 */
export const halfThenDestroy =
  (body: Uint8Array, chunked = false): Handler =>
  (_req, res) => {
    res.writeHead(
      200,
      chunked
        ? { "content-type": "application/gzip" }
        : { "content-type": "application/gzip", "content-length": String(body.byteLength) },
    );
    res.write(body.subarray(0, Math.floor(body.byteLength / 2)), () => {
      setTimeout(() => res.socket?.destroy(), 50);
    });
  };

/** Sends headers and `first` bytes of `body`, then nothing more until closed. */
export const stallAfter =
  (body: Uint8Array, first: number): Handler =>
  (_req, res) => {
    res.writeHead(200, {
      "content-type": "application/gzip",
      "content-length": String(body.byteLength),
    });
    if (first > 0) res.write(body.subarray(0, first));
  };

/** Accepts the request and never answers (not even headers). */
export const stallBeforeHeaders: Handler = () => {};

/** Every file under `dir`, relative, sorted; [] when `dir` does not exist. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
  /** performance.now() at exit. */
  endedAt: number;
}

export interface SpawnedCli {
  child: ChildProcess;
  /** stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited and its output is read. */
  done: Promise<CliRun>;
}

/**
 * Spawns `node dist/cli.js ...args` with a minimal environment (HOME and the cache pointing at
 * `cacheDir`) plus `env`. Killed with SIGKILL after `timeoutMs`, so a hang fails the test instead
 * of stalling the suite.
 */
export function spawnCli(
  args: string[],
  opts: { cacheDir: string; env?: Record<string, string>; timeoutMs?: number },
): SpawnedCli {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: opts.cacheDir,
      NEWSGROUP_CLUSTER_CACHE: opts.cacheDir,
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const endedAt = performance.now();
      resolve({ code, signal, stdout, stderr, ms: endedAt - started, endedAt });
    });
  });
  return { child, stderr: () => stderr, done };
}

/** Runs the CLI to completion (see `spawnCli`). */
export function runCli(
  args: string[],
  opts: { cacheDir: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliRun> {
  return spawnCli(args, opts).done;
}

/** The lines of a stderr text, without the final newline. */
export const lines = (s: string): string[] => (s === "" ? [] : s.replace(/\n$/, "").split("\n"));

/** The stage lines a run prints on stderr when it is not a terminal (issue 10). */
export const STAGE_LINE =
  /^newsgroup-cluster: ((corpus|model|embedding|k-means|wrote): |\d+ of \d+ posts are empty)/;

/** stderr's non-blank lines without the stage lines: the notes, warnings and errors. */
export const said = (s: string): string[] =>
  lines(s).filter((l) => l !== "" && !STAGE_LINE.test(l));
