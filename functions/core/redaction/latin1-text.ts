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
