/**
 * The characters {@link foldCharacter} may change, as the body of a regex class: Latin-1's
 * no-break space and soft hyphen, three invisible characters, general punctuation (spaces,
 * dashes, zero-width characters, direction controls), letterlike symbols, number forms and
 * enclosed alphanumerics, the ideographic space, CJK compatibility squares, presentation forms
 * (ligatures), small, full-width and half-width forms, and (by their high surrogate) the
 * planes' mathematical letters and digits, enclosed alphanumerics and segmented digits.
 * Written as few wide ranges: it is tested on every character of text outside Latin-1, and
 * V8 runs some classes of many narrow ranges five times slower.
 */
export const FOLDABLE_CLASS =
  '\\u00a0\\u00ad\\u034f\\u061c\\u180e\\u2000-\\u24ff\\u3000\\u3250-\\u33ff\\ufb00-\\ufeff\\uff00-\\uffef' +
  '\\ud833\\ud835\\ud83c\\ud83e';

/** The characters of Latin-1 that {@link foldCharacter} changes: no-break space and soft hyphen. */
export const LATIN1_FOLDABLE = ['\u00a0', '\u00ad'] as const;

const FOLDABLE = new RegExp(`^[${FOLDABLE_CLASS}]`);

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
 * Superscripts and subscripts: NFKC folds them to digits and letters, but they write exponents
 * and footnotes (`m²`), not the characters of a value.
 */
const SUPERSCRIPT = /^[\u2070-\u209f]$/;

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Folds of the foldable characters met so far, by character: a few thousand at most. */
const folds = new Map<string, string | undefined>();

/**
 * What a character (one code point) becomes before the detectors see it: `''` for an invisible
 * format character (see `INVISIBLE`), `-` for a dash, and for the other characters of
 * `FOLDABLE_CLASS` its NFKC compatibility form when that is printable ASCII (full-width forms
 * `４` → `4` and `＠` → `@`, the spaces NFKC folds, such as no-break, thin and ideographic spaces
 * → ` `, ligatures, circled and mathematical digits and letters), except superscripts and
 * subscripts; `undefined` when it stays as it is.
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
