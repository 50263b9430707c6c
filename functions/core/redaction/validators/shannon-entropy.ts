/**
 * Shannon entropy of `text` in bits per character, from its own character frequencies: 0 for
 * `aaaa`, 2 for `abcd`, at most log2 of its length. Secrets drawn at random from a large
 * alphabet score high; words, repeated characters and placeholders (`xxxxxxxx`) score low.
 *
 * @example
 * shannonEntropy('abcd'); // 2
 */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let length = 0;
  for (const count of counts.values()) length += count;
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
