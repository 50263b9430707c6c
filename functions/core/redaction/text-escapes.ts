import { isAlphanumeric } from './ascii-classes.ts';

/** One escape read from text: the character it stands for and how many code units it takes. */
export interface DecodedEscape {
  /** The decoded character: one code point, one or two UTF-16 code units. */
  readonly text: string;
  readonly length: number;
}

/** Longest escape {@link decodeEscapeAt} reads, in code units (`&ZeroWidthSpace;`; `%F0%9F%98%80` and `\uD83D\uDE00` are 12). */
export const MAX_ESCAPE_LENGTH = 16;

const PERCENT = 0x25;
const AMPERSAND = 0x26;
const HASH = 0x23;
const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;
const LOWER_X = 0x78;

/**
 * HTML named character references that can stand for a character of a sensitive value or a
 * separator around one: ASCII punctuation, spaces, dashes and invisible characters. Names are
 * case-sensitive, as in HTML; the legacy forms without a semicolon are not read.
 */
const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['AMP', '&'],
  ['lt', '<'],
  ['LT', '<'],
  ['gt', '>'],
  ['GT', '>'],
  ['quot', '"'],
  ['QUOT', '"'],
  ['apos', "'"],
  ['commat', '@'],
  ['period', '.'],
  ['comma', ','],
  ['colon', ':'],
  ['semi', ';'],
  ['excl', '!'],
  ['num', '#'],
  ['dollar', '$'],
  ['percnt', '%'],
  ['lpar', '('],
  ['rpar', ')'],
  ['ast', '*'],
  ['midast', '*'],
  ['plus', '+'],
  ['sol', '/'],
  ['bsol', '\\'],
  ['equals', '='],
  ['quest', '?'],
  ['lsqb', '['],
  ['lbrack', '['],
  ['rsqb', ']'],
  ['rbrack', ']'],
  ['lowbar', '_'],
  ['UnderBar', '_'],
  ['grave', '`'],
  ['lcub', '{'],
  ['lbrace', '{'],
  ['rcub', '}'],
  ['rbrace', '}'],
  ['verbar', '|'],
  ['vert', '|'],
  ['VerticalLine', '|'],
  ['Hat', '^'],
  ['Tab', '\t'],
  ['NewLine', '\n'],
  ['nbsp', '\u00a0'],
  ['shy', '\u00ad'],
  ['hyphen', '\u2010'],
  ['dash', '\u2010'],
  ['ndash', '\u2013'],
  ['mdash', '\u2014'],
  ['minus', '\u2212'],
  ['ensp', '\u2002'],
  ['emsp', '\u2003'],
  ['emsp13', '\u2004'],
  ['emsp14', '\u2005'],
  ['numsp', '\u2007'],
  ['puncsp', '\u2008'],
  ['thinsp', '\u2009'],
  ['ThinSpace', '\u2009'],
  ['hairsp', '\u200a'],
  ['VeryThinSpace', '\u200a'],
  ['ZeroWidthSpace', '\u200b'],
  ['zwnj', '\u200c'],
  ['zwj', '\u200d'],
  ['lrm', '\u200e'],
  ['rlm', '\u200f'],
  ['NoBreak', '\u2060'],
  ['MediumSpace', '\u205f'],
]);
const MAX_NAME_LENGTH = MAX_ESCAPE_LENGTH - 2;

/**
 * The escape at `at`, if one starts there: a percent-encoded character (`%40`, or the 2 to 4
 * `%XX` bytes of one UTF-8 encoded character, as URLs and access logs write them), an HTML
 * character reference (`&#64;`, `&#x40;`, `&commat;`), or a JSON / JavaScript string escape
 * written into text (`\u0040`, a surrogate pair `\uD83D\uDE00`, `\x40` for printable ASCII, as
 * logs of serialized strings hold them). Anything else, a `%` not followed by two hex digits,
 * bytes that are not well-formed UTF-8, an unknown name, a reference without its semicolon or
 * to a code point HTML does not decode (0, surrogates, C1 controls), `\u0000` or a surrogate
 * without its pair, is no escape. The answer depends only on `text[at, at + MAX_ESCAPE_LENGTH)`.
 */
export function decodeEscapeAt(text: string, at: number): DecodedEscape | undefined {
  const code = text.charCodeAt(at);
  if (code === PERCENT) return decodePercentAt(text, at);
  if (code === AMPERSAND) return decodeReferenceAt(text, at);
  if (code === BACKSLASH) return decodeBackslashAt(text, at);
  return undefined;
}

