import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import { type PhysicalLine, PhysicalLines } from './physical-lines.ts';

/**
 * Cuts mail text that arrives in pieces into lines (sans-I/O): `push` a piece, then take the
 * complete lines with `next` until it returns `undefined`. A line longer than `maxLineChars` fails
 * (RFC 5322 §2.1.1 allows 998 characters; what is kept stays bounded whatever the input). A
 * line holding a CR that ends no line fails: RFC 2045 §2.7 and RFC 5322 §2.3 allow CR only
 * before LF, and some parsers (Python's `email`) break a line there, so they would read a field,
 * a blank line or a delimiter inside what the redactor read as one line of text.
 */
export class MailLines {
  private readonly lines = new PhysicalLines();
  private readonly maxLineChars: number;

  constructor(maxLineChars: number) {
    this.maxLineChars = maxLineChars;
  }

  push(text: string): void {
    this.lines.push(text);
  }

  /** The next complete line, or `undefined` when the rest has no line break yet. */
  next(): PhysicalLine | undefined {
    const line = this.lines.next();
    if (line === undefined) {
      this.check(this.lines.unterminatedChars);
      return undefined;
    }
    // The CR of a CRLF counts, the LF does not.
    this.check(line.text.length + line.newline.length - 1);
    withoutBareCr(line.text);
    return line;
  }

  /** What is left without a line break; the lines start empty again. */
  rest(): string {
    return this.lines.rest();
  }

  /** The last line, which ends without a line break: what is left at the end of the input. */
  lastLine(): string {
    return withoutBareCr(this.rest());
  }

  private check(lineChars: number): void {
    if (lineChars > this.maxLineChars) {
      throw new LimitExceededError(`mail: a line is longer than ${this.maxLineChars} characters`);
    }
  }
}

function withoutBareCr(text: string): string {
  if (text.includes('\r')) throw new MalformedObjectError('mail: a line holds a CR that ends no line');
  return text;
}
