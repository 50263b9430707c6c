import { LimitExceededError } from '../../errors.ts';
import type { Redactor } from '../redactor.ts';
import type { FormatRedactor } from './format-redactor.ts';
import { lexJsonText } from './json-text-lexer.ts';
import { JsonTokenRewriter } from './json-token-rewriter.ts';

const BLANK = /^[ \t]*$/;

/**
 * Newline-delimited JSON: each line is one JSON value, redacted like a JSON document (same
 * field rules, detectors and compact re-serialization) and emitted as soon as its newline
 * arrives. Lines are kept one for one: blank lines stay (emptied), CRLF and LF endings and a
 * missing final newline are kept.
 *
 * A line longer than `limits.maxRecordBytes` (in UTF-16 code units) fails with
 * `LimitExceededError`; a line that is not one JSON value fails with `MalformedObjectError`.
 * Both name the 1-based line number, never content. After an error every call throws it again.
 *
 * @example
 * ```ts
 * const ndjson = createNdjsonRedactor(redactor);
 * ndjson.push('{"email":"a@example.com"}\r\n{"n":1}') + ndjson.end();
 * // '{"email":"[EMAIL]"}\r\n{"n":1}'
 * ```
 */
export function createNdjsonRedactor(redactor: Redactor): FormatRedactor {
  const maxLineChars = redactor.limits.maxRecordBytes;
  let lineNumber = 0;
  const rewriter = new JsonTokenRewriter(
    redactor,
    (index) => `on line ${lineNumber}, character ${index + 1}`,
  );
  // The line still waiting for its newline.
  let pending = '';
  let failure: unknown;

  function redactLine(line: string): string {
    lineNumber++;
    const hasCarriageReturn = line.endsWith('\r');
    const body = hasCarriageReturn ? line.slice(0, -1) : line;
    if (body.length > maxLineChars) throw tooLong();
    if (body.length === 0 || BLANK.test(body)) return hasCarriageReturn ? '\r' : '';
    lexJsonText(body, rewriter);
    rewriter.finish(body.length);
    return hasCarriageReturn ? `${rewriter.take()}\r` : rewriter.take();
  }

  function tooLong(): LimitExceededError {
    return new LimitExceededError(`NDJSON line ${lineNumber} is longer than ${maxLineChars} characters`);
  }

  function guarded(step: () => string): string {
    if (failure !== undefined) throw failure;
    try {
      return step();
    } catch (error) {
      failure = error;
      throw error;
    }
  }

  return {
    push(text) {
      return guarded(() => {
        let newline = text.indexOf('\n');
        if (newline < 0) {
          pending += text;
          // One more for a carriage return; the exact check runs when the line is complete.
          if (pending.length > maxLineChars + 1) {
            lineNumber++;
            throw tooLong();
          }
          return '';
        }
        let out = `${redactLine(pending + text.slice(0, newline))}\n`;
        let start = newline + 1;
        for (newline = text.indexOf('\n', start); newline >= 0; newline = text.indexOf('\n', start)) {
          out += `${redactLine(text.slice(start, newline))}\n`;
          start = newline + 1;
        }
        pending = text.slice(start);
        if (pending.length > maxLineChars + 1) {
          lineNumber++;
          throw tooLong();
        }
        return out;
      });
    },
    end() {
      return guarded(() => {
        const last = pending;
        pending = '';
        return last === '' ? '' : redactLine(last);
      });
    },
  };
}
