/**
 * Splits text into LLM-like tokens without a vocabulary. Synthetic streams need token
 * boundaries that look like a model's (words with their leading space, numbers,
 * punctuation runs, whitespace), not an exact BPE tokenizer.
 */

// GPT-2's pre-tokenizer pattern. Every code point falls in one of its classes (letter,
// number, whitespace, anything else), so the matches cover the text with no gaps.
const GPT2_PRETOKENIZER = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Splits text with the GPT-2 pre-tokenizer regex; joining the tokens gives the text back.
 * An approximation of BPE tokens: about one token per word, where real BPE splits long or
 * rare words (and non-English text) into several tokens.
 */
export function tokenize(text: string): string[] {
  return text.match(GPT2_PRETOKENIZER) ?? [];
}
