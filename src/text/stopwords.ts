/**
 * scikit-learn's built-in English stop-word list (`sklearn.feature_extraction.text.ENGLISH_STOP_WORDS`,
 * 318 words, identical in 1.2.1 and later), shipped as `data/english-stop-words.txt`. Used by the
 * TF-IDF embedder and the cluster term labels so both drop the same words scikit-learn's
 * `stop_words="english"` drops.
 */
import { STOP_WORDS_LIST } from "../data.js";

/** The 318 words, sorted by code point. */
export const ENGLISH_STOP_WORDS_LIST: readonly string[] = STOP_WORDS_LIST;

/** The same words as a set, for `analyze`. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(ENGLISH_STOP_WORDS_LIST);
