/**
 * The embedding cache's checkpoints: while a run embeds, every finished batch is appended to a
 * journal file of its own in the store folder, so that an interrupted run (Ctrl-C, kill -9, a
 * crash) keeps all the batches it finished, and the next run embeds only the rest. A successful
 * run folds the journals into the store and deletes them.
 *
 *     journal.<pid>.<hex>.bin:  "NGCJRNL1", uint32 LE dims,
 *                               then records: sha256 of the text (32 bytes), dims float32 LE,
 *                                             the first 8 bytes of sha256(hash + vector)
 *
 * A record is trusted only whole and with its checksum, so a file cut short by a kill ends at its
 * last complete record. Each run appends to its own file: concurrent runs never interleave.
 */
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, open, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

const MAGIC = Buffer.from("NGCJRNL1", "latin1");
const HEADER = MAGIC.length + 4;
const CHECK = 8;
const NAME = /^journal\.(\d+)\.[0-9a-f]+\.bin$/;

/** Rows read back from journals: `hashes[i]` is row i of `data` (`dims` values a row). */
export interface JournalRows {
  dims: number;
  hashes: string[];
  data: Float32Array;
  /** The journal files read, with the pid that wrote each. */
  files: { path: string; pid: number }[];
}

const recordSize = (dims: number) => 32 + dims * 4 + CHECK;

function checksum(body: Uint8Array): Buffer {
  return createHash("sha256").update(body).digest().subarray(0, CHECK);
}

/**
 * Reads every journal in `dir` whose width is `dims` (any width when undefined: the first
 * journal's decides), skipping hashes in `known` and repeats.
 */
export async function readJournals(
  dir: string,
  dims: number | undefined,
  known: ReadonlySet<string>,
): Promise<JournalRows> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => NAME.test(n)).sort();
  } catch {
    names = [];
  }
  const hashes: string[] = [];
  const seen = new Set(known);
  const parts: Float32Array[] = [];
  const files: JournalRows["files"] = [];
  let width = dims;
  for (const name of names) {
    const path = join(dir, name);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      continue;
    }
    files.push({ path, pid: Number(NAME.exec(name)?.[1]) });
    if (bytes.length < HEADER || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) continue;
    const d = bytes.readUInt32LE(MAGIC.length);
    if (d === 0 || (width !== undefined && d !== width)) continue;
    width = d;
    const size = recordSize(d);
    for (let at = HEADER; at + size <= bytes.length; at += size) {
      const body = bytes.subarray(at, at + size - CHECK);
      if (!checksum(body).equals(bytes.subarray(at + size - CHECK, at + size))) break;
      const hash = body.subarray(0, 32).toString("hex");
      if (seen.has(hash)) continue;
      seen.add(hash);
      hashes.push(hash);
      const row = new Float32Array(d);
      for (let j = 0; j < d; j++) row[j] = body.readFloatLE(32 + j * 4);
      parts.push(row);
    }
  }
  const w = width ?? 0;
  const data = new Float32Array(hashes.length * w);
  parts.forEach((row, i) => {
    data.set(row, i * w);
  });
  return { dims: w, hashes, data, files };
}

/** Journals this process has open for writing. */
const open_ = new Set<string>();

/**
 * Whether a journal may still grow: its writer is this process and has it open, or is another
 * process that still runs here. Such a journal must not be deleted.
 */
export function journalInUse(file: { path: string; pid: number }): boolean {
  if (file.pid === process.pid) return open_.has(file.path);
  try {
    process.kill(file.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** This run's journal: opened on the first append. */
export class JournalWriter {
  readonly path: string;
  private fh: FileHandle | undefined;
  private dims = 0;

  constructor(dir: string) {
    this.path = join(dir, `journal.${process.pid}.${randomBytes(4).toString("hex")}.bin`);
  }

  /**
   * Appends rows (`hashes[i]` is row i of `data`) in one write.
   * @throws the file system's error; the caller stops journaling.
   */
  async append(hashes: readonly string[], data: Float32Array, dims: number): Promise<void> {
    if (this.fh === undefined) {
      this.fh = await open(this.path, "wx");
      open_.add(this.path);
      this.dims = dims;
      const head = Buffer.alloc(HEADER);
      MAGIC.copy(head);
      head.writeUInt32LE(dims, MAGIC.length);
      await writeAll(this.fh, head);
    }
    if (dims !== this.dims) throw new Error(`journal width ${this.dims}, rows of ${dims}`);
    const size = recordSize(dims);
    const buf = Buffer.alloc(size * hashes.length);
    hashes.forEach((h, i) => {
      const at = i * size;
      buf.write(h, at, 32, "hex");
      for (let j = 0; j < dims; j++)
        buf.writeFloatLE(data[i * dims + j] as number, at + 32 + j * 4);
      checksum(buf.subarray(at, at + size - CHECK)).copy(buf, at + size - CHECK);
    });
    await writeAll(this.fh, buf);
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    open_.delete(this.path);
    await fh?.close().catch(() => {});
  }

  /** Closes and deletes the journal (its rows are in the store now). */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true }).catch(() => {});
  }
}

async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  for (let at = 0; at < buf.length; ) {
    const { bytesWritten } = await fh.write(buf, at);
    if (bytesWritten <= 0) throw new Error("the file system accepted no bytes");
    at += bytesWritten;
  }
}
