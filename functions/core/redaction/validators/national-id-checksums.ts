import { isLuhnValid } from '../detectors/luhn.ts';
import { isVerhoeffValid } from './verhoeff.ts';
import { isIcao9303Valid, isIso7064Mod11_10Valid } from './weighted-checksums.ts';

/**
 * Check digits and structural rules of national identifiers, each taking the identifier as
 * matched (separators such as spaces, dots, dashes and slashes are ignored). Sources: the
 * issuing authorities' published algorithms, as collected by python-stdnum (LGPL; algorithms
 * only, no code or data copied).
 */

/** Letters and digits of `text`, upper case, separators dropped. */
function compact(text: string): string {
  return text.replace(/[\s./:-]/g, '').toUpperCase();
}

function digitsOf(text: string): number[] {
  return [...text].map((char) => char.charCodeAt(0) - 48);
}

function weightedSum(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return sum;
}

/** UK National Insurance number: two prefix letters (not D, F, I, Q, U, V; second not O; not BG, GB, KN, NK, NT, TN, ZZ), six digits, suffix A–D. */
export function isUkNinoValid(text: string): boolean {
  const value = compact(text);
  if (!/^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$/.test(value)) return false;
  return !['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(value.slice(0, 2));
}

/** UK NHS number: ten digits, weights 10…2, check digit 11 − sum mod 11 (11 as 0, 10 never issued). */
export function isUkNhsValid(text: string): boolean {
  const value = compact(text);
  if (!/^[0-9]{10}$/.test(value)) return false;
  const digits = digitsOf(value);
  const check = 11 - (weightedSum(digits, [10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === digits[9];
}

/** Canadian Social Insurance Number: nine digits passing Luhn, not starting 0 or 8. */
export function isCaSinValid(text: string): boolean {
  const value = compact(text);
  return /^[1-79][0-9]{8}$/.test(value) && isLuhnValid(value);
}

const spanishLetters = 'TRWAGMYFPDXBNJZSQVHLCKE';

/**
 * Spanish DNI (8 digits and a letter; 7 when the leading zero is left out) or NIE (X, Y or Z,
 * 7 digits and a letter): the letter is the number mod 23.
 */
export function isEsDniOrNieValid(text: string): boolean {
  const value = compact(text);
  const match = /^([XYZ]?)([0-9]{7,8})([A-Z])$/.exec(value);
  if (match === null) return false;
  const [, prefix = '', number = '', letter] = match;
  if (prefix !== '' && number.length !== 7) return false;
  const full = Number(`${prefix === '' ? '' : 'XYZ'.indexOf(prefix)}${number}`);
  return spanishLetters.charAt(full % 23) === letter;
}

// biome-ignore format: the codice fiscale table reads best as one line per 13 characters
const codiceOdd: Readonly<Record<string, number>> = {
  0: 1, 1: 0, 2: 5, 3: 7, 4: 9, 5: 13, 6: 15, 7: 17, 8: 19, 9: 21, A: 1, B: 0, C: 5,
  D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18, N: 20, O: 11, P: 3,
  Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

/**
 * Italian codice fiscale laid out as issued: six letters, the year, a month letter, the day, a
 * place letter and three characters (digits, or letters standing for them), a last letter; the
 * check letter not checked.
 */
export function isItCodiceFiscaleLayoutValid(text: string): boolean {
  return /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(
    compact(text),
  );
}

/** Italian codice fiscale: 16 characters, the last a letter checking the others (odd and even position tables). */
export function isItCodiceFiscaleValid(text: string): boolean {
  const value = compact(text);
  if (!isItCodiceFiscaleLayoutValid(value)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const char = value.charAt(i);
    if (i % 2 === 0) sum += codiceOdd[char] ?? 0;
    else sum += char >= '0' && char <= '9' ? Number(char) : char.charCodeAt(0) - 65;
  }
  return String.fromCharCode(65 + (sum % 26)) === value.charAt(15);
}

/** French NIR (numéro de sécurité sociale): 13 characters and a key of 97 − (number mod 97); Corsica's 2A/2B count as 19/18. */
export function isFrNirValid(text: string): boolean {
  const value = compact(text);
  if (!/^[12][0-9]{2}(?:0[1-9]|1[0-2]|[2-9][0-9])(?:[0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}$/.test(value))
    return false;
  const body = value.slice(0, 13).replace('2A', '19').replace('2B', '18');
  const key = Number(value.slice(13));
  return 97 - Number(BigInt(body) % 97n) === key;
}

/** How many times each digit that occurs more than once occurs among the first ten of a tax id. */
function deTaxIdRepeats(value: string): number[] {
  const counts = new Map<string, number>();
  for (const char of value.slice(0, 10)) counts.set(char, (counts.get(char) ?? 0) + 1);
  return [...counts.values()].filter((count) => count > 1);
}

/**
 * German tax identification number (Steuer-IdNr): eleven digits, not starting 0, one digit of
 * the first ten repeated two or three times (the rest distinct), ISO 7064 MOD 11,10 check.
 */
export function isDeTaxIdValid(text: string): boolean {
  const value = compact(text);
  if (!/^[1-9][0-9]{10}$/.test(value)) return false;
  const repeated = deTaxIdRepeats(value);
  if (repeated.length !== 1 || (repeated[0] ?? 0) > 3) return false;
  return isIso7064Mod11_10Valid(value);
}

/**
 * German tax identification number with its check digit but without the rule that exactly one
 * digit of the first ten repeats: eleven digits, not starting 0, no digit of the first ten more
 * than three times, ISO 7064 MOD 11,10 check.
 */
export function isDeTaxIdCheckDigitValid(text: string): boolean {
  const value = compact(text);
  if (!/^[1-9][0-9]{10}$/.test(value)) return false;
  return deTaxIdRepeats(value).every((count) => count <= 3) && isIso7064Mod11_10Valid(value);
}

/** German identity card (Personalausweis) number since 2010: nine characters and an ICAO 9303 check digit. */
export function isDeIdCardValid(text: string): boolean {
  const value = compact(text);
  return /^[CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{8}[0-9]$/.test(value) && isIcao9303Valid(value);
}

/** Dutch citizen service number (BSN): nine digits passing the "11-proef" (weights 9…2 and −1). */
export function isNlBsnValid(text: string): boolean {
  const value = compact(text);
  if (!/^[0-9]{9}$/.test(value) || /^0+$/.test(value)) return false;
  const digits = digitsOf(value);
  return (weightedSum(digits, [9, 8, 7, 6, 5, 4, 3, 2]) - (digits[8] ?? 0)) % 11 === 0;
}

/** Polish PESEL without its check digit: eleven digits starting with a birth date (the month encodes the century). */
export function isPlPeselDateValid(text: string): boolean {
  const value = compact(text);
  if (!/^[0-9]{11}$/.test(value)) return false;
  const month = Number(value.slice(2, 4)) % 20;
  const day = Number(value.slice(4, 6));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Polish PESEL: eleven digits, a real birth date (the month encodes the century), weights 1,3,7,9 check digit. */
export function isPlPeselValid(text: string): boolean {
  const value = compact(text);
  if (!isPlPeselDateValid(value)) return false;
  const digits = digitsOf(value);
  const check = (10 - (weightedSum(digits, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10)) % 10;
  return check === digits[10];
}

/** Indian Aadhaar: twelve digits, the first 2–9, passing the Verhoeff check. */
export function isInAadhaarValid(text: string): boolean {
  const value = compact(text);
  return /^[2-9][0-9]{11}$/.test(value) && isVerhoeffValid(value);
}

/** Australian tax file number: eight or nine digits whose weighted sum is a multiple of 11. */
export function isAuTfnValid(text: string): boolean {
  const value = compact(text);
  if (!/^[0-9]{8,9}$/.test(value)) return false;
  const weights = value.length === 9 ? [1, 4, 3, 7, 5, 8, 6, 9, 10] : [10, 7, 8, 4, 6, 3, 5, 1];
  return weightedSum(digitsOf(value), weights) % 11 === 0;
}

/** Australian Medicare card number: ten digits (an eleventh, the person's position, optional), the first 2–6, the ninth checking the first eight. */
export function isAuMedicareValid(text: string): boolean {
  const value = compact(text);
  if (!/^[2-6][0-9]{9,10}$/.test(value)) return false;
  const digits = digitsOf(value);
  return weightedSum(digits, [1, 3, 7, 9, 1, 3, 7, 9]) % 10 === digits[8];
}

function mod11CheckDigit(digits: readonly number[], weights: readonly number[]): number {
  const remainder = weightedSum(digits, weights) % 11;
  return remainder < 2 ? 0 : 11 - remainder;
}

/** Brazilian CPF: eleven digits, two mod-11 check digits, not all the same digit. */
export function isBrCpfValid(text: string): boolean {
  const value = compact(text);
  if (!/^[0-9]{11}$/.test(value) || /^(.)\1+$/.test(value)) return false;
  const digits = digitsOf(value);
  return (
    mod11CheckDigit(digits, [10, 9, 8, 7, 6, 5, 4, 3, 2]) === digits[9] &&
    mod11CheckDigit(digits, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]) === digits[10]
  );
}

/** Brazilian CNPJ: fourteen digits, two mod-11 check digits, not all the same digit. */
export function isBrCnpjValid(text: string): boolean {
  const value = compact(text);
  if (!/^[0-9]{14}$/.test(value) || /^(.)\1+$/.test(value)) return false;
  const digits = digitsOf(value);
  return (
    mod11CheckDigit(digits, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]) === digits[12] &&
    mod11CheckDigit(digits, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]) === digits[13]
  );
}

const curpAlphabet = '0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ';

/** Mexican CURP: eighteen characters, a real birth date, sex H/M/X, and a check digit over the first seventeen. */
export function isMxCurpValid(text: string): boolean {
  const value = compact(text);
  if (
    !/^[A-Z][AEIOUX][A-Z]{2}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[A-Z0-9][0-9]$/.test(
      value,
    )
  ) {
    return false;
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += curpAlphabet.indexOf(value.charAt(i)) * (18 - i);
  return (10 - (sum % 10)) % 10 === Number(value.charAt(17));
}

/** Check letters of each Singapore series, by the remainder of the weighted sum. */
const sgCheckLetters = {
  S: 'JZIHGFEDCBA',
  T: 'JZIHGFEDCBA',
  F: 'XWUTRQPNMLK',
  G: 'XWUTRQPNMLK',
  M: 'XWUTRQPNJLK',
} as const;

/** Singapore NRIC / FIN without its check letter: a series letter (S, T, F, G, M), seven digits, a letter. */
export function isSgNricLayoutValid(text: string): boolean {
  return /^[STFGM][0-9]{7}[A-Z]$/.test(compact(text));
}

/**
 * Singapore NRIC / FIN (S, T, F, G, and M for FINs issued since 2022): seven digits and a check
 * letter. Weights 2,7,6,5,4,3,2; T and G add 4, M adds 3; the remainder mod 11 picks the letter
 * from the series' table (M: K L J N P Q R T U W X counted down from the remainder, as in the
 * government's own FormSG validator, `isMFinSeriesValid`).
 */
export function isSgNricValid(text: string): boolean {
  const value = compact(text);
  const match = /^([STFGM])([0-9]{7})([A-Z])$/.exec(value);
  if (match === null) return false;
  const [, prefix = 'S', number = '', letter] = match;
  const offset = prefix === 'T' || prefix === 'G' ? 4 : prefix === 'M' ? 3 : 0;
  const index = (weightedSum(digitsOf(number), [2, 7, 6, 5, 4, 3, 2]) + offset) % 11;
  return sgCheckLetters[prefix as keyof typeof sgCheckLetters].charAt(index) === letter;
}

/**
 * South Korean resident registration number: a birth date (YYMMDD), a sex and century digit
 * 1–8, and six more digits. Numbers issued before October 2020 also carry a mod-11 check
 * digit; later ones do not, so only the date and the sex digit are checked.
 */
export function isKrRrnValid(text: string): boolean {
  return /^[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[1-8][0-9]{6}$/.test(compact(text));
}

/** US Social Security number: area 001–899 but not 666, group 01–99, serial 0001–9999 (SSA, "SSN randomization"). */
export function isUsSsnValid(text: string): boolean {
  const value = compact(text);
  if (!/^[0-9]{9}$/.test(value)) return false;
  const area = value.slice(0, 3);
  return (
    area !== '000' &&
    area !== '666' &&
    area < '900' &&
    value.slice(3, 5) !== '00' &&
    value.slice(5) !== '0000'
  );
}

/** US ITIN: nine digits starting 9 with a group number (digits 4–5) in 50–65, 70–88, 90–92 or 94–99. */
export function isUsItinValid(text: string): boolean {
  const value = compact(text);
  if (!/^9[0-9]{8}$/.test(value)) return false;
  const group = Number(value.slice(3, 5));
  return (
    (group >= 50 && group <= 65) ||
    (group >= 70 && group <= 88) ||
    (group >= 90 && group <= 92) ||
    group >= 94
  );
}

/** Indian PAN laid out as issued, the holder type not checked: five letters, four digits, a letter. */
export function isInPanLayoutValid(text: string): boolean {
  return /^[A-Z]{5}[0-9]{4}[A-Z]$/.test(compact(text));
}

/** Indian PAN: five letters (the fourth the holder type), four digits, a letter. */
export function isInPanValid(text: string): boolean {
  return /^[A-Z]{3}[ABCFGHJLPT][A-Z][0-9]{4}[A-Z]$/.test(compact(text));
}

/** US National Provider Identifier: ten digits passing Luhn with the prefix 80840 (ISO 7812 health card issuer). */
export function isUsNpiValid(text: string): boolean {
  const value = compact(text);
  return /^[12][0-9]{9}$/.test(value) && isLuhnValid(`80840${value}`);
}

/** US DEA registration number: two letters and seven digits, the last equal to (d1+d3+d5 + 2·(d2+d4+d6)) mod 10. */
export function isUsDeaValid(text: string): boolean {
  const value = compact(text);
  if (!/^[A-Z][A-Z9][0-9]{7}$/.test(value)) return false;
  const d = digitsOf(value.slice(2));
  const sum = (d[0] ?? 0) + (d[2] ?? 0) + (d[4] ?? 0) + 2 * ((d[1] ?? 0) + (d[3] ?? 0) + (d[5] ?? 0));
  return sum % 10 === d[6];
}
