import { InvalidArgumentError } from './errors.ts';

const DURATION_PATTERN = /^(\d{1,9})([smhd]?)$/;
const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * Parses a duration as a count of seconds: a whole number with an optional unit, `s`, `m`, `h`
 * or `d` (no unit means seconds).
 *
 * @throws InvalidArgumentError when the text is not such a duration.
 *
 * @example
 * ```ts
 * parseDuration('3d'); // 259200
 * parseDuration('15m'); // 900
 * parseDuration('900'); // 900
 * ```
 */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  const amount = match?.[1];
  const unit = UNIT_SECONDS[match?.[2] ?? ''];
  if (amount === undefined || unit === undefined) {
    throw new InvalidArgumentError(
      `duration "${text}" is not a whole number with an optional unit s, m, h or d (such as 900, 15m, 12h, 3d)`,
    );
  }
  return Number(amount) * unit;
}
