/**
 * Matches a character above U+00FF. V8 keeps text without one (all Latin-1) as a one-byte
 * string, on which this pattern cannot match and the test returns at once.
 */
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/**
 * True when every character of `text` is Latin-1 (U+0000–U+00FF): one byte each, as the
 * WebAssembly kernels that read text as bytes take it (`Buffer#write(text, 'latin1')`).
 *
 * @example
 * isLatin1('crème'); // true
 * isLatin1('€'); // false
 */
export function isLatin1(text: string): boolean {
  return !BEYOND_LATIN1.test(text);
}

/**
 * {@link isLatin1} of the last text asked about, remembered: a kernel copies a long text into its
 * memory a block at a time, a byte a character when the text is Latin-1, and the regex call costs
 * about as much as the byte copy saves on a block (0.1–0.3 µs; an anchor scan block of 8,192
 * characters saved 0.4 µs). The text kept is one its caller keeps anyway.
 *
 * @example
 * const latin1 = new Latin1Memo();
 * latin1.isLatin1(text); // isLatin1(text), tested once for the same text
 */
export class Latin1Memo {
  private text = '';
  private isTextLatin1 = true;

  /** {@link isLatin1} of `text`, tested only when it is not the text of the last call. */
  isLatin1(text: string): boolean {
    if (text !== this.text) this.isTextLatin1 = isLatin1(text);
    // The same object compares in constant time, an equal copy does not: keep the caller's.
    this.text = text;
    return this.isTextLatin1;
  }
}
