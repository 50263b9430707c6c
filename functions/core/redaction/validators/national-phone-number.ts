import type { CountryCode } from 'libphonenumber-js/max';
import { isValidPhoneNumber } from 'libphonenumber-js/max';

/**
 * Countries whose national numbers start with the trunk prefix 0 (or, in Italy, a fixed-line 0).
 * Germany's and Italy's open plans admit almost any digits after a 0 (`078-05-1123`, an SSN
 * shape, is a valid German number; `01-02-2024` an Italian one), so the pattern that feeds this
 * check leaves out SSN and date shapes, and the detector runs only after a phone keyword. Spain
 * has no trunk prefix (its numbers start with 6 to 9), so no number this check sees is Spanish.
 */
const trunkZeroCountries: readonly CountryCode[] = [
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
  'DE',
  'IT',
];

/**
 * True for a phone number written the national way (`09-762 5400`, `03-1234-5678`,
 * `(020) 7946 0958`) that the numbering plan of one of {@link trunkZeroCountries} admits,
 * by libphonenumber-js with its full (`max`) metadata.
 *
 * @example
 * isNationalPhoneNumberValid('09-7625400'); // true (Israel)
 * isNationalPhoneNumberValid('00-1234567'); // false
 */
export function isNationalPhoneNumberValid(value: string): boolean {
  return trunkZeroCountries.some((country) => isValidPhoneNumber(value, country));
}
