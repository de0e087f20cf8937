/**
 * Writing outputs safely: the one place that knows the temp-file-then-rename dance, so that no
 * output (cache, exports, reports) is ever seen half-written, and that knows when not to do it
 * (devices, FIFOs, descriptors and links are written through, never replaced). Every temp file in
 * flight is registered, so that an interrupt can remove it synchronously before the process exits.
 */
import { randomBytes } from "node:crypto";
import { fstatSync, rmSync, writeSync } from "node:fs";
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
      rmSync(tmp, { force: true, recursive: true });
    } catch {}
  }
  inFlight.clear();
}

/**
 * Registers a temp file or folder that some other writer (a download) creates, so that an interrupt
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

/** The descriptor a path names, for `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N` and the like. */
function descriptorOf(abs: string): number | undefined {
  const std = ["/dev/stdin", "/dev/stdout", "/dev/stderr"].indexOf(abs);
  if (std >= 0) return std;
  const m =
    /^\/dev\/fd\/(\d+)$/.exec(abs) ?? /^\/proc\/(?:self|thread-self|(\d+))\/fd\/(\d+)$/.exec(abs);
  if (m === null) return undefined;
  if (m.length === 2) return Number(m[1]);
  if (m[1] !== undefined && Number(m[1]) !== process.pid) return undefined;
  return Number(m[2]);
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Writes all of `buf` to a descriptor with checked writes: a short write continues, a full
 * non-blocking pipe (EAGAIN) is waited for.
 * @throws the file system's error (ENOSPC, EFBIG, EPIPE...).
 */
export function writeAllSync(fd: number, buf: Uint8Array): void {
  for (let at = 0; at < buf.length; ) {
    let n: number;
    try {
      n = writeSync(fd, buf, at, buf.length - at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      sleepSync(2);
      continue;
    }
    if (n <= 0) throw Object.assign(new Error("ENOSPC: no bytes written"), { code: "ENOSPC" });
    at += n;
  }
}

/**
 * Writes to stdout and resolves once every byte is written. A file or device on stdout gets
 * checked writes in a loop (Node's own stream ignores short writes: a nearly full disk or
 * `ulimit -f` cut the output silently); a pipe or terminal goes through the stream, whose callback
 * reports errors.
 * @throws the file system's error.
 */
export function writeStdout(data: Uint8Array | string): Promise<void> {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let direct = false;
  try {
    const s = fstatSync(1);
    direct = s.isFile() || (s.isCharacterDevice() && process.stdout.isTTY !== true);
  } catch {}
  if (direct) {
    try {
      writeAllSync(1, buf);
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    process.stdout.write(buf, (err) => (err ? reject(err) : resolve()));
  });
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
  // A descriptor of this process is written as it stands (opening /dev/fd/1 anew would truncate
  // a file on stdout and write over it from the start).
  const fd = descriptorOf(target.path);
  if (fd === 1) return writeStdout(data);
  if (fd !== undefined) {
    writeAllSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
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
