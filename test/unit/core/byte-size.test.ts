import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../../functions/core/byte-size.ts';
import { InvalidArgumentError } from '../../../functions/core/errors.ts';

describe('parseByteSize', () => {
  it.each([
    ['4096', 4096],
    ['4096B', 4096],
    ['10GB', 10_000_000_000],
    ['10gb', 10_000_000_000],
    ['10 GB', 10_000_000_000],
    ['512MiB', 536_870_912],
    ['1TiB', 2 ** 40],
    ['64k', 64_000],
    [' 2Gi ', 2 * 2 ** 30],
  ])('reads %j as %i bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it('reads every whole number with every unit as that multiple', () => {
    const units = {
      B: 1,
      KB: 1e3,
      MB: 1e6,
      GB: 1e9,
      TB: 1e12,
      KiB: 1024,
      MiB: 1024 ** 2,
      GiB: 1024 ** 3,
      TiB: 1024 ** 4,
    };
    fc.assert(
      fc.property(fc.nat(999_999), fc.constantFrom(...Object.entries(units)), (amount, [unit, bytes]) => {
        expect(parseByteSize(`${amount}${unit}`)).toBe(amount * bytes);
      }),
    );
  });

  it.each(['', 'GB', '-1GB', '1.5GB', '10 G B', '10PB', '10GiBB', '1234567890123'])('rejects %j', (text) => {
    expect(() => parseByteSize(text)).toThrow(InvalidArgumentError);
  });

  it('rejects a malformed size with a message naming it and the allowed units', () => {
    expect(() => parseByteSize('10PB')).toThrow(/"10PB".*GB, TB, KiB/);
  });
});
