/** IBAN length per country, from the SWIFT IBAN registry (ISO 13616). */
// biome-ignore format: a registry table reads best as a table
const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** Shortest IBAN of any country (Norway), in characters. */
export const minIbanLength = 15;

/** Longest IBAN of any country, in characters without spaces. */
export const maxIbanLength = 34;

/**
 * {@link ibanLengths} by the country code's letters, `A` to `Z` each: at `26 * first + second`,
 * 0 for a code that is no country's. Read by the letters' codes, where looking a two-letter
 * string up in the record made V8 find it in its string table first.
 */
const lengthsByLetters = new Uint8Array(26 * 26);
for (const [code, length] of Object.entries(ibanLengths))
  lengthsByLetters[26 * (code.charCodeAt(0) - 65) + code.charCodeAt(1) - 65] = length;

/** The IBAN length for a country code, or `undefined` when the country does not use IBANs. */
export function ibanLengthOf(countryCode: string): number | undefined {
  return countryCode.length === 2
    ? ibanLengthOfLetters(countryCode.charCodeAt(0), countryCode.charCodeAt(1))
    : undefined;
}

/**
 * The IBAN length for the country code of the two characters `first` and `second` (UTF-16
 * codes), or `undefined` when they are not the upper-case letters of a country that uses IBANs.
 */
export function ibanLengthOfLetters(first: number, second: number): number | undefined {
  const row = first - 65;
  const column = second - 65;
  if (!(row >= 0 && row < 26 && column >= 0 && column < 26)) return undefined;
  const length = lengthsByLetters[26 * row + column] as number;
  return length === 0 ? undefined : length;
}

/**
 * The ISO 7064 mod-97 remainder of `remainder` followed by the IBAN character `code` (a digit,
 * or an upper-case letter read as 10 to 35).
 */
export function mod97Step(remainder: number, code: number): number {
  return code <= 57 ? (remainder * 10 + code - 48) % 97 : (remainder * 100 + code - 55) % 97;
}

/**
 * True when `compact` (upper case, no spaces) is an IBAN: a known country code, two check
 * digits, the country's length, and the ISO 7064 mod-97 remainder 1.
 */
export function isValidIban(compact: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(compact)) return false;
  if (ibanLengthOf(compact.slice(0, 2)) !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) remainder = mod97Step(remainder, rearranged.charCodeAt(i));
  return remainder === 1;
}

/**
 * `isValidIban` of the letters and digits of `value` in upper case, the other characters
 * dropped (`gb82 west-1234…`), read in place: the validator of the packs' IBAN members, which
 * copied, upper-cased and sliced every candidate (2,800 keyword windows per 16 MB of the bench CSV).
 */
export function isValidIbanText(value: string): boolean {
  let length = 0;
  const head = [0, 0, 0, 0];
  for (let i = 0; i < value.length; i++) {
    const code = upperAlphanumeric(value.charCodeAt(i));
    if (code === 0) continue;
    if (length < 4) head[length] = code;
    length++;
  }
  const [first, second, third, fourth] = head as [number, number, number, number];
  if (
    length < 5 ||
    !isDigitCode(third) ||
    !isDigitCode(fourth) ||
    ibanLengthOfLetters(first, second) !== length
  )
    return false;
  let remainder = 0;
  let seen = 0;
  for (let i = 0; i < value.length; i++) {
    const code = upperAlphanumeric(value.charCodeAt(i));
    if (code === 0 || seen++ < 4) continue;
    remainder = mod97Step(remainder, code);
  }
  for (const code of head) remainder = mod97Step(remainder, code);
  return remainder === 1;
}

/** An ASCII letter's upper-case code, a digit's code, else 0. */
function upperAlphanumeric(code: number): number {
  if (code >= 48 && code <= 57) return code;
  const upper = code & ~32;
  return upper >= 65 && upper <= 90 ? upper : 0;
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}
