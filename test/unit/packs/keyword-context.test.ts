import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import { expectDecidedByNeighbourhood } from '../support/detector-contract.ts';
import { shippedMembers } from './shipped-packs.ts';

function memberDetector(id: string): Detector {
  const found = shippedMembers.find(({ entry }) => entry.id === id);
  if (found === undefined) throw new Error(`no shipped pack detector ${id}`);
  return createDetectorGroup([found.entry.createMember()]);
}

const sin = '130 692 544';

describe('keywords of pack detectors', () => {
  const caSin = memberDetector('ca-sin');

  it('count as a word of their own in any case convention', () => {
    for (const text of [`SIN ${sin}`, `customer_sin=${sin}`, `customerSin: ${sin}`, `sin:${sin}`]) {
      expect(caSin.findFrom(text, 0), text).toBeDefined();
    }
  });

  it('do not count inside a longer lower-case word', () => {
    for (const text of [`using ${sin}`, `business ${sin}`, `Austin ${sin}`, `sinus ${sin}`]) {
      expect(caSin.findFrom(text, 0), text).toBeUndefined();
    }
  });

  it('make a field name context only as whole words', () => {
    expect(caSin.named?.('customer_sin').findFrom(sin, 0)).toBeDefined();
    expect(caSin.named?.('SinNumber').findFrom(sin, 0)).toBeDefined();
    expect(caSin.named?.('business_name').findFrom(sin, 0)).toBeUndefined();
    expect(
      memberDetector('drivers-licence').named?.('password_last_changed').findFrom('2024-05-01T12', 0),
    ).toBeUndefined();
  });
});

describe('keywords in the YAML document of the value', () => {
  const secretData = memberDetector('kubernetes-secret-data');
  const kind = fc.constantFrom('kind: Secret', 'kind: "Secret"', "kind: 'Secret'");
  /** Lines of a manifest that are neither a keyword, nor data, nor a document marker. */
  const lines = fc.array(
    fc.constantFrom(
      'metadata:',
      '  name: db',
      '  labels: { app: web }',
      '# -----BEGIN CERTIFICATE-----',
      '----',
      '---x: 1',
      'type: Opaque',
      '',
    ),
    { maxLength: 4 },
  );
  const marker = fc.constantFrom('---', '--- # next', '--- !tag', '...', '---\r');
  const data = 'data:\n  password: ggvpXqaQ1QiUQZwl==';

  it('count across other lines but not across a --- or ... line, before or after the data (property)', () => {
    fc.assert(
      fc.property(
        kind,
        lines,
        lines,
        marker,
        fc.boolean(),
        (keyword, first, second, separator, isKindFirst) => {
          const [before, after] = isKindFirst ? [keyword, data] : [data, keyword];
          const together = [before, ...first, ...second, after].join('\n');
          expect(secretData.findFrom(together, 0), together).toBeDefined();
          const apart = [before, ...first, separator, ...second, after].join('\n');
          expect(secretData.findFrom(apart, 0), apart).toBeUndefined();
          expectDecidedByNeighbourhood(secretData, apart);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decide from the declared neighbourhood with a marker at the edge of the keyword window (property)', () => {
    // 1024 characters of keyword window: a comment line pads the keyword and the marker around its edge.
    const pad = fc.integer({ min: 990, max: 1040 }).map((length) => `#${' '.repeat(length)}`);
    fc.assert(
      fc.property(kind, pad, marker, fc.boolean(), (keyword, comment, separator, isMarkerFirst) => {
        const middle = isMarkerFirst ? [separator, keyword, comment] : [keyword, comment, separator];
        const text = [...middle, data].join('\n');
        // The keyword counts when it lies after the marker and wholly within the window before the value.
        const reach = `${keyword}\n${comment}\ndata:\n`.length;
        expect(secretData.findFrom(text, 0) !== undefined).toBe(isMarkerFirst && reach <= 1024);
        expectDecidedByNeighbourhood(secretData, text);
      }),
      { numRuns: 60 },
    );
  });
});