/** `\uXXXX` (two of them for a surrogate pair), or `\xHH` of a printable ASCII character. */
function decodeBackslashAt(text: string, at: number): DecodedEscape | undefined {
  const kind = text.charCodeAt(at + 1);
  if (kind === LOWER_X) {
    const high = hexValue(text.charCodeAt(at + 2));
    const low = hexValue(text.charCodeAt(at + 3));
    const code = high * 16 + low;
    return high < 0 || low < 0 || code < 0x20 || code > 0x7e
      ? undefined
      : { text: String.fromCharCode(code), length: 4 };
  }
  if (kind !== LOWER_U) return undefined;
  const unit = unicodeUnitAt(text, at);
  if (unit <= 0 || (unit >= 0xdc00 && unit <= 0xdfff)) return undefined;
  if (unit < 0xd800 || unit > 0xdbff) return { text: String.fromCharCode(unit), length: 6 };
  const low = text.charCodeAt(at + 6) === BACKSLASH ? unicodeUnitAt(text, at + 6) : -1;
  return low >= 0xdc00 && low <= 0xdfff ? { text: String.fromCharCode(unit, low), length: 12 } : undefined;
}

/** The code unit of the `\uXXXX` at `at`, or -1. */
function unicodeUnitAt(text: string, at: number): number {
  if (text.charCodeAt(at + 1) !== LOWER_U) return -1;
  let unit = 0;
  for (let i = 2; i < 6; i++) {
    const digit = hexValue(text.charCodeAt(at + i));
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

function decodePercentAt(text: string, at: number): DecodedEscape | undefined {
  const lead = byteAt(text, at);
  if (lead < 0x80) return lead < 0 ? undefined : { text: String.fromCharCode(lead), length: 3 };
  // UTF-8 (RFC 3629): the lead byte gives the length; the second byte's range excludes
  // overlong forms, surrogates and code points past U+10FFFF.
  let count: number;
  let codePoint: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    count = 1;
    codePoint = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    count = 2;
    codePoint = lead & 0x0f;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    count = 3;
    codePoint = lead & 0x07;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else return undefined;
  for (let i = 1; i <= count; i++) {
    const byte = byteAt(text, at + 3 * i);
    if (byte < low || byte > high) return undefined;
    codePoint = (codePoint << 6) | (byte & 0x3f);
    low = 0x80;
    high = 0xbf;
  }
  return { text: String.fromCodePoint(codePoint), length: 3 * (count + 1) };
}

/** The byte of the `%XX` at `at`, or -1. */
function byteAt(text: string, at: number): number {
  if (text.charCodeAt(at) !== PERCENT) return -1;
  const high = hexValue(text.charCodeAt(at + 1));
  const low = hexValue(text.charCodeAt(at + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

function decodeReferenceAt(text: string, at: number): DecodedEscape | undefined {
  if (text.charCodeAt(at + 1) === HASH) return decodeNumericReferenceAt(text, at);
  let end = at + 1;
  while (end - at - 1 < MAX_NAME_LENGTH && isAlphanumeric(text.charCodeAt(end))) end++;
  if (end === at + 1 || text.charCodeAt(end) !== SEMICOLON) return undefined;
  const decoded = NAMED_ENTITIES.get(text.slice(at + 1, end));
  return decoded === undefined ? undefined : { text: decoded, length: end + 1 - at };
}

/** `&#` then up to 7 decimal digits, or `&#x` then up to 6 hex digits, then `;`: at most 10 code units. */
function decodeNumericReferenceAt(text: string, at: number): DecodedEscape | undefined {
  const isHex = (text.charCodeAt(at + 2) | 0x20) === 0x78;
  const digitsStart = at + (isHex ? 3 : 2);
  const base = isHex ? 16 : 10;
  const maxDigits = isHex ? 6 : 7;
  let end = digitsStart;
  let codePoint = 0;
  while (end - digitsStart < maxDigits) {
    const digit = hexValue(text.charCodeAt(end));
    if (digit < 0 || digit >= base) break;
    codePoint = codePoint * base + digit;
    end++;
  }
  if (end === digitsStart || text.charCodeAt(end) !== SEMICOLON) return undefined;
  const isDecoded =
    codePoint > 0 &&
    codePoint <= 0x10ffff &&
    !(codePoint >= 0xd800 && codePoint <= 0xdfff) &&
    !(codePoint >= 0x80 && codePoint <= 0x9f);
  return isDecoded ? { text: String.fromCodePoint(codePoint), length: end + 1 - at } : undefined;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
