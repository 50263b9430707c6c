import { instantiateKernel } from '../detectors/wasm-kernel.ts';
import { isLatin1 } from '../latin1-text.ts';
import type { ScanMatch } from '../scanner.ts';
import { indexOrLength } from './index-or-length.ts';
import { JSON_SCAN_TEXT_WASM } from './json-scan-text-wasm.ts';

const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** Characters of Latin-1 text the kernel rewrites at once (its memory); longer text takes the byte loop. */
const MAX_KERNEL_CHARS = 1024 * 1024;
/** The i32 of a string's entry in {@link JsonScanText.strings}: where it starts, where it ends, and its {@link PRINT_CHARS} first bytes. */
export const STRING_INTS = 6;
/** Characters of a string written in its entry (see {@link literalPrint}). */
const PRINT_CHARS = 16;
/** Where the kernel writes the map of positions, after the text, and its most bytes: a pair of i32 per two bytes of text. */
const MAP_OFFSET = MAX_KERNEL_CHARS;
const MAX_MAP_BYTES = 4 * MAX_KERNEL_CHARS;
/** Where the kernel writes the strings' entries, after the map, and their most bytes: one per string of two bytes at least. */
const STRINGS_OFFSET = MAP_OFFSET + MAX_MAP_BYTES;
const MAX_STRINGS_BYTES = (STRING_INTS * 4 * MAX_KERNEL_CHARS) / 2;

// What each byte outside a string does: ends any number and becomes a line break, starts a
// number, continues one (`.`, `e`, `E`, `+`), or, non-ASCII, stays (invalid there, and kept so
// that positions hold).
const BREAK = 0;
const NUMBER_START = 1;
const NUMBER_PART = 2;
const KEEP = 3;
const OUTSIDE = new Uint8Array(256).map((_, byte) => {
  if ((byte >= 0x30 && byte <= 0x39) || byte === 0x2d) return NUMBER_START;
  if (byte === 0x2e || byte === 0x65 || byte === 0x45 || byte === 0x2b) return NUMBER_PART;
  return byte < 0x80 ? BREAK : KEEP;
});
// Inside a string: 0 for a byte that goes on, else one that ends it or needs a look.
const INSIDE = new Uint8Array(256).map((_, byte) =>
  byte === QUOTE || byte === LF || byte === BACKSLASH ? 1 : 0,
);

/**
 * `text`, whole lines of JSON texts, as the detectors see it in one batch scan: the contents of
 * strings (keys included, escapes left as written) and number tokens stay, in order;
 * everything else (quotes, structural characters, whitespace, `true`, `false`, `null`) becomes
 * a line break, which detectors treat like the start or end of text. In Latin-1 text (up to
 * `MAX_KERNEL_CHARS`) each run of line breaks is written as one, sparing the detectors a third
 * of a record's text (keys blanked), and `toSource` maps matches back; elsewhere positions stay.
 *
 * Positions are kept in UTF-16 code units: only ASCII is rewritten, to ASCII, and other
 * characters round-trip through Latin-1 or UTF-8 at their length, except that a lone surrogate
 * becomes U+FFFD, so callers must not trust the scan of a string holding surrogates. The string state
 * restarts at each line feed, which valid JSON strings never hold raw.
 *
 * With `blanksKeys`, a string followed by `:` on its line (spaces, tabs or a carriage return
 * between), an object key, becomes line breaks too, unless it holds a character beyond ASCII in text beyond Latin-1 (whose UTF-8 bytes
 * outnumber its code units): callers that scan keys otherwise (records repeat theirs) spare the
 * detectors that text. Callers must then not trust the scan of any key.
 *
 * With `head`, the text read is `head + text` (a push's tail before the next chunk), its
 * positions counted from the start of `head`: the kernel is given the two parts one after the
 * other, so their concatenation is never made (V8 copies one whole when it is first read).
 */
