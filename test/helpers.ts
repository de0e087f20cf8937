/** Helpers shared by tests: synthetic archives and paths to ../shared. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, beforeAll } from "vitest";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** ../shared beside the checkout, or NEWSGROUP_CLUSTER_SHARED. */
export const SHARED = resolve(process.env.NEWSGROUP_CLUSTER_SHARED ?? join(ROOT, "..", "shared"));
export const SHARED_ARCHIVE = join(SHARED, "data", "20news-bydate.tar.gz");
export const SHARED_MODELS = join(SHARED, "models");
export const FIXTURE_POSTS = join(ROOT, "test", "fixtures", "posts");
export const CLI = join(ROOT, "dist", "cli.js");

/** Packs files ({path: bytes}) into a gzip-compressed tar, in the given order. */
export async function packTarGz(files: Record<string, Uint8Array | string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) {
    pack.entry(
      { name },
      typeof body === "string" ? Buffer.from(body, "latin1") : Buffer.from(body),
    );
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/** All files under a folder as {relative path: bytes}. */
export function readTree(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * The tests' deterministic pseudo-random stream (a 32-bit linear congruential generator,
 * glibc's constants): each call gives the next state, an unsigned 32-bit integer.
 */
export function lcgUint32(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s;
  };
}

/** Deterministic pseudo-random numbers in [0, 1): `lcgUint32`'s states / 2^32. */
export function lcg(seed: number): () => number {
  const next = lcgUint32(seed);
  return () => next() / 4294967296;
}

/**
 * Temporary folders for the calling test file, all removed after its last test; before its first,
 * a check that the CLI is built (the spawned-CLI tests run `dist/cli.js`).
 * @returns a function that makes one more folder named `<prefix>XXXXXX` in the system's temp dir.
 */
export function cliTempDirs(prefix: string): () => string {
  const made: string[] = [];
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  });
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}
