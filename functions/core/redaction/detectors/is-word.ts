function isLetter(code: number): boolean {
  return (code | 32) >= 97 && (code | 32) <= 122;
}

function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

/**
 * True when `text[start, end)` is a word of its own in any case convention, not part of a longer
 * lower-case word: `SIN:`, `customer_sin`, `customerSin`, but not `using` or `Austin`. Where a
 * pack keyword counts (see `createDetectorGroup`); the anchor lanes' kernel tells it the same
 * way (assembly/anchor-lanes.ts).
 */
export function isWord(text: string, start: number, end: number): boolean {
  if (start > 0 && isLetter(text.charCodeAt(start - 1)) && isLower(text.charCodeAt(start))) return false;
  return !(end < text.length && isLower(text.charCodeAt(end)) && isLetter(text.charCodeAt(end - 1)));
}
