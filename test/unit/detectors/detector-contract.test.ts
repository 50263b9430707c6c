import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import {
  builtInDetectorIds,
  createBuiltInDetector,
  isLineLocal,
} from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import { withContext } from '../../../functions/core/redaction/detectors/with-context.ts';
import { Scanner } from '../../../functions/core/redaction/scanner.ts';
import { exampleTexts, shippedMembers } from '../packs/shipped-packs.ts';
import {
  expectDecidedByNeighbourhood,
  expectLeftmostWithinBounds,
  matchAt,
} from '../support/detector-contract.ts';

/** Samples, near-misses and pieces of them, so that random text lands on every detector's edges. */
const fragments = [
  'john.doe@example.com',
  'a@b.co',
  '@',
  'x@example.com.',
  '(555) 234-5678',
  '555-234-5678',
  '+1 555 234 5678',
  '+44 20 7946 0958',
  '+44 (0)20 ',
  '4111 1111 1111 1111',
  '4111.1111.1111.1111',
  '4111111111111111',
  'de0f4111111111111111ab',
  '0x4111111111111111',
  '0.4111111111111111',
  'e+21',
  '378282246310005',
  '123-45-6789',
  '000-12-3456',
  'SSN ',
  '219099999',
  'DE89 3704 0044 0532 0130 00',
  'GB82WEST12345698765432',
  'gb82west12345698765432',
  '192.168.1.10',
  '10.4.15.2.1',
  '2001:db8::1',
  'fe80::1ff:fe23:4567:890a',
  '::ffff:1.2.3.4',
  '10:30:00',
  '2024-01-15T10:30:00Z',
  'AKIAIOSFODNN7EXAMPLE',
  'aws_secret_access_key=',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'xoxb-1234567890-abcdef',
  'sk_live_abcdefghij0123',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIB\n',
  '-----END RSA PRIVATE KEY-----',
  '123e4567-e89b-12d3-a456-426614174000',
];
const units = [...'0123456789 ,-.:+()@\n_/=aAfFxXeyJ'];

const textArbitrary = fc
  .array(
    fc.oneof(fc.constantFrom(...fragments), fc.string({ unit: fc.constantFrom(...units), maxLength: 6 })),
    {
      maxLength: 12,
    },
  )
  .map((pieces) => pieces.join(''));

describe.each(builtInDetectorIds)('built-in detector %s honours the detector contract', (id) => {
  const detector = createBuiltInDetector(id) as Detector;

  it('decides a match at each start from its declared neighbourhood only', () => {
    fc.assert(
      fc.property(textArbitrary, (text) => {
        expectDecidedByNeighbourhood(detector, text);
      }),
      { numRuns: 150 },
    );
  });

  it('returns the leftmost match no shorter than minLength and no longer than maxLength from any start', () => {
    fc.assert(
      fc.property(textArbitrary, fc.nat(), (text, seed) => {
        const from = text.length === 0 ? 0 : seed % text.length;
        const match = expectLeftmostWithinBounds(detector, text, from);
        if (match === undefined) return;
        expect(detector.minLength).toBeGreaterThan(0);
        for (let start = from; start <= match.start; start++)
          expect(detector.findFrom(text, start)).toEqual(match);
      }),
      { numRuns: 150 },
    );
  });
});

const lineLocalIds = builtInDetectorIds.filter((id) => isLineLocal(createBuiltInDetector(id) as Detector));

