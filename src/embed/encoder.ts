/**
 * Posts to model inputs as sentence-transformers makes them: word pieces truncated to
 * `maxLength` with [CLS] first and [SEP] kept last. Used where the model runs (the model host
 * process, or this process for CUDA and the sources under test).
 */
import type { PreTrainedTokenizer } from "@huggingface/transformers";
import { modelError } from "../errors.js";
import { interrupter } from "../interrupt.js";
import { withSpecialTokens } from "./tokens.js";

export class PostEncoder {
  /** The id that pads a batch's shorter rows. */
  readonly padId: number;

  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly maxLength: number,
    private readonly clsId: number,
    private readonly sepId: number,
  ) {
    this.padId = tokenizer.pad_token_id ?? 0;
  }

  /** @throws CliError(model) when the tokenizer has no [CLS] or [SEP]: not a BERT-style model. */
  static of(tokenizer: PreTrainedTokenizer, maxLength: number, model: string): PostEncoder {
    const cls = tokenizer.convert_tokens_to_ids("[CLS]");
    const sep = tokenizer.sep_token_id ?? tokenizer.convert_tokens_to_ids("[SEP]");
    if (typeof cls !== "number" || typeof sep !== "number") {
      throw modelError(
        `the tokenizer of ${model} has no [CLS] or [SEP] token (tokenizer.json): the model must be BERT-style`,
      );
    }
    return new PostEncoder(tokenizer, maxLength, cls, sep);
  }

  /** Word-piece ids of each text, truncated with [CLS] ... [SEP] kept. */
  encode(texts: readonly string[]): number[][] {
    return texts.map((t) =>
      withSpecialTokens(this.pieces(t), this.maxLength, this.clsId, this.sepId),
    );
  }

  /**
   * `encode` with a checkpoint between posts, so that Ctrl-C and an abort signal act within
   * 50 ms even while 18,846 posts are tokenized (about 4 s). (Chunks of 256 posts held the
   * event loop for 0.2 to 0.3 s on a loaded machine.)
   */
  async encodeYielding(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const checkpoint = interrupter(signal);
    const out: number[][] = [];
    for (const text of texts) {
      await checkpoint();
      out.push(...this.encode([text]));
    }
    return out;
  }

  /**
   * Word pieces of a text, at least the first `maxLength - 2` of them exactly. A long post is
   * first tokenized only up to a whitespace cut well past what truncation keeps: BERT's
   * pre-tokenizer splits at whitespace, so the pieces before the cut are the full text's pieces.
   * (Only " ", \n, \t, \r count: other characters JavaScript calls space, like U+FEFF, are
   * deleted by BERT's normaliser and join their neighbours.) This saves most of the tokenizer's
   * time on the 1 in 4 posts that are truncated anyway.
   */
  private pieces(text: string): number[] {
    const need = this.maxLength - 2;
    const window = need * 10;
    if (text.length > window) {
      const cut = Math.max(
        text.lastIndexOf(" ", window),
        text.lastIndexOf("\n", window),
        text.lastIndexOf("\t", window),
        text.lastIndexOf("\r", window),
      );
      if (cut > 0) {
        const head = this.tokenizer.encode(text.slice(0, cut), { add_special_tokens: false });
        if (head.length >= need) return head;
      }
    }
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }
}
