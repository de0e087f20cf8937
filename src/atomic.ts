/**
 * Writing outputs safely: the one place that knows the temp-file-then-rename dance, so that no
 * output (cache, exports, reports) is ever seen half-written, and that knows when not to do it
 * (devices, FIFOs, descriptors and links are written through, never replaced). Every temp file in
 * flight is registered, so that an interrupt can remove it synchronously before the process exits.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { lstat, mkdir, open, readlink, realpath, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/** Temp files being written right now; see `removeTempFilesSync`. */
const inFlight = new Set<string>();

/**
 * Deletes every temp file a write in flight has created. Synchronous, for an exit path
 * (SIGINT) that does not wait for the event loop.
 */
export function removeTempFilesSync(): void {
  for (const tmp of inFlight) {
    try {
      rmSync(tmp, { force: true });
    } catch {}
  }
  inFlight.clear();
}

/**
 * Registers a temp file that some other writer (a download) creates, so that an interrupt
 * removes it too. @returns the function that unregisters it.
 */
export function registerTemp(path: string): () => void {
  inFlight.add(path);
  return () => {
    inFlight.delete(path);
  };
}

/** Longest prefix of the destination's name kept in a temp name (NAME_MAX is 255 bytes). */
const TEMP_PREFIX_BYTES = 120;

/** A temp name beside `path` that stays under NAME_MAX however long `path`'s own name is. */
function tempNameFor(path: string): string {
  let base = basename(path);
  while (Buffer.byteLength(base) > TEMP_PREFIX_BYTES) base = base.slice(0, -1);
  return join(dirname(path), `.${base}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** The error with the temp file's name replaced by the destination the user gave. */
function renamed(err: unknown, tmp: string, path: string): unknown {
  if (err instanceof Error && err.message.includes(tmp)) {
    err.message = err.message.split(tmp).join(path);
  }
  return err;
}

/**
 * Writes `data` to `path` through a temp file in the same directory, fsynced, then renamed over
 * `path`, so that readers see the old file or the whole new one, never a part. The temp file is
 * removed when anything fails.
 * @throws the file system's error (EACCES, ENOSPC, ENOTDIR...), naming `path`, not the temp file.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempNameFor(path);
  let done = false;
  inFlight.add(tmp);
  try {
    const fh = await open(tmp, "wx");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    done = true;
  } catch (err) {
    throw renamed(err, tmp, path);
  } finally {
    if (!done) await rm(tmp, { force: true }).catch(() => {});
    inFlight.delete(tmp);
  }
}

/**
 * Where an output really goes: symlinks followed to their final target (which may not exist
 * yet), and whether that is a regular file (or nothing yet) that may be replaced atomically.
 * Paths under /dev and /proc (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`) are never resolved:
 * their links name descriptors of this process.
 */
export async function outputTarget(path: string): Promise<{ path: string; regular: boolean }> {
  const abs = resolve(path);
  if (/^\/(dev|proc)\//.test(abs)) return { path: abs, regular: false };
  let target = abs;
  for (let hops = 0; hops < 40; hops++) {
    let s: Awaited<ReturnType<typeof lstat>>;
    try {
      s = await lstat(target);
    } catch {
      // Nothing there yet (or a dangling link's target): a new regular file, beside its real
      // folder.
      const dir = await realpath(dirname(target)).catch(() => dirname(target));
      return { path: join(dir, basename(target)), regular: true };
    }
    if (!s.isSymbolicLink()) {
      const real = await realpath(target).catch(() => target);
      const st = await stat(real).catch(() => s);
      return { path: real, regular: st.isFile() };
    }
    target = resolve(dirname(target), await readlink(target));
  }
  return { path: abs, regular: true };
}

/**
 * Writes an output file the safe way for what it is: a regular file (or a link to one) is
 * replaced atomically (a link keeps pointing at its target, which gets the new content); a device,
 * FIFO or descriptor is opened and written directly, to the last byte.
 * @throws the file system's error, naming `path`.
 */
export async function writeOutputFile(path: string, data: Uint8Array | string): Promise<void> {
  const target = await outputTarget(path);
  if (target.regular) {
    await writeFileAtomic(target.path, data);
    return;
  }
  const fh = await open(target.path, "w");
  try {
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir loops forever on some file systems
 * (procfs answers ENOENT for a folder it will never create).
 * @throws the file system's error for the first level that cannot be made.
 */
export async function mkdirs(dir: string): Promise<void> {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    try {
      const s = await stat(d);
      if (!s.isDirectory()) {
        const err = new Error(`ENOTDIR: not a directory, mkdir '${dir}'`) as NodeJS.ErrnoException;
        err.code = "ENOTDIR";
        throw err;
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      missing.push(d);
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  for (const m of missing.reverse()) {
    try {
      await mkdir(m);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}
