import { isLatin1 } from '../latin1-text.ts';

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The first `end` code units of `text` (complete CSV records) as the detectors see them in one
 * batch scan: cell `i < cellCount`, `[cellStarts[i], cellEnds[i])`, stays as written, but for the
 * cells with doubled quotes (`escapedCells`, ascending), which hold their decoded value followed
 * by a line feed per quote dropped; every other character (delimiters, quotes around cells, line
 * breaks) becomes a line feed, which detectors treat like the start or end of text. Positions are
 * kept. `delimiter` is the character code of the field separator.
 *
 * Text without a character above U+00FF is rewritten as one byte per character (Latin-1) and
 * read back into one flat string. Concatenating the cells instead builds a string of hundreds
 * of pieces per batch that the first detector to read it must flatten (measured on the bench
 * CSV, CPU time: about 5 ns per byte, more than the other 13 built-in detectors' scans).
 */
export function csvScanText(
  text: string,
  end: number,
  cellStarts: ArrayLike<number>,
  cellEnds: ArrayLike<number>,
  cellCount: number,
  delimiter: number,
  escapedCells: readonly number[],
): string {
  const raw = text.slice(0, end);
  if (!isLatin1(raw)) {
    return raw.includes('"')
      ? joinCells(text, 0, end, cellStarts, cellEnds, 0, cellCount, escapedCells)
      : breakLines(raw, delimiter);
  }
  // Latin-1 maps U+0000-U+00FF to one byte each and back (Node.js Buffer docs, "Buffers and
  // character encodings").
  const bytes = Buffer.from(raw, 'latin1');
  let position = 0;
  for (let cell = 0; cell < cellCount; cell++) {
    const start = cellStarts[cell] as number;
    for (let i = position; i < start; i++) bytes[i] = LF;
    position = cellEnds[cell] as number;
  }
  for (let i = position; i < end; i++) bytes[i] = LF;
  decodeEscapedCells(bytes, escapedCells, cellStarts, cellEnds, cellCount);
  return bytes.toString('latin1', 0, end);
}

/**
 * Writes over each cell `i < cellCount` of `escapedCells` in `bytes` (one byte per character,
 * positions of the text) its decoded value, one quote of each pair, then a line feed per quote
 * dropped. Such cells are then scanned decoded in the batch and need no scan of their own
 * (a second scan of them all decoded cost ~11 ms of CPU per 16 MB of the bench CSV).
 */
export function decodeEscapedCells(
  bytes: Uint8Array,
  escapedCells: readonly number[],
  cellStarts: ArrayLike<number>,
  cellEnds: ArrayLike<number>,
  cellCount: number,
): void {
  for (const cell of escapedCells) {
    if (cell >= cellCount) break;
    const stop = cellEnds[cell] as number;
    let to = cellStarts[cell] as number;
    for (let from = to; from < stop; from++) {
      const byte = bytes[from] as number;
      bytes[to++] = byte;
      // Inside a cell a quote comes doubled.
      if (byte === QUOTE) from++;
    }
    bytes.fill(LF, to, stop);
  }
}

/**
 * The record line `text[start, end)` (complete records whose cells are `firstCell` to
 * `cellEnd`, excluded) as the batch scan would see it alone, but with every cell as written:
 * where a rescan of a record looks for matches its cells make in one another.
 */
export function csvWrittenLine(
  text: string,
  start: number,
  end: number,
  cellStarts: ArrayLike<number>,
  cellEnds: ArrayLike<number>,
  firstCell: number,
  cellEnd: number,
): string {
  return joinCells(text, start, end, cellStarts, cellEnds, firstCell, cellEnd, []);
}

function joinCells(
  text: string,
  from: number,
  end: number,
  cellStarts: ArrayLike<number>,
  cellEnds: ArrayLike<number>,
  firstCell: number,
  cellEnd: number,
  escapedCells: readonly number[],
): string {
  const pieces: string[] = [];
  let position = from;
  let escaped = 0;
  for (let cell = firstCell; cell < cellEnd; cell++) {
    const start = cellStarts[cell] as number;
    const stop = cellEnds[cell] as number;
    pieces.push('\n'.repeat(start - position));
    if (escapedCells[escaped] === cell) {
      escaped++;
      const value = text.slice(start, stop).replaceAll('""', '"');
      pieces.push(value, '\n'.repeat(stop - start - value.length));
    } else pieces.push(text.slice(start, stop));
    position = stop;
  }
  pieces.push('\n'.repeat(end - position));
  return pieces.join('');
}

/**
 * `text` (records without quotes) with each `delimiter` and each CR turned into LF. In UTF-8 an
 * ASCII byte is always that character, and a byte loop is several times faster than
 * `String.replaceAll`.
 */
function breakLines(text: string, delimiter: number): string {
  const bytes = utf8Encoder.encode(text);
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i];
    if (byte === delimiter || byte === CR) bytes[i] = LF;
  }
  return utf8Decoder.decode(bytes);
}