export function jsonScanText(text: string, blanksKeys = false, head = ''): JsonScanText {
  // A byte loop is several times faster than building the copy from string slices. Latin-1
  // text, the common case, is copied rather than transcoded (and V8 answers the test at once
  // for the one-byte strings that hold it), and rewritten in WebAssembly
  // (assembly/json-scan-text.ts), which moves the contents of strings sixteen bytes at a time.
  // The memory is this thread's, and the next text overwrites it (see `toSource`).
  const isOneByte = (head === '' || isLatin1(head)) && isLatin1(text);
  if (isOneByte && head.length + text.length <= MAX_KERNEL_CHARS) {
    const { memory, scanText, mapEntries, stringEntries } = instance();
    const headLength = head === '' ? 0 : memory.write(head, 0, 'latin1');
    const length = headLength + memory.write(text, headLength, 'latin1');
    // Read back before the kernel rewrites it: one flat string of the two parts.
    const source = memory.toString('latin1', 0, length);
    const scanLength = scanText(0, length, blanksKeys ? 1 : 0, MAP_OFFSET, STRINGS_OFFSET);
    const scan = ++scans;
    // Read in place, as `strings` is: a copy cost a new buffer per push (~32 KB a 64 KiB push of
    // the bench NDJSON), read once right after the detectors ran over the scan text.
    const map = new Int32Array(memory.buffer, memory.byteOffset + MAP_OFFSET, 2 * mapEntries());
    return {
      source,
      text: memory.toString('latin1', 0, scanLength),
      // Read in place until the next scan (see `kernelScans`): a copy cost 24 bytes a string,
      // more bytes than the text holds, ~12 % of this function's time on NDJSON records.
      strings: new Int32Array(
        memory.buffer,
        memory.byteOffset + STRINGS_OFFSET,
        STRING_INTS * stringEntries(),
      ),
      toSource: (matches) => {
        if (scan !== scans) throw new Error('jsonScanText: a later scan overwrote the map of this one');
        return inSource(matches, map);
      },
    };
  }
  if (head !== '') return jsonScanText(head + text, blanksKeys);
  const encoding = isOneByte ? 'latin1' : 'utf8';
  const bytes = Buffer.from(text, encoding);
  const length = bytes.length;
  // Latin-1 text: where the next backslash and line feed are, for the native search of a string's end.
  let backslash = isOneByte ? -1 : length;
  let lineFeed = isOneByte ? -1 : length;
  let i = 0;
  while (i < length) {
    let byte = bytes[i] as number;
    if (byte === QUOTE) {
      const open = i;
      bytes[i++] = LF;
      if (backslash < i) backslash = indexOrLength(text, '\\', i);
      if (lineFeed < i) lineFeed = indexOrLength(text, '\n', i);
      const close = isOneByte ? text.indexOf('"', i) : -1;
      // A string without escapes or line feeds ends at the next quote, which a native search finds
      // far faster than the loop below (positions are the text's in Latin-1).
      if (close >= 0 && close < backslash && close < lineFeed) {
        i = close;
        byte = QUOTE;
      } else {
        // One table load per byte in the common run of plain characters.
        for (;;) {
          while (i < length && INSIDE[bytes[i] as number] === 0) i++;
          if (i >= length) break;
          byte = bytes[i] as number;
          if (byte !== BACKSLASH) break;
          i += bytes[i + 1] !== LF ? 2 : 1;
        }
      }
      if (i < length && byte === QUOTE) {
        bytes[i++] = LF;
        if (blanksKeys && isKeyEnd(bytes, i) && (isOneByte || isAscii(bytes, open, i))) {
          // A loop: Buffer#fill checks its arguments at a cost that short keys feel.
          for (let key = open + 1; key < i; key++) bytes[key] = LF;
        }
      }
      continue;
    }
    const kind = OUTSIDE[byte];
    if (kind === NUMBER_START) {
      i++;
      while (i < length) {
        const next = OUTSIDE[bytes[i] as number];
        if (next !== NUMBER_START && next !== NUMBER_PART) break;
        i++;
      }
      continue;
    }
    if (kind !== KEEP) bytes[i] = LF;
    i++;
  }
  return {
    source: text,
    text: bytes.toString(encoding),
    strings: undefined,
    toSource: (matches) => matches,
  };
}

/** Texts the kernel of this thread has rewritten (see {@link kernelScans}). */
let scans = 0;

/**
 * How many texts the kernel of this thread has rewritten: the `strings` of a scan (see
 * {@link JsonScanText.strings}) hold while this is the count just after it, and are overwritten
 * by the next (a JSON body decoded from a value, redacted while its record is read, scans too).
 */
export function kernelScans(): number {
  return scans;
}

/**
 * The first characters of `text` as the kernel writes those of a string in its entry (see
 * {@link JsonScanText.strings}): the bytes of its first `PRINT_CHARS` characters, zero past its
 * end, as four i32; `undefined` when it is longer or holds a character beyond Latin-1. A plain
 * string of that length whose entry holds them is `text`, compared in four numbers.
 */
