import type { Detector } from '../../../functions/core/redaction/detector.ts';

/** Every match `findFrom` yields walking through `text`, as the matched strings. */
export function findAll(detector: Detector, text: string): string[] {
  const found: string[] = [];
  let from = 0;
  for (
    let match = detector.findFrom(text, from);
    match !== undefined;
    match = detector.findFrom(text, from)
  ) {
    found.push(text.slice(match.start, match.end));
    from = match.end;
  }
  return found;
}