describe.each(lineLocalIds)('line-local built-in detector %s', (id) => {
  const detector = createBuiltInDetector(id) as Detector;

  it('finds at each start inside a line of a text the match it finds there in that line alone', () => {
    fc.assert(
      fc.property(textArbitrary, (text) => {
        let lineStart = 0;
        for (const line of text.split('\n')) {
          const lineEnd = lineStart + line.length;
          for (let start = lineStart; start < lineEnd; start++) {
            const inText = matchAt(detector, text, start);
            const alone = matchAt(detector, line, start - lineStart);
            const inLine = inText !== undefined && inText.end <= lineEnd ? inText : undefined;
            const shifted = alone && { start: alone.start + lineStart, end: alone.end + lineStart };
            expect(shifted, `start ${start}`).toEqual(inLine);
          }
          lineStart = lineEnd + 1;
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('line-local built-in detectors', () => {
  it('leave out each built-in that finds a value only with a line before it', () => {
    const contextLed: Record<string, string> = {
      'aws-secret-access-key': 'aws_secret_access_key\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      iban: 'IBAN\ngb82west12345698765432',
      'us-ssn': 'SSN\n219099999',
      'pem-private-key':
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi4r8ZtVq0x1Lw\n-----END RSA PRIVATE KEY-----',
    };
    expect([...lineLocalIds, ...Object.keys(contextLed)].sort()).toEqual([...builtInDetectorIds].sort());
    for (const [id, text] of Object.entries(contextLed)) {
      const detector = createBuiltInDetector(id) as Detector;
      const lastLine = text.slice(text.lastIndexOf('\n') + 1);
      expect(detector.findFrom(text, 0), id).toBeDefined();
      expect(detector.findFrom(lastLine, 0), id).toBeUndefined();
      expect(isLineLocal(detector), id).toBe(false);
    }
  });

  it('do not include a built-in wrapped with keywords of an operator', () => {
    const email = createBuiltInDetector('email') as Detector;

    expect(isLineLocal(email)).toBe(true);
    expect(isLineLocal(withContext(email, ['contact'], 20))).toBe(false);
  });
});

/** Pack examples, cut in pieces too, so that windows split values, anchors and keywords. */
const packFragments = shippedMembers.flatMap(({ entry }) =>
  exampleTexts(entry).flatMap((text) => [
    text,
    text.slice(0, text.length >> 1),
    text.slice(text.length >> 1),
  ]),
);
const packTextArbitrary = fc
  .array(
    fc.oneof(
      fc.constantFrom(...packFragments),
      fc.constantFrom(...fragments),
      fc.string({ unit: fc.constantFrom(...units), maxLength: 6 }),
    ),
    { maxLength: 8 },
  )
  .map((pieces) => pieces.join(''));

describe.each([
  [
    'all built-in detectors together',
    () => builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector),
    textArbitrary,
  ],
  [
    'all built-in and pack detectors together',
    () => [
      ...builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector),
      createDetectorGroup(shippedMembers.map(({ entry }) => entry.createMember())),
    ],
    packTextArbitrary,
  ],
] as const)('%s', (_name, detectors, texts) => {
  it('scan a line alone with the matches of the whole text inside it when their detectors find each there', () => {
    const scanner = new Scanner(detectors());
    let confirmed = 0;
    fc.assert(
      // Texts of several lines, so that one line may be context for the next.
      fc.property(fc.array(texts, { minLength: 2, maxLength: 4 }), (lines) => {
        const text = lines.join('\n');
        const whole = scanner.scan(text).matches;
        let lineStart = 0;
        for (const line of text.split('\n')) {
          const lineEnd = lineStart + line.length;
          const overlapping = whole.filter((match) => match.start < lineEnd && match.end > lineStart);
          const inside = overlapping
            .filter((match) => match.start >= lineStart && match.end <= lineEnd && match.value === undefined)
            .map((match) => ({ ...match, start: match.start - lineStart, end: match.end - lineStart }));
          if (inside.length === overlapping.length && scanner.findsAlone(line, inside)) {
            if (inside.length > 0) confirmed++;
            expect(scanner.scan(line).matches).toEqual(inside);
          }
          lineStart = lineEnd + 1;
        }
      }),
      { numRuns: 300 },
    );
    expect(confirmed).toBeGreaterThan(0);
  });

  it('scan in windows with the same result as one pass over the whole text', () => {
    const scanner = new Scanner(detectors());
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 40 }), (text, step) => {
        const whole = scanner.scan(text).matches;
        const pieces = [];
        let position = 0;
        let reach = scanner.reachLength;
        while (position < text.length) {
          // As a stream does: the context and reach the scanner asks for, and more text after
          // the limit while escapes leave the view too short to reach it.
          const limit = Math.min(text.length, position + step);
          const low = Math.max(0, position - scanner.contextLength);
          const high = Math.min(text.length, limit + reach);
          const window = text.slice(low, high);
          let result = scanner.scan(window, position - low, limit - low);
          if (result.next + low === position && limit < text.length) {
            if (high < text.length) {
              reach *= 2;
              continue;
            }
            // The window holds the rest of the input: its end is the true end.
            result = scanner.scan(window, position - low);
          }
          pieces.push(...result.matches.map((m) => ({ ...m, start: m.start + low, end: m.end + low })));
          position = result.next + low;
          reach = scanner.reachLength;
        }
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });
});
