import { isDigit, isWordCharacter } from '../ascii-classes.ts';
import type { Detector, Match } from '../detector.ts';

/** Longest textual IPv6 address: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`. */
const maxAddressLength = 45;
/** A run may carry one stray colon or dot at each end around the address. */
const maxRunLength = maxAddressLength + 2;

/**
 * IPv6 addresses, full and `::`-compressed, with an optional embedded IPv4 tail. Candidates are
 * maximal runs of hex digits, colons and dots around a colon (found with `indexOf(':')`), so
 * times like `10:30:00` and MAC addresses are checked by the parser and fail it. A single
 * colon before the address (`ip:fe80::1`) and a sentence's final dot or colon are not part of it.
 * Letters next to the run (`std::vector`, `Foo::bar`) mean it is not an address. The unspecified
 * address `::` alone is one only where nothing else reads that way: before a prefix length
 * (`::/0`) or as a value after `=` (`src=::`). Between words (Haskell's `x :: Int`), in brackets
 * (a Python slice `a[::]`) or ending a line (grammar notation, `// GroupName ::`) it is not.
 */
export function createIpv6Detector(): Detector {
  return {
    id: 'ipv6',
    label: 'IP_ADDRESS',
    // `::1`
    minLength: 3,
    maxLength: maxAddressLength,
    lookbehind: 2,
    lookahead: 4,
    findFrom(text: string, from: number): Match | undefined {
      // The last colon whose run a word character before it rules out (the first of a log
      // timestamp's `T10:30:00`): a colon after it in the same run is ruled out when reading
      // back reaches it, and a ruled-out run is not read forwards at all. None yet: -2, as a
      // run starting at 0 reads back to -1.
      let ruledOut = -2;
      let colon = text.indexOf(':', from);
      while (colon !== -1) {
        let runStart = colon;
        let first = 58;
        let before = text.charCodeAt(colon - 1);
        while (isRunChar(before) && colon - runStart <= maxRunLength && runStart - 1 !== ruledOut) {
          runStart--;
          first = before;
          before = text.charCodeAt(runStart - 1);
        }
        if (
          runStart - 1 === ruledOut ||
          (isWordCharacter(before) && !(first === 58 && text.charCodeAt(runStart + 1) !== 58))
        ) {
          ruledOut = colon;
          colon = text.indexOf(':', colon + 1);
          continue;
        }
        let runEnd = colon + 1;
        while (runEnd - runStart <= maxRunLength && isRunChar(text.charCodeAt(runEnd))) runEnd++;
        if (runEnd - runStart > maxRunLength) {
          colon = text.indexOf(':', colon + 1);
          continue;
        }
        const match = addressIn(text, runStart, runEnd);
        if (match !== undefined && match.start >= from) return match;
        colon = text.indexOf(':', runEnd);
      }
      return undefined;
    },
  };
}

/** The address a maximal run `text[runStart, runEnd)` holds, if any. */
function addressIn(text: string, runStart: number, runEnd: number): Match | undefined {
  let start = runStart;
  let end = runEnd;
  if (text.charCodeAt(start) === 58 && text.charCodeAt(start + 1) !== 58) start++;
  else if (isWordCharacter(text.charCodeAt(runStart - 1))) return undefined;
  if (isWordCharacter(text.charCodeAt(runEnd))) return undefined;
  if (text.charCodeAt(end - 1) === 46) {
    while (end > start && text.charCodeAt(end - 1) === 46) end--;
  } else if (text.charCodeAt(end - 1) === 58 && text.charCodeAt(end - 2) !== 58) {
    end--;
  }
  if (end - start > maxAddressLength) return undefined;
  const address = text.slice(start, end);
  if (address === '::') return isUnspecifiedAlone(text, start, end) ? { start, end } : undefined;
  return isIpv6(address) ? { start, end } : undefined;
}

/** True when the `::` at `text[start, end)` stands as the unspecified address (see {@link createIpv6Detector}). */
function isUnspecifiedAlone(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  if (after === 47 && isDigit(text.charCodeAt(end + 1))) return !(before > 32) || before === 61;
  return before === 61 && (Number.isNaN(after) || after <= 32);
}

/** True when `address` is a textual IPv6 address (RFC 4291 §2.2), other than `::` alone. */
export function isIpv6(address: string): boolean {
  const compressed = address.indexOf('::');
  if (compressed !== address.lastIndexOf('::')) return false;
  // An embedded IPv4 address must come last, so it cannot precede a trailing `::`.
  if (address.endsWith('::') && address.includes('.')) return false;
  const parts =
    compressed === -1
      ? [address]
      : [address.slice(0, compressed), address.slice(compressed + 2)].filter((part) => part !== '');
  const groups = parts.flatMap((part) => part.split(':'));
  if (groups.length === 0) return false;
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] ?? '';
    if (i === groups.length - 1 && group.includes('.')) {
      if (!isIpv4(group)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  return compressed === -1 ? count === 8 : count <= 7;
}

function isIpv4(text: string): boolean {
  const octets = text.split('.');
  return (
    octets.length === 4 &&
    octets.every((octet) => /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/.test(octet))
  );
}

function isRunChar(code: number): boolean {
  return (
    (code >= 48 && code <= 58) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102) || code === 46
  );
}
