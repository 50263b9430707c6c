import { isDigit } from '../ascii-classes.ts';
import type { Detector, Match } from '../detector.ts';
import { digitShapes } from './digit-shapes.ts';

const octet = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';

/**
 * A dotted quad of decimal octets 0–255 without leading zeros, not part of a longer dotted
 * number: `10.4.15.2.1` and `1.2.3` survive. Sticky: tried only where `digitShapes.ipv4Core`
 * finds the middle of one, which avoids starting a match attempt at every digit of
 * digit-heavy text (several times faster).
 */
const addressPattern = new RegExp(`(?<![0-9.])${octet}(?:\\.${octet}){3}(?![0-9]|\\.[0-9])`, 'y');

/** IPv4 addresses. */
export function createIpv4Detector(): Detector {
  return {
    id: 'ipv4',
    label: 'IP_ADDRESS',
    minLength: '1.2.3.4'.length,
    maxLength: 15,
    lookbehind: 1,
    lookahead: 2,
    findFrom(text: string, from: number): Match | undefined {
      const findCore = digitShapes.ipv4Core;
      for (let core = findCore(text, Math.max(0, from - 1)); core !== -1; core = findCore(text, core + 1)) {
        const dot = core + 1;
        // The address starts where the digit run before the first dot starts.
        let start = dot;
        while (start > 0 && dot - start < 4 && isDigit(text.charCodeAt(start - 1))) start--;
        if (start >= from && start < dot) {
          addressPattern.lastIndex = start;
          // test, not exec: the end is where the sticky regex stopped, and no match array is
          // allocated for the address every log line holds.
          if (addressPattern.test(text)) return { start, end: addressPattern.lastIndex };
        }
      }
      return undefined;
    },
  };
}
