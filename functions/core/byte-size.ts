import { InvalidArgumentError } from './errors.ts';

const BYTE_SIZE_PATTERN = /^(\d{1,12})\s*([kmgt]i?)?b?$/i;
const UNIT_BYTES: Record<string, number> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/**
 * Parses a size as a count of bytes: a whole number with an optional unit, decimal (`KB`, `MB`,
 * `GB`, `TB`) or binary (`KiB`, `MiB`, `GiB`, `TiB`), any case; no unit or `B` means bytes.
 *
 * @throws InvalidArgumentError when the text is not such a size.
 *
 * @example
 * ```ts
 * parseByteSize('10GB'); // 10000000000
 * parseByteSize('512MiB'); // 536870912
 * parseByteSize('4096'); // 4096
 * ```
 */
export function parseByteSize(text: string): number {
  const match = BYTE_SIZE_PATTERN.exec(text.trim());
  const amount = match?.[1];
  const unit = UNIT_BYTES[(match?.[2] ?? '').toLowerCase()];
  if (amount === undefined || unit === undefined) {
    throw new InvalidArgumentError(
      `size "${text}" is not a whole number with an optional unit B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (such as 10GB, 512MiB)`,
    );
  }
  return Number(amount) * unit;
}
