import { MalformedObjectError } from '../../errors.ts';
import type { FormatRedactor } from './format-redactor.ts';

/**
 * The line that opens a file embedded in a text body: uuencode (`begin 644 name`, POSIX
 * `uuencode`; `begin-base64 644 name`, its `-m` form) or yEnc (`=ybegin line=128 size=20
 * name=a.txt`). Mail clients (Outlook, Thunderbird) show such a block as an attachment, decoded;
 * the detectors see only its encoded lines.
 */
const EMBEDDED_BEGIN = /^(?:begin(?:-base64)? +[0-7]{3,4} +\S|=ybegin )/;
/** Characters of a line's start that the test above needs: `begin-base64 0644 x` and room. */
const LINE_START_CHARS = 24;

/**
 * A text part's redactor that fails with `MalformedObjectError` before it is given the line that
 * opens an embedded file (see {@link EMBEDDED_BEGIN}): the encoded lines after it never pass.
 * Lines before it have passed, redacted, so the object fails rather than losing the part.
 */
export function refuseEmbeddedAttachments(inner: FormatRedactor): FormatRedactor {
  /** The start of the line being read, up to `LINE_START_CHARS`. */
  let lineStart = '';
  /** Adds `text[from, to)`, part of one line, to the start of that line; fails when it opens a file. */
  function read(text: string, from: number, to: number): void {
    if (lineStart.length >= LINE_START_CHARS) return;
    lineStart += text.slice(from, Math.min(to, from + LINE_START_CHARS - lineStart.length));
    if (EMBEDDED_BEGIN.test(lineStart)) {
      throw new MalformedObjectError(
        'mail: a text part holds a uuencoded or yEnc file, which clients show decoded',
      );
    }
  }
  function check(text: string): string {
    let end = text.indexOf('\n');
    read(text, 0, end < 0 ? text.length : end);
    // A line that starts in `text` opens a file only with `begin` in it: most pieces are skipped.
    const isSkipped = !text.includes('begin');
    while (end >= 0) {
      lineStart = '';
      const start = end + 1;
      end = isSkipped ? -1 : text.indexOf('\n', start);
      read(text, isSkipped ? text.lastIndexOf('\n') + 1 : start, end < 0 ? text.length : end);
    }
    return text;
  }
  return {
    push: (text) => inner.push(check(text)),
    end: () => inner.end(),
  };
}
