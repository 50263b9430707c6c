/**
 * `text` as a one-byte string when it is Latin-1 (the same characters). V8 keeps a string read
 * from a text holding any character beyond U+00FF (a rule file with a `…` in a comment) in two
 * bytes per character, slices of it too; one such piece in an output built by concatenation
 * makes the whole output two-byte when it is flattened, which doubles its memory and costs the
 * UTF-8 encoder its Latin-1 fast path. JSON.parse makes each string it reads one-byte when all
 * its characters fit. A single character needs none of this (V8 keeps one string per Latin-1
 * character: a mask's `char` is one-byte however it was read).
 *
 * @example
 * oneByteText('[NAME]'); // '[NAME]', one byte per character
 */
export function oneByteText(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
