import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
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
