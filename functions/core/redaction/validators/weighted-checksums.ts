/**
 * Weighted-sum check digits of the ISO 7064 family and of ICAO 9303, used by identifiers of
 * many kinds. Each function takes the identifier's characters without separators.
 */

/**
 * ISO 7064 MOD 11,10 (a hybrid system: the German tax identification number): the last digit
 * checks the others.
 */
export function isIso7064Mod11_10Valid(digits: string): boolean {
  if (!/^[0-9]{2,}$/.test(digits)) return false;
  let product = 10;
  for (let i = 0; i < digits.length - 1; i++) {
    let sum = (Number(digits.charAt(i)) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === Number(digits.charAt(digits.length - 1));
}

/**
 * ISO 7064 MOD 97-10 over letters and digits (letters count as 10–35, as in IBANs and LEIs):
 * the whole string read as a number leaves remainder 1 modulo 97.
 */
export function isIso7064Mod97_10Valid(text: string): boolean {
  if (!/^[A-Z0-9]{3,}$/.test(text)) return false;
  let remainder = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    remainder = code <= 57 ? (remainder * 10 + code - 48) % 97 : (remainder * 100 + code - 55) % 97;
  }
  return remainder === 1;
}

/**
 * ICAO 9303 check digit (machine-readable travel documents, the German identity card number):
 * digits weigh their value and letters A–Z 10–35, weights 7, 3, 1 repeating, modulo 10; the
 * last character is the check digit.
 */
export function isIcao9303Valid(text: string): boolean {
  if (!/^[A-Z0-9<]{1,}[0-9]$/.test(text)) return false;
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    const value = code >= 48 && code <= 57 ? code - 48 : code >= 65 && code <= 90 ? code - 55 : 0;
    sum += value * (weights[i % 3] ?? 0);
  }
  return sum % 10 === text.charCodeAt(text.length - 1) - 48;
}

/**
 * ABA routing transit number: nine digits with 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) a
 * multiple of 10, and a Federal Reserve prefix (00–12, 21–32, 61–72, 80).
 */
export function isAbaRoutingValid(digits: string): boolean {
  if (!/^[0-9]{9}$/.test(digits)) return false;
  const prefix = Number(digits.slice(0, 2));
  const isKnownPrefix =
    prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
  const d = [...digits].map(Number) as number[];
  const sum =
    3 * ((d[0] ?? 0) + (d[3] ?? 0) + (d[6] ?? 0)) +
    7 * ((d[1] ?? 0) + (d[4] ?? 0) + (d[7] ?? 0)) +
    ((d[2] ?? 0) + (d[5] ?? 0) + (d[8] ?? 0));
  return isKnownPrefix && sum % 10 === 0;
}
