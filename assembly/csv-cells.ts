/**
 * The complete records and cells of Latin-1 CSV text in linear memory, as `CsvTokenizer`
 * (functions/core/redaction/formats/csv-tokenizer.ts) splits them, and the batch scan text of
 * those records written over the text (see csv-scan-text.ts): the quotes around cells, the
 * delimiters and the terminators become line feeds, the cells stay as written. The next
 * delimiter or line break of a plain cell is found sixteen bytes at a time (SIMD), and so is the
 * next quote of a quoted one.
 *
 * Built by bin/build-kernels.js into functions/core/redaction/formats/csv-cells-wasm.ts.
 */

const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const QUOTE: u8 = 0x22;

/** Bytes one SIMD block holds. */
const BLOCK: i32 = 16;

/** A cell's kind, as `CellKind` numbers them. */
const PLAIN: u8 = 0;
const QUOTED: u8 = 1;
const QUOTED_ESCAPED: u8 = 2;

/** Cells of the complete records the last `tokenize` found. */
let cells: i32 = 0;

/** The cells of the complete records that the last `tokenize` found. */
export function completeCells(): i32 {
  return cells;
}

/**
 * The mask of the bytes of the block at `text + at` equal to one of `a`, `b`, `c` (splatted),
 * cut at `length`: the memory holds 15 bytes past the text that the block may read.
 */
function hitsOf(text: usize, at: i32, length: i32, a: v128, b: v128, c: v128): i32 {
  const block = v128.load(text + <usize>at);
  let hits = i8x16.bitmask(v128.or(v128.or(i8x16.eq(block, a), i8x16.eq(block, b)), i8x16.eq(block, c)));
  if (length - at < BLOCK) hits &= (1 << (length - at)) - 1;
  return hits;
}

/**
 * Splits the Latin-1 CSV text `text[0, length)`, which starts at a record, into the records it
 * completes: per cell, its span without quotes in `starts` and `ends` (i32) and its kind in
 * `kinds` (u8); per record, the offset after its terminator in `recordEnds` and the index one
 * past its last cell in `recordCellEnds` (i32), offsets counted from `offset` before the text
 * and cell indexes from `firstCell`, as the caller's arrays hold them. Records end at LF, CRLF
 * or a CR alone outside quoted cells, a CR at the end of the text waiting for the next; a quote
 * starts a quoted cell only at a cell's start. Rewrites each byte outside a cell of a complete record to a line feed.
 * Returns the records completed, or -1 when a character other than a delimiter or line break
 * follows a closing quote (the caller's tokenizer reports it). Reads up to 15 bytes past the text.
 */
export function tokenize(
  text: usize,
  length: i32,
  delimiter: i32,
  offset: i32,
  firstCell: i32,
  starts: usize,
  ends: usize,
  kinds: usize,
  recordEnds: usize,
  recordCellEnds: usize,
): i32 {
  const delimiters = i8x16.splat(<i8>delimiter);
  const lineFeeds = i8x16.splat(<i8>LF);
  const returns = i8x16.splat(<i8>CR);
  const quotes = i8x16.splat(<i8>QUOTE);
  let records = 0;
  let cell = 0;
  let complete = 0;
  let position = 0;
  while (position < length) {
    let start = position;
    let stop = 0;
    let kind = PLAIN;
    // What follows the cell: a delimiter, a line break, or the end of the text.
    let after = 0;
    if (load<u8>(text + <usize>position) === QUOTE) {
      store<u8>(text + <usize>position, LF);
      start = position + 1;
      kind = QUOTED;
      let at = start;
      for (;;) {
        let hits = 0;
        while (at < length) {
          hits = hitsOf(text, at, length, quotes, quotes, quotes);
          if (hits !== 0) break;
          at += BLOCK;
        }
        if (hits === 0) {
          cells = complete;
          return records;
        }
        const quote = at + ctz(hits);
        // The character after the quote decides: a doubled quote, or the cell's end.
        if (quote + 1 >= length) {
          cells = complete;
          return records;
        }
        if (load<u8>(text + <usize>(quote + 1)) === QUOTE) {
          kind = QUOTED_ESCAPED;
          at = quote + 2;
          continue;
        }
        stop = quote;
        store<u8>(text + <usize>quote, LF);
        after = quote + 1;
        break;
      }
      const next = load<u8>(text + <usize>after);
      if (next !== <u8>delimiter && next !== LF && next !== CR) return -1;
    } else {
      let at = position;
      let hits = 0;
      while (at < length) {
        hits = hitsOf(text, at, length, delimiters, lineFeeds, returns);
        if (hits !== 0) break;
        at += BLOCK;
      }
      if (hits === 0) break;
      stop = at + ctz(hits);
      after = stop;
    }
    store<i32>(starts + ((<usize>cell) << 2), offset + start);
    store<i32>(ends + ((<usize>cell) << 2), offset + stop);
    store<u8>(kinds + <usize>cell, kind);
    cell++;
    const next = load<u8>(text + <usize>after);
    if (next === <u8>delimiter) {
      store<u8>(text + <usize>after, LF);
      position = after + 1;
      continue;
    }
    let end = after + 1;
    if (next === CR) {
      // CR or CRLF: the next text decides.
      if (end >= length) break;
      store<u8>(text + <usize>after, LF);
      if (load<u8>(text + <usize>end) === LF) end++;
    }
    store<i32>(recordEnds + ((<usize>records) << 2), offset + end);
    store<i32>(recordCellEnds + ((<usize>records) << 2), firstCell + cell);
    records++;
    complete = cell;
    position = end;
  }
  cells = complete;
  return records;
}
