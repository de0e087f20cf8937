/**
 * A tiny sentence-embedding model in transformers.js layout, built in memory for the tests:
 * a small WordPiece `tokenizer.json` (BERT normaliser and pre-tokenizer, [CLS] ... [SEP]
 * template), `config.json`, `tokenizer_config.json`, `special_tokens_map.json`, and two ONNX
 * graphs with the real model's interface (inputs `input_ids`, `attention_mask`,
 * `token_type_ids`: int64 [batch, seq]; output `last_hidden_state`: float32 [batch, seq, 32]):
 *
 *   x   = word[input_ids] + position[0..seq) + type[token_type_ids]           [b, s, H]
 *   ctx = sum_t(x * mask) / sum_t(mask)                                        [b, 1, H]
 *   out = tanh(x @ W1 + ctx @ W2 + bias)                                       [b, s, H]
 *
 * so every output depends on the token id, its position, its type and (through `ctx`) on which
 * tokens the mask admits. `onnx/model_quantized.onnx` (q8) computes `x @ W1` the way
 * onnxruntime's dynamic quantization does (DynamicQuantizeLinear + MatMulInteger with int8
 * weights), so its vectors are close to, but not equal to, the fp32 ones. Weights come from a
 * seeded generator: the same bytes on every run. A slow variant (SLOW_MODEL) adds wide layers so
 * that a run can be interrupted mid-embedding.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { FILLER, TOPICS } from "./corpus.js";
import { mulberry32 } from "./random.js";

const { onnx } = onnxProto;

/** Hidden size of the tiny model (the dimension of its embeddings). */
export const TINY_DIMS = 32;
/** Positions the model accepts (transformers.js reads `max_position_embeddings`). */
export const TINY_MAX_POSITIONS = 512;
/** The tiny model's id inside the fixture models folder. */
export const TINY_MODEL = "tiny-bert";
/** A model id in the fixture models folder with tokenizer and config but no weights. */
export const TOKENIZER_ONLY = "tokenizer-only";
/** A model id in the fixture models folder that embeds slowly (for Ctrl-C tests). */
export const SLOW_MODEL = "slow-bert";
/**
 * Its extra layers: with --threads 1, --batch-size 1 and --max-length 64, about 20 s for the
 * synthetic corpus on a loaded 2-core machine, about 0.1 s per model call.
 */
export const SLOW_LAYERS = 256;

/**
 * The special tokens' ids: first in the vocabulary (bert-base-uncased has them at 0 and 100-103),
 * so a test that assumes 101/102 fails on the fixture.
 */
export const SPECIAL = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 } as const;

/** Words of the synthetic corpus's posts beyond its topics and filler (see corpus.ts). */
const EXTRA = ["writes", "article", "edu", "site", "user", "other", "university", "re", "line"];
const SUFFIXES = ["s", "ing", "ed", "er", "ly", "ion"];

/** The vocabulary, id = index: specials, punctuation, digits, letters, words, sub-words. */
export function tinyVocab(): string[] {
  const v = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
  const punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  for (const c of punct) v.push(c);
  for (let d = 0; d <= 9; d++) v.push(String(d));
  for (let c = 97; c <= 122; c++) v.push(String.fromCharCode(c));
  for (const c of "àáâäçèéêëìíîïñòóôöùúûüßø") v.push(c);
  for (const w of [...FILLER, ...Object.values(TOPICS).flat(), ...EXTRA]) {
    if (!v.includes(w)) v.push(w);
  }
  for (let c = 97; c <= 122; c++) v.push(`##${String.fromCharCode(c)}`);
  for (let d = 0; d <= 9; d++) v.push(`##${d}`);
  for (const s of SUFFIXES) v.push(`##${s}`);
  return v;
}

/** The tokenizer.json of a BERT-uncased WordPiece tokenizer over `vocab`. */
export function tinyTokenizerJson(vocab: readonly string[]): object {
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const piece = (id: string, type_id: number) => ({ SpecialToken: { id, type_id } });
  const seq = (id: string, type_id: number) => ({ Sequence: { id, type_id } });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map((t, i) => special(i, t)),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [piece("[CLS]", 0), seq("A", 0), piece("[SEP]", 0)],
      pair: [piece("[CLS]", 0), seq("A", 0), piece("[SEP]", 0), seq("B", 1), piece("[SEP]", 1)],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [SPECIAL.cls], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [SPECIAL.sep], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

/** `n` values uniform in [-scale, scale). */
function uniform(next: () => number, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
}

type DataType = number;
const T = onnx.TensorProto.DataType;

function tensor(name: string, dataType: DataType, dims: number[], bytes: Uint8Array) {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: bytes });
}
const f32 = (name: string, dims: number[], v: Float32Array) =>
  tensor(name, T.FLOAT, dims, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
const i64 = (name: string, v: number[]) =>
  tensor(name, T.INT64, [v.length], new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer));
