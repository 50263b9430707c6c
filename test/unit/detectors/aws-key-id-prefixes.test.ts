import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AWS_KEY_ID_PREFIXES,
  awsKeyIdPrefixSearch,
} from '../../../functions/core/redaction/detectors/aws-key-id-prefixes.ts';
import {
  firstCandidate,
  needleSearch,
} from '../../../functions/core/redaction/detectors/candidate-search.ts';

const text = fc.string({
  unit: fc.constantFrom('A', 'K', 'I', 'S', 'B', 'C', '3', 'T', 'AKIA', 'ASIA', 'A3T', 'ACCA', 'x'),
  maxLength: 40,
});

describe('AWS key id prefix searches', () => {
  it('find where one of their prefixes occurs', () => {
    const keyIds = awsKeyIdPrefixSearch(['AKIA', 'ASIA']);
    expect(keyIds('id ABIA AKIA ASIA', 0)).toBe(8);
    expect(keyIds('id ABIA AKIA ASIA', 9)).toBe(13);
    expect(keyIds('id ABIA AKIA ASIA', 14)).toBe(-1);
    expect(awsKeyIdPrefixSearch()('id ABIA AKIA', 0)).toBe(3);
  });

  it('answer as one indexOf search per prefix does, however the two interleave over texts and positions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, fc.nat(), fc.boolean()), { maxLength: 10 }),
        fc.subarray([...AWS_KEY_ID_PREFIXES], { minLength: 1 }),
        (queries, prefixes) => {
          const some = awsKeyIdPrefixSearch(prefixes);
          const all = awsKeyIdPrefixSearch();
          const someApart = firstCandidate(...prefixes.map((prefix) => needleSearch(prefix)));
          const allApart = firstCandidate(...AWS_KEY_ID_PREFIXES.map((prefix) => needleSearch(prefix)));
          for (const [text, seed, isSome] of queries) {
            const from = seed % (text.length + 1);
            if (isSome) expect(some(text, from)).toBe(someApart(text, from));
            else expect(all(text, from)).toBe(allApart(text, from));
          }
        },
      ),
    );
  });
});
