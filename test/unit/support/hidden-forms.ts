import fc from 'fast-check';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import {
  builtInDetectorIds,
  createBuiltInDetector,
} from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import { MAX_DROPPED_RUN } from '../../../functions/core/redaction/normalized-text.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { compiledRuleSetOf } from './compiled-rule-set.ts';

/** A sensitive value, the label its detector writes, and the keyword written before it. */
export interface Plant {
  readonly value: string;
  readonly label: string;
  readonly keyword: string;
}

export const PLANTS: readonly Plant[] = [
  { value: 'jane.doe@example.com', label: 'EMAIL', keyword: 'mail' },
  { value: '4111 1111 1111 1111', label: 'CARD', keyword: 'card' },
  { value: '4111111111111111', label: 'CARD', keyword: 'card' },
  { value: '219-09-9999', label: 'SSN', keyword: 'ssn' },
  { value: 'GB82WEST12345698765432', label: 'IBAN', keyword: 'IBAN' },
];

/** Every built-in detector, each replacing its matches with `[LABEL]`. */
export function builtInRedactor(): Redactor {
  return new Redactor(
    compiledRuleSetOf(builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector)),
  );
}

/** Invisible characters the scanner drops inside values. */
export const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];

/** Spaces the scanner folds to a space: no-break, narrow no-break, thin, ideographic. */
const SPACES = ['\u00a0', '\u202f', '\u2009', '\u3000'];

/** Dashes the scanner folds to a hyphen-minus. */
const DASHES = ['\u2010', '\u2011', '\u2212', '\uff0d'];

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  '@': '&commat;',
  '.': '&period;',
  '-': '&hyphen;',
  ' ': '&nbsp;',
  _: '&lowbar;',
};

/** The full-width form of a printable ASCII character (the ideographic space for a space). */
export function fullWidth(character: string): string {
  const code = character.charCodeAt(0);
  if (code === 0x20) return '\u3000';
  return code > 0x20 && code < 0x7f ? String.fromCharCode(code + 0xfee0) : character;
}

/** `%XX` for each UTF-8 byte of `character`, in upper or lower case hex. */
export function percentEncode(character: string, isLowerHex = false): string {
  const encoded = [...Buffer.from(character, 'utf8')]
    .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
    .join('');
  return isLowerHex ? encoded : encoded.toUpperCase();
}

/** An HTML character reference for `character`: decimal, hex, or named when it has a name. */
export function entityEncode(character: string, style: 'decimal' | 'hex' | 'named'): string {
  const named = NAMED_ENTITIES[character];
  if (style === 'named' && named !== undefined) return named;
  const codePoint = character.codePointAt(0) as number;
  return style === 'hex' ? `&#x${codePoint.toString(16)};` : `&#${codePoint};`;
}

/**
 * A JSON / JavaScript string escape of `character` written into text: `\uXXXX` for each UTF-16
 * code unit (a surrogate pair gives two), or `\xHH` for printable ASCII when `isHex`.
 */
export function unicodeEscape(character: string, isHex = false, isLowerHex = false): string {
  const code = character.charCodeAt(0);
  const hex = (value: number, width: number) => {
    const digits = value.toString(16).padStart(width, '0');
    return isLowerHex ? digits : digits.toUpperCase();
  };
  if (isHex && character.length === 1 && code >= 0x20 && code <= 0x7e) return `\\x${hex(code, 2)}`;
  return [...Array(character.length).keys()].map((i) => `\\u${hex(character.charCodeAt(i), 4)}`).join('');
}

/** Characters of `text`, surrogate pairs kept whole. */
function charactersOf(text: string): string[] {
  return [...text];
}

/** A rewrite of each character, given per-character choices. */
function perCharacter<T>(choice: fc.Arbitrary<T>, rewrite: (character: string, choice: T) => string) {
  return (text: string) =>
    fc
      .array(choice, { minLength: charactersOf(text).length, maxLength: charactersOf(text).length })
      .map((choices) =>
        charactersOf(text)
          .map((character, i) => rewrite(character, choices[i] as T))
          .join(''),
      );
}

