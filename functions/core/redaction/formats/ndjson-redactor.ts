import { LimitExceededError } from '../../errors.ts';
import { isBlank } from '../ascii-classes.ts';
import type { Redactor } from '../redactor.ts';
import type { PartRedactorFactory } from './encoded-body.ts';
import type { FormatRedactor } from './format-redactor.ts';
import { lexJsonText, PlainStrings } from './json-text-lexer.ts';
import { JsonTokenRewriter } from './json-token-rewriter.ts';
import { MatchCursor } from './match-cursor.ts';

const CARRIAGE_RETURN = 0x0d;

/**
 * Newline-delimited JSON: each line is one JSON value, redacted like a JSON document (same
 * field rules, detectors and compact re-serialization) and emitted as soon as its newline
 * arrives. Lines are kept one for one: blank lines stay (emptied), CRLF and LF endings and a
 * missing final newline are kept.
 *
 * For speed the detectors first run once over all complete lines of a push, as `jsonScanText`
 * writes them (string contents and numbers in order, everything else a line break; keys left
 * out while records repeat them, see `JsonTokenRewriter.scanBatch`), and once over the values
 * with escapes, decoded, of Latin-1 text (see `EscapedValues`); only a value that a match
 * overlaps near its ends (see `JsonTokenRewriter`), or another string with escapes or
 * surrogates, is then scanned alone. This equals scanning every value alone as
 * long as detectors treat a line break like the start or end of text (see the CSV redactor);
 * values under a field rule are never scanned. The lines are read in place in the text of the
 * push, and what does not change is copied from it.
 *
 * A line longer than `limits.maxRecordBytes` (in UTF-16 code units) fails with
 * `LimitExceededError`; a line that is not one JSON value fails with `MalformedObjectError`.
 * Both name the 1-based line number, never content. After an error every call throws it again.
 * `createPart` makes the redactors of bodies in base64 (see `JsonTokenRewriter`).
 *
 * @example
 * ```ts
 * const ndjson = createNdjsonRedactor(redactor);
 * ndjson.push('{"email":"a@example.com"}\r\n{"n":1}') + ndjson.end();
 * // '{"email":"[EMAIL]"}\r\n{"n":1}'
 * ```
 */
export function createNdjsonRedactor(
  redactor: Redactor,
  createPart?: PartRedactorFactory,
  isObjectStart = true,
): FormatRedactor {
  const maxLineChars = redactor.limits.maxRecordBytes;
  const scanner = redactor.scanner;
  const hasDetectors = scanner.detectors.length > 0;
  let lineNumber = 0;
  // Where the line being read starts in the text: positions are counted from there in errors.
  let lineStart = 0;
  const rewriter = new JsonTokenRewriter(
    redactor,
    (index) => `on line ${lineNumber}, character ${index - lineStart + 1}`,
    undefined,
    createPart,
  );
  if (isObjectStart) rewriter.readLines();
  const matches = new MatchCursor();
  // The line still waiting for its newline.
  let pending = '';
  let failure: unknown;

  /**
   * Redacts `head + text`, one or more whole lines joined by LF, and joins them the same way,
   * then `after`: the output that no table's window still holds (see
   * `JsonTokenRewriter.readLines`). The batch scan reads `head` (the line a push left
   * pending) and `text` apart and gives the flat text to lex: their concatenation, which the
   * scan's Latin-1 test flattened (a copy of each 64 KiB push), is not made.
   */
  function redactLines(head: string, text: string, after = ''): string {
    const batch = hasDetectors ? rewriter.scanBatch(text, scanner, head) : undefined;
    const lines = batch?.source ?? head + text;
    matches.reset(batch?.matches ?? []);
    rewriter.read(lines);
    const plain = new PlainStrings(lines, rewriter.batchStringsOf(lines));
    let start = 0;
    for (let newline = lines.indexOf('\n'); newline >= 0; newline = lines.indexOf('\n', start)) {
      redactLine(lines, start, newline, plain);
      rewriter.copy(newline, newline + 1);
      start = newline + 1;
    }
    redactLine(lines, start, lines.length, plain);
    if (after !== '') rewriter.append(after);
    return rewriter.take();
  }

  /** Redacts the line `lines[start, end)` into the rewriter's output; `plain` are the strings of `lines`. */
  function redactLine(lines: string, start: number, end: number, plain: PlainStrings): void {
    lineNumber++;
    lineStart = start;
    const hasCarriageReturn = end > start && lines.charCodeAt(end - 1) === CARRIAGE_RETURN;
    const bodyEnd = hasCarriageReturn ? end - 1 : end;
    if (bodyEnd - start > maxLineChars) throw tooLong();
    let first = start;
    while (first < bodyEnd && isBlank(lines.charCodeAt(first))) first++;
    if (first < bodyEnd) {
      lexJsonText(lines, rewriter, { matches, from: first, to: bodyEnd, plain });
      rewriter.finish(bodyEnd);
    }
    if (hasCarriageReturn) rewriter.copy(bodyEnd, end);
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
        const lastNewline = text.lastIndexOf('\n');
        if (lastNewline < 0) {
          pending += text;
          // One more for a carriage return; the exact check runs when the line is complete.
          if (pending.length > maxLineChars + 1) {
            lineNumber++;
            throw tooLong();
          }
          return '';
        }
        const out = redactLines(pending, text.slice(0, lastNewline), '\n');
        pending = text.slice(lastNewline + 1);
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
        const out = last === '' ? '' : redactLines('', last);
        rewriter.endTable();
        return out + rewriter.take();
      });
    },
  };
}
