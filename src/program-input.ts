/**
 * The options of `--input`, `--embeddings` and the k sweep, kept apart from `program.ts` so the
 * grammar of the built-in corpus stays as it was. Nothing here does I/O.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  INPUT_FORMATS,
  type InputFields,
  type InputFormat,
  inputFormatOf,
} from "./dataset/input.js";
import { usageError } from "./errors.js";

/** `--k`: one k, or a sweep. */
export interface KSpec {
  k: number | undefined;
  /** Ascending, distinct, each at least 2. */
  sweep: number[] | undefined;
}

/** Where the posts come from when they are not the built-in corpus. */
export interface InputConfig {
  /** A file path as given (messages name it so), or "-" for stdin. */
  path: string;
  format: InputFormat;
  fields: InputFields;
}

/** A sweep of more k values than this is almost surely a typo (`--k 2..2000`). */
export const MAX_SWEEP = 200;

/**
 * `--k 8` (one k, 1 or more), `--k 2..12` (inclusive range) or `--k 4,8,16` (list).
 * @throws InvalidArgumentError naming the value and what is allowed.
 */
export function parseK(value: string): KSpec {
  const v = value.trim();
  const allowed = "an integer (8), a range (2..12) or a list (4,8,16)";
  const bad = (why: string) =>
    new InvalidArgumentError(`--k must be ${allowed}; ${why}, got '${value}'.`);
  const int = (s: string) => {
    if (!/^\d+$/.test(s.trim())) throw bad(`'${s}' is not a whole number`);
    return Number(s.trim());
  };
  let sweep: number[];
  const range = /^(.*)\.\.(.*)$/.exec(v);
  if (range !== null) {
    const lo = int(range[1] as string);
    const hi = int(range[2] as string);
    if (lo < 2 || hi <= lo) throw bad("a range needs 2 <= first < last");
    if (hi - lo + 1 > MAX_SWEEP) throw bad(`a sweep takes at most ${MAX_SWEEP} values`);
    sweep = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  } else if (v.includes(",")) {
    const ks = v.split(",").map(int);
    if (ks.some((k) => k < 2)) throw bad("every k of a list must be 2 or more");
    if (new Set(ks).size !== ks.length) throw bad("a k is listed twice");
    if (ks.length > MAX_SWEEP) throw bad(`a sweep takes at most ${MAX_SWEEP} values`);
    sweep = ks.sort((a, b) => a - b);
  } else {
    // One k: the message of a single --k, which `--help` documents.
    if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
      throw new InvalidArgumentError(
        `--k must be an integer from 1 to the number of posts, got '${value}'. (To sweep k: 2..12 or 4,8,16.)`,
      );
    }
    return { k: Number(v), sweep: undefined };
  }
  return { k: undefined, sweep };
}

/** Adds `--input`, its field options and `--embeddings` to the main command. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option(
      "--input <file|->",
      "cluster your own posts: JSON Lines (as `corpus` prints), CSV or TSV; - = stdin",
    )
    .addOption(
      new Option(
        "--input-format <f>",
        "format of --input (default: by extension; stdin: jsonl)",
      ).choices(INPUT_FORMATS),
    )
    .option("--text-field <name>", "--input field holding the text (default: text)")
    .option("--label-field <name>", "--input field holding the label, optional (default: group)")
    .option("--id-field <name>", "--input field holding the post id, optional (default: id)")
    .option(
      "--embeddings <file.npy>",
      "cluster these vectors (2-D float32/float64 .npy, row i = post i) instead of embedding",
    );
}

/** Options that choose or clean the built-in corpus, or pick the model. */
const CORPUS_OPTIONS = ["categories", "subset", "remove", "data"];
const EMBEDDER_OPTIONS = [
  "embedder",
  "model",
  "models",
  "dtype",
  "device",
  "batchSize",
  "threads",
  "maxLength",
];
const FIELD_OPTIONS = ["inputFormat", "textField", "labelField", "idField"];

const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export interface RawInput {
  input?: string;
  inputFormat?: InputFormat;
  textField?: string;
  labelField?: string;
  idField?: string;
  embeddings?: string;
  minAri?: number;
  minNmi?: number;
}

/**
 * Checks how `--input`, `--embeddings` and a sweep combine with the other options, and returns
 * the input's config (undefined for the built-in corpus). `isGiven(name)`: the user typed that
 * option (by attribute name), rather than it taking its default.
 * @throws CliError(usage) naming the clashing options.
 */
export function inputConfig(
  o: RawInput,
  isGiven: (name: string) => boolean,
  spec: KSpec,
): InputConfig | undefined {
  const given = (names: string[]) => names.filter(isGiven).map(flag);
  if (o.embeddings !== undefined) {
    const clash = given(EMBEDDER_OPTIONS);
    if (clash.length > 0) {
      throw usageError(`${clash.join(", ")} cannot be used with --embeddings (no embedder runs)`);
    }
  }
  if (spec.sweep !== undefined) {
    const gates = given(["minAri", "minNmi"]);
    if (gates.length > 0) {
      throw usageError(`${gates.join(", ")} gate one k, not a sweep (--k ${spec.sweep.join(",")})`);
    }
  }
  if (o.input === undefined) {
    const orphans = given(FIELD_OPTIONS);
    if (orphans.length > 0) throw usageError(`${orphans.join(", ")} only apply with --input`);
    return undefined;
  }
  const clash = given(CORPUS_OPTIONS);
  if (clash.length > 0) {
    throw usageError(
      `${clash.join(", ")} choose posts of the built-in corpus and cannot be used with --input`,
    );
  }
  const format = inputFormatOf(o.input, o.inputFormat);
  if (format === undefined) {
    throw usageError(
      `cannot tell the format of --input ${o.input} from its extension; add --input-format jsonl, csv or tsv`,
    );
  }
  return {
    path: o.input,
    format,
    fields: {
      text: o.textField ?? "text",
      label: o.labelField ?? "group",
      id: o.idField ?? "id",
      labelRequired: o.labelField !== undefined,
      idRequired: o.idField !== undefined,
    },
  };
}
