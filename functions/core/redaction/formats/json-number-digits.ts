/** Longest plain form an exponent number is written out to: past any card, account or id number. */
const MAX_PLAIN_CHARS = 40;

const EXPONENT_NUMBER = /^(-?)([0-9]+)(?:\.([0-9]+))?[eE]([+-]?[0-9]+)$/;

/**
 * The value of a JSON number written with an exponent, as plain decimal digits (exact, from
 * the text, not through a float): `4.111111111111111e15` → `4111111111111111`, `1.5e-2` →
 * `0.015`. `undefined` for a number without an exponent, or one whose plain form would be
 * longer than `MAX_PLAIN_CHARS` characters.
 *
 * @example
 * plainJsonNumber('4.111111111111111e15'); // '4111111111111111'
 */
export function plainJsonNumber(raw: string): string | undefined {
  const parts = EXPONENT_NUMBER.exec(raw);
  if (parts === null) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentText = ''] = parts;
  const exponent = Number(exponentText);
  const digits = whole + fraction;
  // Where the decimal point falls in `digits`.
  const point = whole.length + exponent;
  if (point > MAX_PLAIN_CHARS || point < -MAX_PLAIN_CHARS) return undefined;
  let integer: string;
  let decimals: string;
  if (point <= 0) {
    integer = '0';
    decimals = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    integer = digits + '0'.repeat(point - digits.length);
    decimals = '';
  } else {
    integer = digits.slice(0, point);
    decimals = digits.slice(point);
  }
  integer = integer.replace(/^0+(?=[0-9])/, '');
  decimals = decimals.replace(/0+$/, '');
  const plain = `${sign}${integer}${decimals === '' ? '' : `.${decimals}`}`;
  return plain.length > MAX_PLAIN_CHARS ? undefined : plain;
}
