/** One physical line: its text and the line break that ended it (`\r\n`, `\n`, or none at the end of the input). */
export interface PhysicalLine {
  readonly text: string;
  readonly newline: string;
}

/**
 * Cuts text that arrives in pieces into physical lines (sans-I/O): `push` a piece, then take the
 * complete lines with `next` until it returns `undefined`; `rest` takes what is left without a
 * line break. A line ends at LF, with the CR before it if there is one; any other CR stays in the
 * text, for the format to judge. Sets no limit: `unterminatedChars` is what the format bounds.
 *
 * Pieces without a line break are held apart and joined once a line break comes, and the search
 * for one resumes where it stopped: a long line in small pieces is neither copied nor searched
 * again for each piece.
 */
export class PhysicalLines {
  private pending = '';
  private at = 0;
  /** `pending` holds no line break before this. */
  private searched = 0;
  /** Pieces without a line break pushed after `pending`. */
  private pieces: string[] = [];
  private piecesChars = 0;

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

  /** The next complete line, or `undefined` when the rest has no line break yet. */
  next(): PhysicalLine | undefined {
    const end = this.pending.indexOf('\n', Math.max(this.at, this.searched));
    if (end < 0) {
      this.searched = this.pending.length;
      return undefined;
    }
    const isCrlf = end > this.at && this.pending.charCodeAt(end - 1) === 13;
    const line = {
      text: this.pending.slice(this.at, isCrlf ? end - 1 : end),
      newline: isCrlf ? '\r\n' : '\n',
    };
    this.at = end + 1;
    return line;
  }

  /** Characters held after the last complete line. */
  get unterminatedChars(): number {
    return this.pending.length - this.at + this.piecesChars;
  }

  /** What is left without a line break; the lines start empty again. */
  rest(): string {
    const rest = this.pending.slice(this.at) + this.pieces.join('');
    this.pending = '';
    this.at = 0;
    this.searched = 0;
    this.pieces = [];
    this.piecesChars = 0;
    return rest;
  }
}
