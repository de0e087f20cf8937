/**
 * `--input`: the user's own posts from a file or stdin, as JSON Lines (the shape `corpus` prints),
 * CSV or TSV with a header row. The bytes are streamed: split into physical lines, each decoded as
 * strict UTF-8, then parsed line by line (JSON Lines) or fed to csv-parse (CSV/TSV, whose quoted
 * fields may hold commas, quotes and newlines). Every problem is one `CliError(data)` line naming
 * the file, the line (or row) and what is wrong.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { assertUnreachable, dataError } from "../errors.js";
import { interrupter } from "../interrupt.js";
import type { Corpus, Doc } from "../types.js";

export type InputFormat = "jsonl" | "csv" | "tsv";
export const INPUT_FORMATS: readonly InputFormat[] = ["jsonl", "csv", "tsv"];

/** Which fields (JSON keys or CSV header names) hold what. */
export interface InputFields {
  /** The post's text; required on every line. */
  text: string;
  /** The true label (newsgroup); optional, but then on every line or on none. */
  label: string;
  /** The post's id; optional (default: its number in the file, 1 = first post). */
  id: string;
  /** The user named the label field: a file without it is an error, not unlabelled input. */
  labelRequired: boolean;
  /** The user named the id field: a file without it is an error. */
  idRequired: boolean;
}

/** A physical line longer than this fails cleanly (V8 strings stop near 512 Mi characters). */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/**
 * The format of `path`: `explicit` when given, JSON Lines for stdin (`-`), else by extension.
 * @returns undefined when the extension says nothing (the caller reports the usage error).
 */
export function inputFormatOf(path: string, explicit?: InputFormat): InputFormat | undefined {
  if (explicit !== undefined) return explicit;
  if (path === "-") return "jsonl";
  const lower = path.toLowerCase();
  if (/\.(jsonl|ndjson|json)$/.test(lower)) return "jsonl";
  if (lower.endsWith(".csv")) return "csv";
  if (/\.(tsv|tab)$/.test(lower)) return "tsv";
  return undefined;
}

interface Line {
  /** 1-based physical line number. */
  no: number;
  /** The line's text without its "\n" (a "\r" before it is kept). */
  text: string;
}

/**
 * Splits a byte stream into lines and decodes each as strict UTF-8 (a leading BOM is dropped).
 * Chunks of one long line are kept in a list and joined once, so a line costs O(its length).
 * @throws CliError(data) for invalid UTF-8 or a line over MAX_LINE_BYTES.
 */
export async function* utf8Lines(
  source: AsyncIterable<Uint8Array>,
  name: string,
  signal?: AbortSignal,
): AsyncGenerator<Line> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const checkpoint = interrupter(signal);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let no = 0;
  const decode = (parts: Uint8Array[]): string => {
    no++;
    let bytes = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
    if (no === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
    }
    try {
      return decoder.decode(bytes);
    } catch {
      throw dataError(`${name}: line ${no}: invalid UTF-8 (the input must be UTF-8 text)`);
    }
  };
  for await (const chunk of source) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (pendingBytes + (end - start) > MAX_LINE_BYTES) {
        throw dataError(`${name}: line ${no + 1}: longer than ${MAX_LINE_BYTES >> 20} MiB`);
      }
      if (nl < 0) {
        if (start < chunk.length) {
          pending.push(chunk.subarray(start));
          pendingBytes += chunk.length - start;
        }
        break;
      }
      pending.push(chunk.subarray(start, nl));
      const text = decode(pending);
      pending = [];
      pendingBytes = 0;
      yield { no, text };
      await checkpoint();
      start = nl + 1;
    }
  }
  if (pendingBytes > 0) yield { no: no + 1, text: decode(pending) };
}

/** A post as read, before the corpus is assembled. */
interface Row {
  /** "line 3" or "row 2 (line 3)", for messages. */
  where: string;
  text: string;
  label: string | undefined;
  id: string | undefined;
  split: string | undefined;
}

/**
 * Collects rows into a corpus and enforces that a label is on every row or on none.
 */
