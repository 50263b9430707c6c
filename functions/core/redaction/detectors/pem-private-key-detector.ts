import type { Detector, Match } from '../detector.ts';
import { needleSearch } from './candidate-search.ts';

/** Longest PEM block matched, in code units (an RSA-8192 key is about 6.5 KB). */
const maxBlockLength = 16 * 1024;

/**
 * A PEM body: base64 characters and line breaks (real ones or escaped as backslash-n), up to a
 * blank line.
 * Up to two code units per repetition; the end is clamped to the bound afterwards.
 */
const bodyPattern = new RegExp(`(?:[A-Za-z0-9+/=]|\\\\[rn]|\\r?\\n(?![\\r\\n])){0,${maxBlockLength}}`, 'y');

const beginPattern = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?)PRIVATE KEY-----/y;

/** `BEGIN ` is found faster than `-----BEGIN `: dashes are common in text, `B` is not. */
const findBegin = needleSearch('BEGIN ', 5);

/**
 * PEM private keys: from `-----BEGIN … PRIVATE KEY-----` through the matching `-----END …
 * PRIVATE KEY-----`, across lines, at most 16 KiB. When no END follows within that bound
 * (truncated or oversized), it fails closed: the BEGIN line and the base64 lines after it, up to
 * a blank line or the bound, are the match.
 */
export function createPemPrivateKeyDetector(): Detector {
  return {
    id: 'pem-private-key',
    label: 'PRIVATE_KEY',
    minLength: '-----BEGIN PRIVATE KEY-----'.length,
    maxLength: maxBlockLength,
    lookbehind: 0,
    lookahead: 2,
    findFrom(text: string, from: number): Match | undefined {
      for (let start = findBegin(text, from); start !== -1; start = findBegin(text, start + 1)) {
        beginPattern.lastIndex = start;
        const begin = beginPattern.exec(text);
        if (begin !== null)
          return { start, end: blockEnd(text, start, beginPattern.lastIndex, begin[1] ?? '') };
      }
      return undefined;
    },
  };
}

function blockEnd(text: string, start: number, bodyStart: number, kind: string): number {
  const limit = start + maxBlockLength;
  const endMarker = `-----END ${kind}PRIVATE KEY-----`;
  const marker = text.slice(bodyStart, limit).indexOf(endMarker);
  if (marker !== -1) return bodyStart + marker + endMarker.length;
  bodyPattern.lastIndex = bodyStart;
  bodyPattern.exec(text);
  return Math.min(bodyPattern.lastIndex, limit);
}
