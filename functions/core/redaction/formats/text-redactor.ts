import type { Redactor } from '../redactor.ts';
import type { FormatRedactor } from './format-redactor.ts';

/** Text is scanned once this much is pending beyond what a match could still need. */
const WINDOW = 64 * 1024;

/**
 * Plain text and logs: the detectors run over a sliding window, with no notion of lines, so a
 * 100 MB single line streams in bounded memory. Text is emitted up to a cut point that no
 * pending match can cross; the scanner resumes exactly where one pass over the whole input would.
 */
export function createTextRedactor(redactor: Redactor): FormatRedactor {
  const scanner = redactor.scanner;
  const reach = scanner.maxLength + scanner.lookahead;
  const context = scanner.lookbehind;
  let buffer = '';
  // Index in `buffer` where scanning resumes; text before it is kept only as lookbehind context.
  let position = 0;

  function process(limit: number): string {
    const { matches, next: cut } = scanner.scan(buffer, position, limit);
    const out = redactor.replace(buffer, matches, position, cut);
    const keepFrom = Math.max(0, cut - context);
    buffer = buffer.slice(keepFrom);
    position = cut - keepFrom;
    return out;
  }

  return {
    push(text) {
      buffer += text;
      if (buffer.length - position < WINDOW + reach) return '';
      let limit = buffer.length - reach;
      // Never split a surrogate pair between two outputs.
      if (isHighSurrogate(buffer.charCodeAt(limit - 1))) limit--;
      return process(limit);
    },
    end() {
      const out = process(buffer.length);
      buffer = '';
      position = 0;
      return out;
    },
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