class CorpusBuilder {
  readonly docs: Doc[] = [];
  private readonly labels = new Set<string>();
  private firstWith: string | undefined;
  private firstWithout: string | undefined;
  constructor(
    private readonly name: string,
    private readonly fields: InputFields,
  ) {}

  add(r: Row): void {
    if (r.label === undefined) this.firstWithout ??= r.where;
    else {
      this.firstWith ??= r.where;
      this.labels.add(r.label);
    }
    if (this.firstWith !== undefined && this.firstWithout !== undefined) {
      throw dataError(
        `${this.name}: ${this.firstWithout}: no '${this.fields.label}' (label), but ${this.firstWith} has one; give it on every line or on none`,
      );
    }
    const split = r.split === "train" || r.split === "test" ? r.split : "";
    this.docs.push({
      split,
      group: r.label ?? "",
      id: r.id ?? String(this.docs.length + 1),
      text: r.text,
    });
  }

  /** @throws CliError(data) for no posts, or a required label that no row has. */
  finish(): Corpus {
    if (this.docs.length === 0) throw dataError(`${this.name}: no posts (the input is empty)`);
    if (this.fields.labelRequired && this.firstWith === undefined) {
      throw dataError(`${this.name}: ${this.firstWithout}: no '${this.fields.label}' (label)`);
    }
    // No label anywhere: an unlabelled corpus has no groups.
    return { groups: [...this.labels].sort(), docs: this.docs };
  }
}

const kindOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`;

/** A label or id value: strings as they are, finite numbers as printed by JSON. */
function scalar(
  o: Record<string, unknown>,
  key: string,
  where: string,
  name: string,
): string | undefined {
  if (!Object.hasOwn(o, key)) return undefined;
  const v = o[key];
  if (typeof v === "string") return v === "" ? undefined : v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  throw dataError(`${name}: ${where}: '${key}' must be a string or a number, got ${kindOf(v)}`);
}

/** Parses JSON Lines: one object per non-blank line. */
async function readJsonl(
  lines: AsyncIterable<Line>,
  name: string,
  fields: InputFields,
): Promise<Corpus> {
  const out = new CorpusBuilder(name, fields);
  for await (const { no, text: raw } of lines) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    const where = `line ${no}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const why = (err as Error).message.replace(/\s+/g, " ").slice(0, 160);
      throw dataError(`${name}: ${where}: not JSON (${why})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw dataError(`${name}: ${where}: expected a JSON object, got ${kindOf(value)}`);
    }
    const o = value as Record<string, unknown>;
    const text = o[fields.text];
    if (!Object.hasOwn(o, fields.text)) {
      throw dataError(`${name}: ${where}: no '${fields.text}' field (the post's text)`);
    }
    if (typeof text !== "string") {
      throw dataError(`${name}: ${where}: '${fields.text}' must be a string, got ${kindOf(text)}`);
    }
    const id = scalar(o, fields.id, where, name);
    if (id === undefined && fields.idRequired) {
      throw dataError(`${name}: ${where}: no '${fields.id}' field (the post's id)`);
    }
    const split = typeof o.split === "string" ? o.split : undefined;
    out.add({ where, text, label: scalar(o, fields.label, where, name), id, split });
  }
  return out.finish();
}

/** Column positions of the named fields in a CSV/TSV header. */
function columnsOf(header: string[], name: string, fields: InputFields) {
  const find = (field: string, required: boolean, what: string): number | undefined => {
    const i = header.indexOf(field);
    if (i >= 0) return i;
    if (!required) return undefined;
    throw dataError(
      `${name}: line 1: the header has no column '${field}' (${what}); its columns are ${header.map((h) => `'${h.replace(/\s/g, " ")}'`).join(", ")}`,
    );
  };
  return {
    text: find(fields.text, true, "the text") as number,
    label: find(fields.label, fields.labelRequired, "the label"),
    id: find(fields.id, fields.idRequired, "the id"),
    split: find("split", false, "the split"),
  };
}

