/**
 * The halves of a UTF-16 surrogate pair, tested by code unit: where text may be cut, escaped or
 * encoded apart without splitting a character in two.
 */
export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
