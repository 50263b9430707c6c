/**
 * Classes of ASCII characters, by code unit, that detectors and format readers test one
 * character at a time (`charCodeAt`) around a candidate, where a regex per character would cost
 * more. `NaN`, what `charCodeAt` gives past either end of a text, is in none of them.
 */

/** `0`–`9`. */
export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** An ASCII letter or digit. */
export function isAlphanumeric(code: number): boolean {
  return isDigit(code) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
}

/** An ASCII letter, digit or `_`: a character of a word as regexes' `\w` reads it. */
export function isWordCharacter(code: number): boolean {
  return isAlphanumeric(code) || code === 0x5f;
}

/** A space or a tab. */
export function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** LF or CR. */
export function isLineBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d;
}