const i8 = (name: string, dims: number[], v: Int8Array) =>
  tensor(name, T.INT8, dims, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

function node(
  op: string,
  input: string[],
  output: string[],
  attrs: Record<string, number> = {},
): onnxProto.onnx.NodeProto {
  const attribute = Object.entries(attrs).map(([name, i]) =>
    onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT }),
  );
  return onnx.NodeProto.create({ opType: op, input, output, name: output[0], attribute });
}

function valueInfo(name: string, elemType: DataType, dims: (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  });
}

/** Symmetric per-tensor int8 quantization of a weight matrix: values and scale. */
function quantize(w: Float32Array): { q: Int8Array; scale: number } {
  let max = 0;
  for (const v of w) max = Math.max(max, Math.abs(v));
  const scale = max / 127;
  return { q: Int8Array.from(w, (v) => Math.round(v / scale)), scale };
}

/** The weights' seed of the fixture's tiny model. */
const TINY_SEED = 20261127;

/** What tells one tiny model's graph from another's (see TinyModelOptions). */
export interface TinyGraphOptions {
  slowLayers?: number;
  dims?: number;
  seed?: number;
}

/**
 * The tiny model's ONNX bytes (opset 13). `quantized` swaps `x @ W1` for its dynamic-int8
 * form; everything else is identical.
 */
