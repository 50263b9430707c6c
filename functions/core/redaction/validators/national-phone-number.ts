import type { CountryCode } from 'libphonenumber-js/max';
import { isValidPhoneNumber } from 'libphonenumber-js/max';

/**
 * Countries whose national numbers start with the trunk prefix 0 and whose numbering plans are
 * closed enough to tell a phone number from other digits, even after a generic keyword such as
 * `number` or `contact`. Spain has no trunk prefix (its numbers start with 6 to 9), so no number
 * these checks see is Spanish.
 */
export const closedPlanCountries: readonly CountryCode[] = [
  'GB',
  'FR',
  'NL',
  'IL',
  'JP',
  'CN',
  'KR',
  'IN',
  'AU',
  'BR',
];

/**
 * Countries whose national numbers start with a 0 (Italy's fixed lines, without a trunk prefix)
 * and whose open plans admit most digits after it: about 78 % of random 0-led strings of seven
 * or eight digits are valid German or Italian numbers (`0123-4567`; `078-05-1123`, an SSN shape;
 * `01-02-2024`, a date). A detector tries them only after a phone-specific keyword, and its
 * pattern leaves out SSN and date shapes.
 */
export const openPlanCountries: readonly CountryCode[] = ['DE', 'IT'];

/**
 * True for a phone number written the national way (`09-762 5400`, `03-1234-5678`,
 * `(020) 7946 0958`) that the numbering plan of one of {@link closedPlanCountries} admits,
 * by libphonenumber-js with its full (`max`) metadata.
 *
 * @example
 * isNationalPhoneNumberValid('09-7625400'); // true (Israel)
 * isNationalPhoneNumberValid('00-1234567'); // false
 */
export function isNationalPhoneNumberValid(value: string): boolean {
  return closedPlanCountries.some((country) => isValidPhoneNumber(value, country));
}

/**
 * True for a phone number written the national way (`030 901820`, `06 6982 1234`) that the
 * open numbering plan of one of {@link openPlanCountries} admits, by libphonenumber-js with its
 * full (`max`) metadata. Most 0-led digits pass: call it only after a phone-specific keyword.
 *
 * @example
 * isOpenPlanPhoneNumberValid('030 901820'); // true (Germany)
 * isOpenPlanPhoneNumberValid('00-1234567'); // false
 */
export function isOpenPlanPhoneNumberValid(value: string): boolean {
  return openPlanCountries.some((country) => isValidPhoneNumber(value, country));
}
