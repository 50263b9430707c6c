import type { CountryCode } from 'libphonenumber-js/max';
import { isValidPhoneNumber } from 'libphonenumber-js/max';

/**
 * Countries whose national numbers start with the trunk prefix 0 and whose numbering plans are
 * closed enough to tell a phone number from other digits. Germany, Italy and Austria are left
 * out on purpose: their open plans admit almost any digits after a 0 (`078-05-1123`, an SSN
 * shape, is a valid German number).
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
