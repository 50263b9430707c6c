import type { Detector } from '../detector.ts';
import { digitShapes } from './digit-shapes.ts';
import { isLuhnValid } from './luhn.ts';
import { createRegexDetector } from './regex-detector.ts';

/**
 * 13–19 digits starting 2–6 (every issuer below), compact or in the printed groupings
 * (4-4-4-4, 4-4-4-4-3, 4-6-5, 4-6-4, 4-4-4-1..4) separated by single spaces, dashes or dots (the
 * scanner folds no-break and thin spaces to spaces before detectors run). It must
 * not follow a digit, or a dash after a digit, so a longer digit run is not mined for a
 * card-length piece.
 */
const cardPattern =
  /(?<![0-9]|[0-9]-)[2-6][0-9]{3}(?:[0-9]{9,15}|[ .-][0-9]{4}[ .-][0-9]{4}[ .-](?:[0-9]{4}[ .-][0-9]{3}|[0-9]{1,4})|[ .-][0-9]{6}[ .-][0-9]{4,5})(?!-?[0-9])/;

/** Payment card numbers (PAN) that pass the Luhn check and belong to a known issuer range. */
export function createPaymentCardDetector(): Detector {
  return createRegexDetector(cardPattern, {
    id: 'payment-card',
    label: 'CARD',
    minLength: 13,
    maxLength: 23,
    lookbehind: 2,
    lookahead: 2,
    candidates: digitShapes.card,
    isValid(text, start, end) {
      const digits = text.slice(start, end).replace(/[ .-]/g, '');
      return isKnownIssuer(digits) && isLuhnValid(digits);
    },
  });
}

/** True when the number's prefix and length belong to a card scheme. */
function isKnownIssuer(digits: string): boolean {
  const length = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  const long = length >= 16 && length <= 19;
  if (digits.startsWith('4')) return length === 13 || length === 16 || length === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return length === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return length === 15; // American Express
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) return long; // Discover
  if (p4 >= 3528 && p4 <= 3589) return long; // JCB
  if ((p3 >= 300 && p3 <= 305) || p4 === 3095 || p2 === 36 || p2 === 38 || p2 === 39) {
    return length >= 14 && length <= 19; // Diners Club
  }
  if (p2 === 62) return long; // UnionPay
  if (p4 >= 2200 && p4 <= 2204) return long; // Mir
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(p4)) return length >= 13; // Maestro
  return false;
}
