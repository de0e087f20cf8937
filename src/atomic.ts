/**
 * Atomic file writes: the one place that knows the temp-file-then-rename dance, so that no output
 * (cache, exports, reports) is ever seen half-written.
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `data` to `path` through a temp file in the same directory, fsynced, then renamed over
 * `path`, so that readers see the old file or the whole new one, never a part. The temp file is
 * removed when anything fails.
 * @throws the file system's error (EACCES, ENOSPC, ENOTDIR...).
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  let renamed = false;
  try {
    const fh = await open(tmp, "wx");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) await rm(tmp, { force: true }).catch(() => {});
  }
}
