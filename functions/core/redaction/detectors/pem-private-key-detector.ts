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
 * Fewest characters one line of a key body holds: 43 base64 characters encode the 32 bytes of
 * the smallest private key (an Ed25519 or X25519 seed); every other kind is longer, and PEM
 * writes 64 to a line.
 */
const minKeyWordChars = 43;

/** What separates the words of a PEM body: spaces and line breaks, real or escaped as `\n`. */
const bodySeparators = /\s|\\[rn]/;

/**
 * PEM private keys: from `-----BEGIN … PRIVATE KEY-----` through the matching `-----END …
 * PRIVATE KEY-----`, across lines, at most 16 KiB, unless the block is a template: nothing or
 * one word too short to be a key between the markers (`<key>`, see {@link isTemplateBody}).
 * When no END follows within that bound (truncated or oversized), it fails closed: the BEGIN
 * line and the base64 lines after it, up to a blank line or the bound, are the match.
 */
export function createPemPrivateKeyDetector(): Detector {
  return {
    id: 'pem-private-key',
    label: 'PRIVATE_KEY',
    minLength: '-----BEGIN PRIVATE KEY-----'.length,
    maxLength: maxBlockLength,
    lookbehind: 0,
    lookahead: 2,
    mayFindMoreAlone: (text) => text.includes('-----BEGIN '),
    findFrom(text: string, from: number): Match | undefined {
      for (let start = findBegin(text, from); start !== -1; start = findBegin(text, start + 1)) {
        beginPattern.lastIndex = start;
        const begin = beginPattern.exec(text);
        if (begin === null) continue;
        const end = blockEnd(text, start, beginPattern.lastIndex, begin[1] ?? '');
        if (end !== undefined) return { start, end };
      }
      return undefined;
    },
  };
}

/** Where the block starting at `start` ends, or `undefined` for a block without key material. */
function blockEnd(text: string, start: number, bodyStart: number, kind: string): number | undefined {
  const limit = start + maxBlockLength;
  const endMarker = `-----END ${kind}PRIVATE KEY-----`;
  const marker = text.slice(bodyStart, limit).indexOf(endMarker);
  if (marker !== -1) {
    return isTemplateBody(text.slice(bodyStart, bodyStart + marker))
      ? undefined
      : bodyStart + marker + endMarker.length;
  }
  bodyPattern.lastIndex = bodyStart;
  bodyPattern.exec(text);
  return Math.min(bodyPattern.lastIndex, limit);
}

/**
 * True when a body between the markers stands for a key rather than holding one: empty, or a
 * single word shorter than {@link minKeyWordChars} (`<key>`, `MIIEv...`, `KEY_HERE`). Anything
 * longer fails closed, prose too (`paste your key here`): a key with damaged line breaks or a
 * cut one would be words as well.
 */
function isTemplateBody(body: string): boolean {
  const words = body.split(bodySeparators).filter((word) => word !== '');
  return words.length === 0 || (words.length === 1 && (words[0] as string).length < minKeyWordChars);
}
