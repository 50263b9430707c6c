import { LimitExceededError, MalformedObjectError } from '../../errors.ts';

/** One physical line of an LDIF file: its text and the line break that ended it (`\r\n`, `\n` or none at the end). */
export interface LdifPhysicalLine {
  readonly text: string;
  readonly newline: string;
}

/**
 * One logical line of an LDIF file (RFC 2849 §2, note 2): a line and the lines folded onto it
 * (each starting with one space), as written, and unfolded (each line break and the space after
 * it removed). An empty `text` is a record separator.
 */
export interface LdifLine {
  readonly lines: readonly LdifPhysicalLine[];
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
  private pending = '';
  private at = 0;
  /** `pending` holds no line break before this. */
  private searched = 0;
  /**
   * Pieces without a line break pushed after `pending`, joined only when a line break comes: a
   * long line in small pieces is neither copied nor searched again for each piece.
   */
  private pieces: string[] = [];
  private piecesChars = 0;
  private current: LdifPhysicalLine[] = [];
  private currentChars = 0;
  private number = 0;
  /** Number of the first physical line of `current`. */
  private start = 0;
  private readonly maxLineChars: number;

  constructor(maxLineChars: number) {
    this.maxLineChars = maxLineChars;
  }

  push(text: string): void {
    if (!text.includes('\n')) {
      this.pieces.push(text);
      this.piecesChars += text.length;
      return;
    }
    const held = this.pieces.join('');
    // The held pieces have no line break: they extend a search that had reached the end.
    const isSearched = this.searched >= this.pending.length;
    const searched = isSearched ? this.pending.length + held.length : this.searched;
    this.pending = this.pending.slice(this.at) + held + text;
    this.searched = Math.max(0, searched - this.at);
    this.at = 0;
    this.pieces = [];
    this.piecesChars = 0;
  }

  /** The next complete logical line, or `undefined` when more text is needed to tell. */
  next(): LdifLine | undefined {
    for (;;) {
      const end = this.pending.indexOf('\n', Math.max(this.at, this.searched));
      if (end < 0) {
        this.check(this.pending.length - this.at + this.piecesChars);
        this.searched = this.pending.length;
        return undefined;
      }
      this.check(end - this.at);
      const isCrlf = end > this.at && this.pending.charCodeAt(end - 1) === 13;
      const line = {
        text: this.pending.slice(this.at, isCrlf ? end - 1 : end),
        newline: isCrlf ? '\r\n' : '\n',
      };
      this.at = end + 1;
      const done = this.add(line);
      if (done !== undefined) return done;
    }
  }

  /** The logical lines left once the input has ended: the held one, and an unterminated last line's. */
  end(): LdifLine[] {
    const rest = this.pending.slice(this.at) + this.pieces.join('');
    this.pending = '';
    this.at = 0;
    this.searched = 0;
    this.pieces = [];
    this.piecesChars = 0;
    const done = rest === '' ? undefined : this.add({ text: rest, newline: '' });
    const last = this.take();
    return [done, last].filter((line): line is LdifLine => line !== undefined);
  }

  /** Adds a physical line: returns the logical line it completes, if it starts a new one. */
  private add(line: LdifPhysicalLine): LdifLine | undefined {
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
