import { LimitExceededError, MalformedObjectError } from '../../errors.ts';

/** One line of a mail: its text and the line break that ended it (`\r\n` or `\n`). */
export interface MailLine {
  readonly text: string;
  readonly newline: string;
}

/**
 * Cuts text that arrives in pieces into lines (sans-I/O): `push` a piece, then take the complete
 * lines with `next` until it returns `undefined`. A line longer than `maxLineChars` fails
 * (RFC 5322 §2.1.1 allows 998 characters; what is kept stays bounded whatever the input). A
 * line holding a CR that ends no line fails: RFC 2045 §2.7 and RFC 5322 §2.3 allow CR only
 * before LF, and some parsers (Python's `email`) break a line there, so they would read a field,
 * a blank line or a delimiter inside what the redactor read as one line of text.
 */
export class MailLines {
  private pending = '';
  private at = 0;
  private readonly maxLineChars: number;

  constructor(maxLineChars: number) {
    this.maxLineChars = maxLineChars;
  }

  push(text: string): void {
    this.pending = this.at === 0 ? this.pending + text : this.pending.slice(this.at) + text;
    this.at = 0;
  }

  /** The next complete line, or `undefined` when the rest has no line break yet. */
  next(): MailLine | undefined {
    const end = this.pending.indexOf('\n', this.at);
    if (end < 0) {
      if (this.pending.length - this.at > this.maxLineChars) {
        throw new LimitExceededError(`mail: a line is longer than ${this.maxLineChars} characters`);
      }
      return undefined;
    }
    if (end - this.at > this.maxLineChars) {
      throw new LimitExceededError(`mail: a line is longer than ${this.maxLineChars} characters`);
    }
    const isCrlf = end > this.at && this.pending.charCodeAt(end - 1) === 13;
    const line = {
      text: withoutBareCr(this.pending.slice(this.at, isCrlf ? end - 1 : end)),
      newline: isCrlf ? '\r\n' : '\n',
    };
    this.at = end + 1;
    return line;
  }

  /** What is left without a line break; the lines start empty again. */
  rest(): string {
    const rest = this.pending.slice(this.at);
    this.pending = '';
    this.at = 0;
    return rest;
  }

  /** The last line, which ends without a line break: what is left at the end of the input. */
  lastLine(): string {
    return withoutBareCr(this.rest());
  }
}

function withoutBareCr(text: string): string {
  if (text.includes('\r')) throw new MalformedObjectError('mail: a line holds a CR that ends no line');
  return text;
}
