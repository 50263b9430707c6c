const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
/** ISO 3779 transliteration: letters to the digits they weigh as (I, O and Q never appear). */
const values: Readonly<Record<string, number>> = Object.fromEntries(
  [...'ABCDEFGHJKLMNPRSTUVWXYZ'].map((letter, i) => [
    letter,
    [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9][i] ?? 0,
  ]),
);

/**
 * True when `vin` (17 characters, upper case, no I, O or Q) carries a valid check digit in its
 * 9th position (49 CFR 565, used for North American vehicles): the weighted sum of the
 * transliterated characters modulo 11, with 10 written `X`.
 *
 * @example
 * isVinValid('1M8GDM9AXKP042788'); // true
 */
export function isVinValid(vin: string): boolean {
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const char = vin.charAt(i);
    const value = char >= '0' && char <= '9' ? Number(char) : (values[char] ?? 0);
    sum += value * (weights[i] ?? 0);
  }
  const check = sum % 11;
  return vin.charAt(8) === (check === 10 ? 'X' : String(check));
}
