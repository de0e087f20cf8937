import { describe, expect, it } from "vitest";
import {
  type InputFields,
  type InputFormat,
  inputFormatOf,
  readInput,
  utf8Lines,
} from "../../src/dataset/input.js";
import { CliError } from "../../src/errors.js";

const FIELDS: InputFields = {
  text: "text",
  label: "group",
  id: "id",
  labelRequired: false,
  idRequired: false,
};

/** The bytes as a stream of chunks of `size` bytes, to cross every chunk boundary. */
async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const bytesOf = (s: string | Uint8Array) => (typeof s === "string" ? Buffer.from(s, "utf8") : s);

function read(
  input: string | Uint8Array,
  format: InputFormat,
  fields: Partial<InputFields> = {},
  size = 1 << 16,
) {
  return readInput(chunks(bytesOf(input), size), "in.x", format, { ...FIELDS, ...fields });
}

/** The CliError a bad input raises: its kind and its one-line message. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).kind).toBe("data");
    expect((err as CliError).exitCode).toBe(3);
    const msg = (err as CliError).message;
    expect(msg).not.toContain("\n");
    expect(msg.startsWith("in.x: ")).toBe(true);
    return msg;
  }
  throw new Error("expected a data error");
}

describe("inputFormatOf", () => {
  it("takes the explicit format, JSON Lines for stdin, else the extension", () => {
    expect(inputFormatOf("a.csv", "tsv")).toBe("tsv");
    expect(inputFormatOf("-")).toBe("jsonl");
    expect(inputFormatOf("x/A.CSV")).toBe("csv");
    expect(inputFormatOf("a.tsv")).toBe("tsv");
    expect(inputFormatOf("a.ndjson")).toBe("jsonl");
    expect(inputFormatOf("a.jsonl")).toBe("jsonl");
    expect(inputFormatOf("a.txt")).toBeUndefined();
  });
});

describe("utf8Lines", () => {
  it("splits across chunk boundaries, drops a BOM, keeps multi-byte characters whole", async () => {
    const text = "\uFEFFré\r\nsümé €\n\nlast";
    for (const size of [1, 2, 3, 1000]) {
      const lines = [];
      for await (const l of utf8Lines(chunks(bytesOf(text), size), "x")) lines.push(l);
      expect(lines).toEqual([
        { no: 1, text: "ré\r" },
        { no: 2, text: "sümé €" },
        { no: 3, text: "" },
        { no: 4, text: "last" },
      ]);
    }
  });
});

describe("readInput: JSON Lines", () => {
  it("reads the shape `corpus` prints, in file order, groups sorted, extra fields ignored", async () => {
    const lines = [
      { split: "train", group: "sci.space", id: "7", text: "orbit", extra: 1 },
      { split: "test", group: "alt.atheism", id: "3", text: "god\nand more" },
      { group: "sci.space", text: "moon" },
    ];
    const c = await read(`${lines.map((l) => JSON.stringify(l)).join("\n")}\n`, "jsonl", {}, 5);
    expect(c.groups).toEqual(["alt.atheism", "sci.space"]);
    expect(c.docs).toEqual([
      { split: "train", group: "sci.space", id: "7", text: "orbit" },
      { split: "test", group: "alt.atheism", id: "3", text: "god\nand more" },
      { split: "", group: "sci.space", id: "3", text: "moon" },
    ]);
  });

  it("is unlabelled when no line has the label field; CRLF, BOM and blank lines are fine", async () => {
    const c = await read('\uFEFF{"text":"a  "}\r\n\r\n{"text":"b","id":12}\r\n', "jsonl");
    expect(c.groups).toEqual([]);
    expect(c.docs.map((d) => [d.group, d.id, d.text])).toEqual([
      ["", "1", "a  "],
      ["", "12", "b"],
    ]);
  });

  it("takes other field names", async () => {
    const c = await read('{"body":"x","queue":"q1","key":"k"}\n', "jsonl", {
      text: "body",
      label: "queue",
      id: "key",
    });
    expect(c.docs).toEqual([{ split: "", group: "q1", id: "k", text: "x" }]);
  });

  it("rejects each bad line with its line number", async () => {
    const ok = '{"text":"fine","group":"g"}';
    expect(await failure(read(`${ok}\n{"text": nope}\n`, "jsonl"))).toMatch(
      /^in\.x: line 2: not JSON/,
    );
    expect(await failure(read(`${ok}\n\n[1,2]\n`, "jsonl"))).toBe(
      "in.x: line 3: expected a JSON object, got an array",
    );
    expect(await failure(read(`${ok}\n"text"\n`, "jsonl"))).toBe(
      "in.x: line 2: expected a JSON object, got a string",
    );
    expect(await failure(read(`${ok}\n{"body":"x"}\n`, "jsonl"))).toBe(
      "in.x: line 2: no 'text' field (the post's text)",
    );
    expect(await failure(read(`${ok}\n{"text":3}\n`, "jsonl"))).toBe(
      "in.x: line 2: 'text' must be a string, got a number",
    );
    expect(await failure(read(`${ok}\n{"text":"a","group":[1]}\n`, "jsonl"))).toBe(
      "in.x: line 2: 'group' must be a string or a number, got an array",
    );
  });

  it("names the first line without a label when others have one", async () => {
    const msg = await failure(
      read('{"text":"a","group":"g"}\n{"text":"b"}\n{"text":"c"}\n', "jsonl"),
    );
    expect(msg).toBe(
      "in.x: line 2: no 'group' (label), but line 1 has one; give it on every line or on none",
    );
    const first = await failure(read('{"text":"a"}\n{"text":"b","group":"g"}\n', "jsonl"));
    expect(first).toMatch(/^in\.x: line 1: no 'group' \(label\), but line 2 has one/);
    expect(await failure(read('{"text":"a"}\n', "jsonl", { labelRequired: true }))).toBe(
      "in.x: line 1: no 'group' (label)",
    );
  });

  it("rejects an empty input, and one of blank lines only", async () => {
    expect(await failure(read("", "jsonl"))).toBe("in.x: no posts (the input is empty)");
    expect(await failure(read("\n \r\n", "jsonl"))).toBe("in.x: no posts (the input is empty)");
  });

  it("rejects invalid UTF-8 with its line", async () => {
    const bad = Buffer.concat([
      Buffer.from('{"text":"ok"}\n{"text":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}\n'),
    ]);
    expect(await failure(read(bad, "jsonl", {}, 3))).toBe(
      "in.x: line 2: invalid UTF-8 (the input must be UTF-8 text)",
    );
  });

  it("reads a 50 MB single line", async () => {
    const text = "w ".repeat(25 * 1024 * 1024);
    const c = await read(`${JSON.stringify({ text })}\n`, "jsonl", {}, 1 << 16);
    expect(c.docs).toHaveLength(1);
    expect(c.docs[0]?.text.length).toBe(text.length);
  }, 60_000);
});

describe("readInput: CSV and TSV", () => {
  it("reads quoted fields with commas, quotes and newlines; CRLF; a BOM", async () => {
    const csv =
      '\uFEFFid,body,queue\r\n1,"hello, world",billing\r\n2,"line one\r\nline ""two""",tech\r\n3,plain,billing\r\n';
    const c = await read(csv, "csv", { text: "body", label: "queue" }, 7);
    expect(c.groups).toEqual(["billing", "tech"]);
    expect(c.docs).toEqual([
      { split: "", group: "billing", id: "1", text: "hello, world" },
      { split: "", group: "tech", id: "2", text: 'line one\r\nline "two"' },
      { split: "", group: "billing", id: "3", text: "plain" },
    ]);
  });

  it("reads TSV; without a label column the input is unlabelled", async () => {
    const c = await read("text\tother\nfirst post\tx\nsecond\ty\n", "tsv");
    expect(c.groups).toEqual([]);
    expect(c.docs.map((d) => [d.id, d.text])).toEqual([
      ["1", "first post"],
      ["2", "second"],
    ]);
  });

  it("rejects a row with the wrong number of fields, naming row and line", async () => {
    const msg = await failure(read('text,group\na,g\n"b\nc",g,extra\n', "csv"));
    expect(msg).toBe("in.x: row 2 (line 4): 3 fields, but the header has 2");
  });

  it("rejects a header without the named column and lists the columns it has", async () => {
    expect(await failure(read("body,queue\nx,y\n", "csv"))).toBe(
      "in.x: line 1: the header has no column 'text' (the text); its columns are 'body', 'queue'",
    );
    expect(
      await failure(read("text,group\nx,y\n", "csv", { label: "queue", labelRequired: true })),
    ).toBe(
      "in.x: line 1: the header has no column 'queue' (the label); its columns are 'text', 'group'",
    );
  });

  it("keeps the error on one line when a header name holds a newline", async () => {
    expect(await failure(read('"bo\ndy",queue\nx,y\n', "csv"))).toBe(
      "in.x: line 1: the header has no column 'text' (the text); its columns are 'bo dy', 'queue'",
    );
  });

  it("rejects an empty label cell when other rows have labels", async () => {
    expect(await failure(read("text,group\nx,g\ny,\n", "csv"))).toBe(
      "in.x: row 2 (line 3): no 'group' (label), but row 1 (line 2) has one; give it on every line or on none",
    );
  });

  it("rejects an empty file, a header alone, an unclosed quote and invalid UTF-8", async () => {
    expect(await failure(read("", "csv"))).toBe("in.x: no posts (the input is empty)");
    expect(await failure(read("text,group\n", "csv"))).toBe("in.x: no posts (the input is empty)");
    expect(await failure(read('text\n"open\n', "csv"))).toMatch(
      /^in\.x: line \d+: a quoted field is not closed/,
    );
    const bad = Buffer.concat([
      Buffer.from("text\nok\nb"),
      Buffer.from([0xff, 0xfe]),
      Buffer.from("\n"),
    ]);
    expect(await failure(read(bad, "csv"))).toBe(
      "in.x: line 3: invalid UTF-8 (the input must be UTF-8 text)",
    );
  });
});
