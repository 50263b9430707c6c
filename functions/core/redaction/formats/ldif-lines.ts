import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import { type PhysicalLine, PhysicalLines } from './physical-lines.ts';

/**
 * One logical line of an LDIF file (RFC 2849 §2, note 2): a line and the lines folded onto it
 * (each starting with one space), as written, and unfolded (each line break and the space after
 * it removed). An empty `text` is a record separator.
 */
export interface LdifLine {
  readonly lines: readonly PhysicalLine[];
  readonly text: string;
  /** Number of the first physical line, from 1. */
  readonly number: number;
}

/**
 * Cuts LDIF text that arrives in pieces into logical lines (sans-I/O): `push` a piece, then take
 * the complete logical lines with `next` until it returns `undefined`; after the last piece,
 * `end` returns the rest. A logical line is complete only when the physical line after it
 * does not start with a space, so one physical line is held back. Fails with
 * `LimitExceededError` when a logical line, folds included, is longer than `maxLineChars`, and
 * with `MalformedObjectError` on a folded line with no line before it to continue (the first
 * line, or one after an empty line).
 */
export class LdifLines {
  private readonly physical = new PhysicalLines();
  private current: PhysicalLine[] = [];
  private currentChars = 0;
  private number = 0;
  /** Number of the first physical line of `current`. */
  private start = 0;
  private readonly maxLineChars: number;

  constructor(maxLineChars: number) {
    this.maxLineChars = maxLineChars;
  }

  push(text: string): void {
    this.physical.push(text);
  }

  /** The next complete logical line, or `undefined` when more text is needed to tell. */
  next(): LdifLine | undefined {
    for (;;) {
      const line = this.physical.next();
      if (line === undefined) {
        this.check(this.physical.unterminatedChars);
        return undefined;
      }
      // The CR of a CRLF counts, the LF does not.
      this.check(line.text.length + line.newline.length - 1);
      const done = this.add(line);
      if (done !== undefined) return done;
    }
  }

  /** The logical lines left once the input has ended: the held one, and an unterminated last line's. */
  end(): LdifLine[] {
    const rest = this.physical.rest();
    const done = rest === '' ? undefined : this.add({ text: rest, newline: '' });
    const last = this.take();
    return [done, last].filter((line): line is LdifLine => line !== undefined);
  }

  /** Adds a physical line: returns the logical line it completes, if it starts a new one. */
  private add(line: PhysicalLine): LdifLine | undefined {
    this.number++;
    if (line.text.startsWith(' ')) {
      const last = this.current[this.current.length - 1];
      if (last === undefined || (this.current.length === 1 && last.text === '')) {
        throw new MalformedObjectError(`ldif: line ${this.number} is folded onto no line`);
      }
      this.current.push(line);
      this.currentChars += line.text.length + line.newline.length;
      return undefined;
    }
    const done = this.take();
    this.current = [line];
    this.start = this.number;
    this.currentChars = line.text.length + line.newline.length;
    return done;
  }

  private take(): LdifLine | undefined {
    const lines = this.current;
    if (lines.length === 0) return undefined;
    this.current = [];
    this.currentChars = 0;
    const number = this.start;
    const text = lines.map((line, i) => (i === 0 ? line.text : line.text.slice(1))).join('');
    return { lines, text, number };
  }

  private check(unterminated: number): void {
    if (this.currentChars + unterminated > this.maxLineChars) {
      throw new LimitExceededError(
        `ldif: a line, with its folds, is longer than ${this.maxLineChars} characters`,
      );
    }
  }
}
