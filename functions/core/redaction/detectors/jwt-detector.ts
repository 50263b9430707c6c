import type { Detector } from '../detector.ts';
import { needleSearchByLast } from './candidate-search.ts';
import { createRegexDetector } from './regex-detector.ts';

/**
 * Three base64url segments, the header starting `eyJ` (`{"`), at most 8 KiB in all; the
 * signature may be empty (unsecured JWTs).
 */
const jwtPattern =
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{1,1020}\.[A-Za-z0-9_-]{1,6143}\.[A-Za-z0-9_-]{0,1024}(?![A-Za-z0-9_-])/;

/** JSON Web Tokens (JWS compact form) whose header decodes to a JSON object with an `alg`. */
export function createJwtDetector(): Detector {
  return createRegexDetector(jwtPattern, {
    id: 'jwt',
    label: 'JWT',
    minLength: 7,
    maxLength: 8192,
    lookbehind: 1,
    lookahead: 1,
    // `yJ` is far rarer in text than the `e` it follows, and found by its rarer `J`.
    candidates: needleSearchByLast('yJ', 1),
    isValid(text, start) {
      return hasAlgorithm(text.slice(start, text.indexOf('.', start)));
    },
  });
}

/** The header read last and whether it has an algorithm: the tokens of one issuer repeat their header. */
let lastHeader: string | undefined;
let lastHasAlgorithm = false;

function hasAlgorithm(header: string): boolean {
  if (header !== lastHeader) {
    lastHeader = header;
    lastHasAlgorithm = decodesWithAlgorithm(header);
  }
  return lastHasAlgorithm;
}

function decodesWithAlgorithm(header: string): boolean {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return (
      typeof decoded === 'object' &&
      decoded !== null &&
      typeof (decoded as { alg?: unknown }).alg === 'string'
    );
  } catch {
    return false;
  }
}
