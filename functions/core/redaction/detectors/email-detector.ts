import { isAlphanumeric } from '../ascii-classes.ts';
import type { Detector, Match } from '../detector.ts';

const maxLocalLength = 64;
const maxDomainLength = 253;

/**
 * Email addresses: a local part of up to 64 characters `A-Z a-z 0-9 . _ % + -`, `@`, and a
 * domain of up to 253 characters with at least two labels and a top-level domain of two or
 * more letters or in punycode (`xn--p1ai`). Letters of the Latin, Greek and Cyrillic scripts
 * count too, in the local part (RFC 6531) and in the domain (IDN labels such as `exämple.рф`),
 * so `josé.núñez@exämple.com` is found whole; scripts written without spaces between words
 * (Chinese, Japanese, Thai) do not, so the address in `連絡先はjane@example.comです` stops at
 * the prose around it. The search jumps from `@` to `@` (`indexOf`) and
 * expands outwards, instead of trying a regex at every offset. A match starts where the run of local-part characters before
 * the `@` starts; a longer run is no address. Dots and dashes ending the domain (end of a
 * sentence) are not part of it.
 */
export function createEmailDetector(): Detector {
  return {
    id: 'email',
    label: 'EMAIL',
    // `a@b.co`
    minLength: 6,
    maxLength: maxLocalLength + 1 + maxDomainLength,
    lookbehind: 1,
    lookahead: 1,
    findFrom(text: string, from: number): Match | undefined {
      let at = text.indexOf('@', from);
      while (at !== -1) {
        let start = at;
        while (start > 0 && at - start <= maxLocalLength && isLocalChar(text.charCodeAt(start - 1))) start--;
        const localLength = at - start;
        if (localLength > 0 && localLength <= maxLocalLength && start >= from) {
          const end = domainEnd(text, at + 1);
          if (end !== -1) return { start, end };
        }
        at = text.indexOf('@', at + 1);
      }
      return undefined;
    },
  };
}

/** End of a valid domain starting at `from`, or -1. */
function domainEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && end - from <= maxDomainLength && isDomainChar(text.charCodeAt(end))) end++;
  if (end - from > maxDomainLength) return -1;
  while (end > from && isDotOrDash(text.charCodeAt(end - 1))) end--;
  return isValidDomain(text.slice(from, end)) ? end : -1;
}

function isValidDomain(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.startsWith('-') || label.endsWith('-')) return false;
  }
  // An internationalized top-level domain in its ASCII (punycode) form: `xn--p1ai` is `.рф`,
  // or as letters (`рф`, `ελ`).
  return /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}|[\p{L}\p{M}]{2,63})$/u.test(
    labels[labels.length - 1] ?? '',
  );
}

function isLocalChar(code: number): boolean {
  return (
    isAlphanumeric(code) ||
    code === 46 ||
    code === 95 ||
    code === 37 ||
    code === 43 ||
    code === 45 ||
    isSpacedScriptLetter(code)
  );
}

function isDomainChar(code: number): boolean {
  return isAlphanumeric(code) || code === 46 || code === 45 || isSpacedScriptLetter(code);
}

const letterOrMark = /^[\p{L}\p{M}]$/u;

/**
 * A letter or combining mark of the Latin (Latin-1 Supplement, Extended-A and -B, Extended
 * Additional), Greek or Cyrillic blocks: scripts that separate words with spaces, so a run of
 * them next to an `@` belongs to the address.
 */
function isSpacedScriptLetter(code: number): boolean {
  const inBlock =
    (code >= 0xc0 && code <= 0x24f) ||
    (code >= 0x300 && code <= 0x36f) ||
    (code >= 0x370 && code <= 0x4ff) ||
    (code >= 0x1e00 && code <= 0x1eff);
  return inBlock && letterOrMark.test(String.fromCharCode(code));
}

function isDotOrDash(code: number): boolean {
  return code === 46 || code === 45;
}
