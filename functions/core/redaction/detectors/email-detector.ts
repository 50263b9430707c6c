import type { Detector, Match } from '../detector.ts';

const maxLocalLength = 64;
const maxDomainLength = 253;

/**
 * Email addresses: a local part of up to 64 characters `A-Z a-z 0-9 . _ % + -`, `@`, and a
 * domain of up to 253 characters with at least two labels and a top-level domain of two or
 * more letters or in punycode (`xn--p1ai`). The search jumps from `@` to `@` (`indexOf`) and
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
  // An internationalized top-level domain in its ASCII (punycode) form: `xn--p1ai` is `.рф`.
  return /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/.test(labels[labels.length - 1] ?? '');
}

function isLocalChar(code: number): boolean {
  return isAlphanumeric(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45;
}

function isDomainChar(code: number): boolean {
  return isAlphanumeric(code) || code === 46 || code === 45;
}

function isDotOrDash(code: number): boolean {
  return code === 46 || code === 45;
}

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
