/** Occurrences of each ASCII character in the text being measured; all zero between calls. */
const asciiCounts = new Int32Array(128);

/**
 * Shannon entropy of `text` in bits per character, from its own character frequencies: 0 for
 * `aaaa`, 2 for `abcd`, at most log2 of its length. Secrets drawn at random from a large
 * alphabet score high; words, repeated characters and placeholders (`xxxxxxxx`) score low.
 *
 * Characters are code points, and their terms are added in the order the characters first
 * occur, so the sum is the same number whichever way the counts are kept. ASCII ones are counted
 * in a typed array: with a `Map` keyed by one-character strings a 240-character token took
 * 7.2 µs, so 0.85 µs (CPU time, best of 7), and bearer tokens holding JWTs on the bench CSV
 * reach it thousands of times per 16 MB.
 *
 * @example
 * shannonEntropy('abcd'); // 2
 */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  /** Distinct characters in order of first occurrence: ASCII codes, then others as code points. */
  const order: number[] = [];
  let others: Map<number, number> | undefined;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    length++;
    if (code < 128) {
      if (asciiCounts[code] === 0) order.push(code);
      asciiCounts[code] = (asciiCounts[code] as number) + 1;
      continue;
    }
    code = text.codePointAt(i) as number;
    if (code > 0xffff) i++;
    others ??= new Map();
    const count = others.get(code);
    if (count === undefined) order.push(code);
    others.set(code, (count ?? 0) + 1);
  }
  let bits = 0;
  for (const code of order) {
    let count: number;
    if (code < 128) {
      count = asciiCounts[code] as number;
      asciiCounts[code] = 0;
    } else count = others?.get(code) as number;
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
