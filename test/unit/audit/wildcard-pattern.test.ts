import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  patternCovers,
  patternsIntersect,
  wildcardMatches,
} from '../../../functions/audit/wildcard-pattern.ts';

// A two-letter alphabet keeps the brute-force enumeration exhaustive and small.
const pattern = fc.stringMatching(/^[ab*?]{0,6}$/);
const literal = fc.stringMatching(/^[ab]{0,6}$/);

function allStrings(maxLength: number): string[] {
  const out = [''];
  for (let length = 1; length <= maxLength; length++) {
    for (let n = 0; n < 2 ** length; n++) {
      out.push(n.toString(2).padStart(length, '0').replaceAll('0', 'a').replaceAll('1', 'b'));
    }
  }
  return out;
}
// A shortest common string of two 6-token patterns is at most 10 letters (5 literals each when both
// have a star, 6 when one has none), so strings up to 10 letters witness every intersection.
const UNIVERSE = allStrings(10);

function toRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replaceAll('*', '.*').replaceAll('?', '.')}$`, 's');
}

describe('IAM wildcard patterns', () => {
  it('matches a literal exactly as the equivalent regular expression does', () => {
    fc.assert(
      fc.property(pattern, literal, (glob, value) => {
        expect(wildcardMatches(glob, value)).toBe(toRegExp(glob).test(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds two patterns intersecting exactly when some string matches both', () => {
    fc.assert(
      fc.property(pattern, pattern, (a, b) => {
        const witness = UNIVERSE.some((value) => wildcardMatches(a, value) && wildcardMatches(b, value));
        expect(patternsIntersect(a, b)).toBe(witness);
      }),
      { numRuns: 2000 },
    );
  });

  it('never claims a containment that a string refutes', () => {
    fc.assert(
      fc.property(pattern, pattern, (outer, inner) => {
        if (!patternCovers(outer, inner)) return;
        for (const value of UNIVERSE) {
          if (wildcardMatches(inner, value)) expect(wildcardMatches(outer, value)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('proves the containments a deny relies on', () => {
    expect(patternCovers('*', 'arn:aws:s3:::b/*')).toBe(true);
    expect(patternCovers('arn:aws:s3:::b/*', 'arn:aws:s3:::b/reports/*')).toBe(true);
    expect(patternCovers('arn:aws:s3:::b/reports/*', 'arn:aws:s3:::b/*')).toBe(false);
    expect(patternCovers('s3:*', 's3:getobject')).toBe(true);
    expect(patternCovers('s3:get?bject', 's3:get*')).toBe(false);
  });
});