/** Character-level forms: the characters the detectors see are the same after folding. */
const shapeForms: Record<string, (plant: Plant) => fc.Arbitrary<string>> = {
  plain: (plant) => fc.constant(plant.value),
  fullWidth: (plant) => perCharacter(fc.boolean(), (c, isWide) => (isWide ? fullWidth(c) : c))(plant.value),
  invisible: (plant) => {
    const characters = charactersOf(plant.value);
    return fc
      .array(fc.array(fc.constantFrom(...INVISIBLES), { maxLength: MAX_DROPPED_RUN }), {
        minLength: characters.length - 1,
        maxLength: characters.length - 1,
      })
      .map((runs) => characters.map((c, i) => c + (runs[i]?.join('') ?? '')).join(''));
  },
  separators: (plant) => {
    if (plant.label === 'CARD') {
      const digits = plant.value.replaceAll(' ', '');
      return fc
        .constantFrom(' ', '.', '-', ...SPACES.filter((space) => space !== '\u3000'))
        .map((separator) => digits.match(/\d{4}/g)?.join(separator) ?? digits);
    }
    if (plant.label === 'SSN') {
      return fc.constantFrom('', ' ', ...DASHES).map((separator) => plant.value.replaceAll('-', separator));
    }
    return fc.constant(plant.value);
  },
  lowerCase: (plant) => fc.constant(plant.label === 'IBAN' ? plant.value.toLowerCase() : plant.value),
};

/** Escapes, applied over a character-level form: the scanner decodes one level. */
const escapeForms: Record<string, (text: string) => fc.Arbitrary<string>> = {
  none: (text) => fc.constant(text),
  percent: perCharacter(fc.constantFrom('keep', 'upper', 'lower'), (c, how) =>
    how === 'keep' ? c : percentEncode(c, how === 'lower'),
  ),
  entity: perCharacter(fc.constantFrom('keep', 'decimal', 'hex', 'named'), (c, how) =>
    how === 'keep' ? c : entityEncode(c, how),
  ),
  unicode: perCharacter(fc.constantFrom('keep', 'upper', 'lower', 'hex'), (c, how) =>
    how === 'keep' ? c : unicodeEscape(c, how === 'hex', how === 'lower'),
  ),
};

export const SHAPE_FORMS = Object.keys(shapeForms);
export const ESCAPE_FORMS = Object.keys(escapeForms);

/** A planted value in a hidden form, with the names of the forms. */
export interface HiddenPlant {
  readonly plant: Plant;
  readonly hidden: string;
  readonly forms: string;
}

/** A planted value hidden by one character-level form and one escape form (either may be none). */
export function hiddenPlant(
  shapes: readonly string[] = SHAPE_FORMS,
  escapes: readonly string[] = ESCAPE_FORMS,
): fc.Arbitrary<HiddenPlant> {
  return fc
    .record({
      plant: fc.constantFrom(...PLANTS),
      shape: fc.constantFrom(...shapes),
      escaping: fc.constantFrom(...escapes),
    })
    .chain(({ plant, shape, escaping }) =>
      (shapeForms[shape] as (plant: Plant) => fc.Arbitrary<string>)(plant)
        .chain((shaped) => (escapeForms[escaping] as (text: string) => fc.Arbitrary<string>)(shaped))
        .map((hidden) => ({ plant, hidden, forms: `${shape}+${escaping}` })),
    );
}

/**
 * Text that must come out byte for byte: a lone `%`, `&` in names, entities and escapes that
 * decode to nothing sensitive, full-width text, invisible characters in words, nine digits
 * far from any SSN keyword, numbers with exponents outside JSON.
 */
export const NEAR_MISSES = [
  '100% done, 50 % left',
  'AT&T and Q&A',
  'fish &amp; chips',
  '&nbsp;',
  'a&#64;b',
  'x%40y',
  'path=%2Fhome%2Fuser%20dir',
  'ｈｅｌｌｏ　ｗｏｒｌｄ（テスト）',
  'zero\u200bwidth',
  'order reference number for this shipment: 219099999',
  'v1.2.3 build 4111',
  'ratio 4.111111111111111e15',
  '&#xZZ; &#; &unknown; %zz %',
  'C:\\Users\\x\\new\\u00zz \\uD83D alone \\x7F \\x1b[0m \\u0000',
] as const;

/** Filler words without anything a detector finds. */
export const FILLER = ['lorem ipsum', 'status ok', 'GET /index.html 200', 'id=42 latency_ms=17'] as const;