/** Parses CSV or TSV (header row first) with csv-parse, fed the decoded lines. */
async function readDelimited(
  lines: AsyncIterable<Line>,
  name: string,
  fields: InputFields,
  delimiter: "," | "\t",
): Promise<Corpus> {
  async function* text() {
    for await (const l of lines) yield `${l.text}\n`;
  }
  // Imported here: csv-parse costs 20 ms of every start-up otherwise.
  const { parse: parseCsv } = await import("csv-parse");
  const parser = parseCsv({
    delimiter,
    record_delimiter: ["\r\n", "\n"],
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_LINE_BYTES,
  });
  const out = new CorpusBuilder(name, fields);
  let header: string[] | undefined;
  let cols: ReturnType<typeof columnsOf> | undefined;
  // pipeline() ends the line source when the parser stops early (an error below) and passes a
  // decoding error of the source to the parser, whose iterator then throws it.
  const feeding = pipeline(Readable.from(text()), parser).catch(() => {});
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; records: number };
    }>) {
      if (header === undefined || cols === undefined) {
        header = record;
        cols = columnsOf(header, name, fields);
        continue;
      }
      const row = info.records - 1;
      const where = `row ${row} (line ${info.lines})`;
      if (record.length !== header.length) {
        throw dataError(
          `${name}: ${where}: ${record.length} fields, but the header has ${header.length}`,
        );
      }
      const get = (i: number | undefined) =>
        i === undefined || record[i] === "" ? undefined : record[i];
      const id = get(cols.id);
      if (id === undefined && fields.idRequired) {
        throw dataError(`${name}: ${where}: empty '${fields.id}' (the post's id)`);
      }
      out.add({
        where,
        text: record[cols.text] as string,
        label: get(cols.label),
        id,
        split: get(cols.split),
      });
    }
  } catch (err) {
    throw csvProblem(err, name);
  } finally {
    parser.destroy();
    await feeding;
  }
  if (header === undefined) throw dataError(`${name}: no posts (the input is empty)`);
  return out.finish();
}

/** csv-parse's errors as one line naming the file and line; our own errors pass through. */
function csvProblem(err: unknown, name: string): unknown {
  const e = err as { code?: unknown; lines?: unknown; message?: string };
  if (typeof e.code !== "string") return err;
  if (!e.code.startsWith("CSV_") && e.code !== "INVALID_OPENING_QUOTE") return err;
  const where = typeof e.lines === "number" ? `line ${e.lines}` : "";
  const why =
    e.code === "CSV_QUOTE_NOT_CLOSED"
      ? "a quoted field is not closed before the end of the input"
      : (e.message ?? e.code).replace(/\s+/g, " ").slice(0, 200);
  return dataError(`${name}: ${where}${where ? ": " : ""}${why}`);
}

/**
 * Reads posts from a byte stream in the given format. Texts are kept as given (no newsgroup
 * cleaning). Labelled input has `groups` = the distinct labels, sorted; unlabelled input has no
 * groups and every doc's `group` is "".
 * @param name the file's name (or "stdin") for messages.
 * @throws CliError(data) naming the file, line and problem for any bad input.
 */
export async function readInput(
  source: AsyncIterable<Uint8Array>,
  name: string,
  format: InputFormat,
  fields: InputFields,
  signal?: AbortSignal,
): Promise<Corpus> {
  const lines = utf8Lines(source, name, signal);
  switch (format) {
    case "jsonl":
      return readJsonl(lines, name, fields);
    case "csv":
      return readDelimited(lines, name, fields, ",");
    case "tsv":
      return readDelimited(lines, name, fields, "\t");
    default:
      return assertUnreachable(format);
  }
}

/**
 * Reads `path`, or stdin for `-`.
 * @throws CliError(data) when the file cannot be read, or for bad input (see `readInput`).
 */
export async function readInputFile(
  path: string,
  format: InputFormat,
  fields: InputFields,
  stdin: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): Promise<Corpus> {
  const name = path === "-" ? "stdin" : path;
  const source = path === "-" ? stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await readInput(source, name, format, fields, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code.startsWith("E")) {
      throw dataError(`cannot read --input ${name}: ${(err as Error).message}`, err);
    }
    throw err;
  }
}
