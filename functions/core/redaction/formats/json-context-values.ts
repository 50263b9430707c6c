import type { ScanMatch, Scanner } from '../scanner.ts';

/**
 * Per value of `values`, 1 when `scanner.scanNamedOnly` finds nothing in it alone, else 0. The
 * values under a key that is context, which the batch scan vouches for, need only the detectors
 * the key changes (see `JsonStringEncoder.redact`); those run here once over all of them instead
 * of once a value, on one text with a line feed between values, and a value is cleared when no
 * match overlaps its span there: the detectors find in `…\n<value>\n…` every match they find in
 * `<value>` alone, which the CSV redactor's scans of columns rely on too (`contextVouched`
 * there). `scanner` must not decode base64, which reads a value only whole.
 */
export function namedOnlyCleared(values: readonly string[], scanner: Scanner): Uint8Array {
  const found = scanner.scanNamedOnly(values.join('\n')).matches;
  const cleared = new Uint8Array(values.length);
  let next = 0;
  let start = 0;
  for (let i = 0; i < values.length; i++) {
    const end = start + (values[i] as string).length;
    while (next < found.length && (found[next] as ScanMatch).end <= start) next++;
    if (next === found.length || (found[next] as ScanMatch).start >= end) cleared[i] = 1;
    start = end + 1;
  }
  return cleared;
}
