/**
 * Characters outside Latin-1 that {@link foldCharacter} may change, as one regex class (a
 * superset: the ranges are coarse where that keeps the class short). High surrogates stand for
 * the planes' mathematical letters and digits, enclosed alphanumerics and segmented digits.
 * A unit test checks the class against the running Node's Unicode data.
 */
export const WIDE_FOLDABLE =
  '\\u0132\\u0133\\u017f\\u01c7-\\u01cc\\u01f1-\\u01f3\\u034f\\u037e\\u061c\\u180e\\u1fef' +
  '\\u2000-\\u2015\\u2024-\\u2026\\u202a-\\u202f\\u203c\\u2047-\\u2049\\u205f-\\u2064\\u2066-\\u206f' +
  '\\u20a8\\u2100-\\u2189\\u2212\\u2460-\\u24ea\\u2a74-\\u2a76\\u3000\\u3250-\\u33ff\\ufb00-\\ufb29' +
  '\\ufe10-\\ufe6b\\ufeff\\uff01-\\uff5e\\ud833\\ud835\\ud83c\\ud83e';

/** The characters of Latin-1 that {@link foldCharacter} changes: no-break space and soft hyphen. */
export const LATIN1_FOLDABLE = ['\u00a0', '\u00ad'] as const;

const FOLDABLE = new RegExp(`^(?:[${LATIN1_FOLDABLE.join('')}${WIDE_FOLDABLE}])`);

/**
 * Invisible format characters that hide inside values: soft hyphen, combining grapheme joiner,
 * Arabic letter mark, Mongolian vowel separator, zero-width space, non-joiner and joiner,
 * direction marks and embeddings, word joiner and invisible operators, direction isolates,
 * and the zero-width no-break space (byte order mark). Code point ranges, inclusive.
 */
const INVISIBLE = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0xfeff, 0xfeff],
] as const;

/** Dashes NFKC leaves alone that print as a hyphen-minus between digits. */
const DASH = /^[\u2010-\u2015\u2212\ufe58]$/;

/**
 * Superscripts, subscripts and modifier letters: NFKC folds them to letters and digits, but
 * they write exponents, footnotes and ordinals (`m²`, `1ª`), not the characters of a value.
 */
const SUPERSCRIPT =
  /^(?:[\u00aa\u00b2\u00b3\u00b9\u00ba\u02b0-\u02ff\u1d2c-\u1dbf\u2070-\u209f\u2c7c\u2c7d\ua69c\ua69d\ua770\ua7f1-\ua7f4\uab5c-\uab5f\uab69]|\ud801[\udf80-\udfba]|\ud838[\udc30-\udc6d])$/;

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Folds of the foldable characters met so far, by character: a few thousand at most. */
const folds = new Map<string, string | undefined>();

/**
 * What a character (one code point) becomes before the detectors see it: `''` for an invisible
 * format character (see `INVISIBLE`), `-` for a dash, its NFKC compatibility form when that
 * is printable ASCII (full-width forms `４` → `4` and `＠` → `@`, the spaces NFKC folds, such
 * as no-break, thin and ideographic spaces → ` `, ligatures, circled and mathematical digits and
 * letters), except superscripts and subscripts; `undefined` when it stays as it is.
 */
export function foldCharacter(character: string): string | undefined {
  if (!FOLDABLE.test(character)) return undefined;
  if (folds.has(character)) return folds.get(character);
  let fold: string | undefined;
  if (isInvisible(character.charCodeAt(0))) fold = '';
  else if (DASH.test(character)) fold = '-';
  else if (!SUPERSCRIPT.test(character)) {
    const compatible = character.normalize('NFKC');
    if (compatible !== character && PRINTABLE_ASCII.test(compatible)) fold = compatible;
  }
  folds.set(character, fold);
  return fold;
}

function isInvisible(code: number): boolean {
  return INVISIBLE.some(([first, last]) => code >= first && code <= last);
}