export function tinyOnnx(
  vocabSize: number,
  quantized: boolean,
  { slowLayers = 0, dims = TINY_DIMS, seed = TINY_SEED }: TinyGraphOptions = {},
): Uint8Array {
  const H = dims;
  const next = mulberry32(seed);
  const word = uniform(next, vocabSize * H, 1);
  const position = uniform(next, TINY_MAX_POSITIONS * H, 0.5);
  const type = uniform(next, 2 * H, 0.5);
  const w1 = uniform(next, H * H, 1 / Math.sqrt(H));
  const w2 = uniform(next, H * H, 1 / Math.sqrt(H));
  const bias = uniform(next, H, 0.1);

  const init = [
    f32("word", [vocabSize, H], word),
    f32("position", [TINY_MAX_POSITIONS, H], position),
    f32("type", [2, H], type),
    f32("w2", [H, H], w2),
    f32("bias", [H], bias),
    i64("zero", [0]),
    i64("axis1", [1]),
    i64("axis2", [2]),
  ];
  const nodes = [
    node("Gather", ["word", "input_ids"], ["x_word"]),
    node("Gather", ["type", "token_type_ids"], ["x_type"]),
    node("Shape", ["input_ids"], ["shape"]),
    node("Gather", ["shape", "axis1"], ["seq_len"], { axis: 0 }),
    node("Slice", ["position", "zero", "seq_len", "zero"], ["x_pos"]),
    node("Add", ["x_word", "x_type"], ["x_wt"]),
    node("Add", ["x_wt", "x_pos"], ["x"]),
    node("Cast", ["attention_mask"], ["mask_f"], { to: T.FLOAT }),
    node("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),
    node("Mul", ["x", "mask3"], ["x_masked"]),
    node("ReduceSum", ["x_masked", "axis1"], ["x_sum"], { keepdims: 1 }),
    node("ReduceSum", ["mask3", "axis1"], ["m_sum"], { keepdims: 1 }),
    node("Div", ["x_sum", "m_sum"], ["ctx"]),
    node("MatMul", ["ctx", "w2"], ["ctx_w"]),
  ];
  if (quantized) {
    const { q, scale } = quantize(w1);
    init.push(
      i8("w1_q", [H, H], q),
      i8("w1_zp", [], Int8Array.of(0)),
      f32("w1_scale", [], Float32Array.of(scale)),
    );
    nodes.push(
      node("DynamicQuantizeLinear", ["x"], ["x_q", "x_scale", "x_zp"]),
      node("MatMulInteger", ["x_q", "w1_q", "x_zp", "w1_zp"], ["xw_i32"]),
      node("Cast", ["xw_i32"], ["xw_f"], { to: T.FLOAT }),
      node("Mul", ["x_scale", "w1_scale"], ["xw_scale"]),
      node("Mul", ["xw_f", "xw_scale"], ["x_w"]),
    );
  } else {
    init.push(f32("w1", [H, H], w1));
    nodes.push(node("MatMul", ["x", "w1"], ["x_w"]));
  }
  nodes.push(
    node("Add", ["x_w", "ctx_w"], ["pre"]),
    node("Add", ["pre", "bias"], ["pre_b"]),
    node("Tanh", ["pre_b"], [slowLayers > 0 ? "h0" : "last_hidden_state"]),
  );
  if (slowLayers > 0) appendSlowLayers(init, nodes, slowLayers, H, next);
  const graph = onnx.GraphProto.create({
    name: quantized ? "tiny_bert_q8" : "tiny_bert",
    node: nodes,
    initializer: init,
    input: ["input_ids", "attention_mask", "token_type_ids"].map((n) =>
      valueInfo(n, T.INT64, ["batch_size", "sequence_length"]),
    ),
    output: [valueInfo("last_hidden_state", T.FLOAT, ["batch_size", "sequence_length", H])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: "newsgroup-cluster tests",
    opsetImport: [{ domain: "", version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Width of the slow model's inner layers. */
const SLOW_WIDTH = 512;

/**
 * Makes the graph slow on purpose, for tests that must interrupt a run mid-embedding: `layers`
 * times `tanh(h @ W)` at width 512 (one shared W, so the file stays small), then back to 32.
 */
function appendSlowLayers(
  init: onnxProto.onnx.TensorProto[],
  nodes: onnxProto.onnx.NodeProto[],
  layers: number,
  H: number,
  next: () => number,
): void {
  const W = SLOW_WIDTH;
  init.push(
    f32("up", [H, W], uniform(next, H * W, 1 / Math.sqrt(H))),
    f32("inner", [W, W], uniform(next, W * W, 1.5 / Math.sqrt(W))),
    f32("down", [W, H], uniform(next, W * H, 1 / Math.sqrt(W))),
  );
  nodes.push(node("MatMul", ["h0", "up"], ["s0"]));
  for (let i = 0; i < layers; i++) {
    nodes.push(
      node("MatMul", [`s${i}`, "inner"], [`m${i}`]),
      node("Tanh", [`m${i}`], [`s${i + 1}`]),
    );
  }
  nodes.push(node("MatMul", [`s${layers}`, "down"], ["last_hidden_state"]));
}

/** The config.json transformers.js needs to load the graph as a BERT encoder. */
export function tinyConfig(vocabSize: number, dims = TINY_DIMS): object {
  return {
    architectures: ["BertModel"],
    model_type: "bert",
    hidden_size: dims,
    max_position_embeddings: TINY_MAX_POSITIONS,
    num_attention_heads: 1,
    num_hidden_layers: 1,
    pad_token_id: SPECIAL.pad,
    type_vocab_size: 2,
    vocab_size: vocabSize,
  };
}

/** Variants of the tiny model's folder. */
export interface TinyModelOptions {
  /** false: tokenizer and config only (like ../shared's tokenizer-only all-MiniLM-L6-v2). */
  weights?: boolean;
  /** Extra wide layers that make embedding slow (see appendSlowLayers); 0 = none. */
  slowLayers?: number;
  /** Hidden size, the embeddings' dimension (default TINY_DIMS). */
  dims?: number;
  /** Seed of the weights: another seed, other weights under the same vocabulary. */
  seed?: number;
}

/** Writes the tiny model to `<modelsDir>/<name>/` and returns that folder. */
export function writeTinyModel(
  modelsDir: string,
  name = TINY_MODEL,
  { weights = true, ...graph }: TinyModelOptions = {},
): string {
  const dir = join(modelsDir, name);
  mkdirSync(weights ? join(dir, "onnx") : dir, { recursive: true });
  const vocab = tinyVocab();
  const json = (name: string, v: object) =>
    writeFileSync(join(dir, name), `${JSON.stringify(v, null, 2)}\n`);
  json("tokenizer.json", tinyTokenizerJson(vocab));
  json("config.json", tinyConfig(vocab.length, graph.dims));
  json("tokenizer_config.json", {
    tokenizer_class: "BertTokenizer",
    do_lower_case: true,
    do_basic_tokenize: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
    model_max_length: TINY_MAX_POSITIONS,
    clean_up_tokenization_spaces: true,
    cls_token: "[CLS]",
    sep_token: "[SEP]",
    pad_token: "[PAD]",
    unk_token: "[UNK]",
    mask_token: "[MASK]",
  });
  json("special_tokens_map.json", {
    cls_token: "[CLS]",
    mask_token: "[MASK]",
    pad_token: "[PAD]",
    sep_token: "[SEP]",
    unk_token: "[UNK]",
  });
  if (!weights) return dir;
  writeFileSync(join(dir, "onnx", "model.onnx"), tinyOnnx(vocab.length, false, graph));
  writeFileSync(join(dir, "onnx", "model_quantized.onnx"), tinyOnnx(vocab.length, true, graph));
  return dir;
}