export function literalPrint(text: string): Int32Array | undefined {
  if (text.length > PRINT_CHARS || !isLatin1(text)) return undefined;
  const bytes = new Uint8Array(PRINT_CHARS);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  // Read as the entries are, in this platform's byte order.
  return new Int32Array(bytes.buffer);
}

/**
 * `matches` (ascending, not overlapping) in positions of the text `map` was written for: pairs
 * of a scan text position and the shift to add to it and to the positions up to the next pair's.
 */
function inSource(matches: ScanMatch[], map: Int32Array): ScanMatch[] {
  if (map.length === 0 || matches.length === 0) return matches;
  const shifted: ScanMatch[] = [];
  // The pairs up to `pair` start at or before the positions asked so far (they ascend).
  let pair = -1;
  for (const match of matches) {
    pair = lastPairAtOrBefore(map, match.start, pair);
    const start = match.start + (pair < 0 ? 0 : (map[2 * pair + 1] as number));
    // The end is where the match's last character ends: a run of line breaks after it stays out.
    let end = start;
    if (match.end > match.start) {
      pair = lastPairAtOrBefore(map, match.end - 1, pair);
      end = match.end + (pair < 0 ? 0 : (map[2 * pair + 1] as number));
    }
    shifted.push(
      match.value === undefined
        ? { start, end, detector: match.detector }
        : { start, end, detector: match.detector, value: match.value },
    );
  }
  return shifted;
}

/**
 * The last pair of `map` whose scan text position is at or before `position`, searched by
 * halves after `from` (a pair known to be at or before it, or -1): a batch has a pair per run of
 * line breaks, about 40 a record, and a few matches spread over it, so reading the pairs one by
 * one up to each match read most of the map (4,000 pairs a 64 KiB push of the bench NDJSON, for
 * about 40 matches).
 */
function lastPairAtOrBefore(map: Int32Array, position: number, from: number): number {
  let low = from + 1;
  let high = map.length >> 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((map[2 * middle] as number) <= position) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** What {@link jsonScanText} writes. */
export interface JsonScanText {
  /** The text it was written for, as a flat copy when that is cheap (Latin-1 for the kernel): the one to lex. */
  readonly source: string;
  /** The scan text. */
  readonly text: string;
  /**
   * Where the strings of the text start and end, when the kernel wrote it (Latin-1):
   * `STRING_INTS` per string, in order: the index of its opening quote; of its closing quote
   * when it holds no backslash or control character, else the bitwise complement of where it
   * ends (its closing quote, the line feed that cuts it, or the text's end); and, for a key
   * (a string that `:` follows on its line), its first characters as {@link literalPrint} gives
   * those of a text (any numbers for other strings). A quote inside a string (`\"`) starts none.
   * A view of the kernel's memory: it holds until the next scan (see {@link kernelScans}).
   */
  readonly strings: Int32Array | undefined;
  /**
   * Matches of a scan of {@link text}, in positions of the text it was written for. The kernel's
   * map is read in place: map before the next scan of this thread, which fails it.
   */
  readonly toSource: (matches: ScanMatch[]) => ScanMatch[];
}

interface Kernel {
  /** Returns the scan text's length; writes the map of its positions at `map`, the strings' ends at `strings`. */
  readonly scanText: (
    text: number,
    length: number,
    blanksKeys: number,
    map: number,
    strings: number,
  ) => number;
  /** Pairs in the map the last `scanText` wrote. */
  readonly mapEntries: () => number;
  /** Entries of strings the last `scanText` wrote. */
  readonly stringEntries: () => number;
  /** The kernel's memory. */
  readonly memory: Buffer;
}

/** The kernel of this thread, made at its first use. */
let kernel: Kernel | undefined;

function instance(): Kernel {
  if (kernel === undefined) {
    const { exports, memory } = instantiateKernel(JSON_SCAN_TEXT_WASM, STRINGS_OFFSET + MAX_STRINGS_BYTES);
    kernel = {
      scanText: exports.scanText as Kernel['scanText'],
      mapEntries: exports.mapEntries as Kernel['mapEntries'],
      stringEntries: exports.stringEntries as Kernel['stringEntries'],
      memory: Buffer.from(memory),
    };
  }
  return kernel;
}

/**
 * True when `:` follows `from` on its line, after spaces or tabs: the string that ends there is
 * a key. A value that the next line would make one (`:` first on it) is malformed there, and
 * stays as a value here.
 */
function isKeyEnd(bytes: Buffer, from: number): boolean {
  let i = from;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    if (byte === COLON) return true;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
    i++;
  }
  return false;
}

function isAscii(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}
