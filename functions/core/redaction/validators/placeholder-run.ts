/**
 * Length of the runs that mark a key body as typed by hand: eight characters ascending through
 * the digits or the alphabet, in either case (`12345678`, `abcdefgh`, `klMnopqr`), or eight of
 * one character (`xxxxxxxx`, `00000000`, `########`).
 *
 * The chance that a random key holds such a run is negligible. At each of its n positions
 * (counting the one where a fixed prefix meets the body) a run starts with probability at
 * most (c/A)^7 + (1/A)^7 for an alphabet of A characters, c = 2 when it holds both cases (each
 * next character is one of the two cases of the successor) and 1 otherwise; so a random body
 * is rejected with probability at most n * ((c/A)^7 + (1/A)^7):
 *
 * | detector | alphabet | A | c | n (longest) | bound |
 * |---|---|---|---|---|---|
 * | `anthropic-api-key` (`sk-ant-…`) | A-Z a-z 0-9 _ - | 64 | 2 | 201 | 5.9e-9 |
 * | `gcp-api-key` (`AIza…`) | A-Z a-z 0-9 _ - | 64 | 2 | 36 | 1.1e-9 |
 * | `openai-api-key` (`sk-…`) | A-Z a-z 0-9 _ - | 64 | 2 | 201 | 5.9e-9 |
 *
 * Hex and digit bodies would be rejected far more often (32 hex digits: 2.4e-7; 20 digits:
 * 4e-6), so the check is kept for bodies drawn from 64 characters.
 */
export const placeholderRunLength = 8;

/**
 * True when `value` holds a run of {@link placeholderRunLength} characters ascending through
 * `0-9` or `a-z` (letters compared ignoring case) or repeating one character.
 *
 * @example
 * hasPlaceholderRun('AIzaSyQ0x_Mq7-12345678-jR4vTn2LbKw9Pe5'); // true
 * hasPlaceholderRun('AIzaSyzCMZtuOrYJ9NDE9SYXOaWUkMHR7JMpy72'); // false
 */
export function hasPlaceholderRun(value: string): boolean {
  let ascending = 1;
  let repeated = 1;
  for (let i = 1; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const previous = value.charCodeAt(i - 1);
    repeated = code === previous ? repeated + 1 : 1;
    ascending = isSuccessor(foldCase(previous), foldCase(code)) ? ascending + 1 : 1;
    if (repeated >= placeholderRunLength || ascending >= placeholderRunLength) return true;
  }
  return false;
}

/** True when `next` follows `code` among `0-9` or among `a-z`. */
function isSuccessor(code: number, next: number): boolean {
  return next === code + 1 && ((code >= 48 && next <= 57) || (code >= 97 && next <= 122));
}

/** `A-Z` as `a-z`; every other code unit as it is. */
function foldCase(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}
