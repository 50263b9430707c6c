import { instantiateKernel } from '../detectors/wasm-kernel.ts';
import { JSON_SCAN_TEXT_WASM } from './json-scan-text-wasm.ts';

const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const BEYOND_LATIN1 = /[\u0100-\uffff]/;
/** Characters of Latin-1 text the kernel rewrites at once (its memory); longer text takes the byte loop. */
const MAX_KERNEL_CHARS = 1024 * 1024;

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
 * strings (keys included, escapes left as written) and number tokens stay at their positions;
 * everything else (quotes, structural characters, whitespace, `true`, `false`, `null`) becomes
 * a line break, which detectors treat like the start or end of text.
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
 */
export function jsonScanText(text: string, blanksKeys = false): JsonScanText {
  // A byte loop is several times faster than building the copy from string slices. Latin-1
  // text, the common case, is copied rather than transcoded (and V8 answers the test at once
  // for the one-byte strings that hold it), and rewritten in WebAssembly
  // (assembly/json-scan-text.ts), which skips the contents of strings sixteen bytes at a time.
  const isLatin1 = !BEYOND_LATIN1.test(text);
  if (isLatin1 && text.length <= MAX_KERNEL_CHARS) {
    const { memory, scanText } = instance();
    const length = memory.write(text, 0, 'latin1');
    const controls = scanText(0, length, blanksKeys ? 1 : 0);
    return { text: memory.toString('latin1', 0, length), isControlFree: controls === 0 };
  }
  const encoding = isLatin1 ? 'latin1' : 'utf8';
  const bytes = Buffer.from(text, encoding);
  const length = bytes.length;
  // Latin-1 text: where the next backslash and line feed are, for the native search of a string's end.
  let backslash = isLatin1 ? -1 : length;
  let lineFeed = isLatin1 ? -1 : length;
  let i = 0;
  while (i < length) {
    let byte = bytes[i] as number;
    if (byte === QUOTE) {
      const open = i;
      bytes[i++] = LF;
      if (backslash < i) backslash = indexOrEnd(text, '\\', i);
      if (lineFeed < i) lineFeed = indexOrEnd(text, '\n', i);
      const close = isLatin1 ? text.indexOf('"', i) : -1;
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
        if (blanksKeys && isKeyEnd(bytes, i) && (isLatin1 || isAscii(bytes, open, i))) {
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
  return { text: bytes.toString(encoding), isControlFree: false };
}

/** What {@link jsonScanText} writes. */
export interface JsonScanText {
  /** The scan text. */
  readonly text: string;
  /**
   * No string holds a raw control character other than a line feed (strings read as the scan
   * reads them, ending at a line feed); `false` when that was not looked for.
   */
  readonly isControlFree: boolean;
}

interface Kernel {
  /** Returns 1 when a string holds a raw control character other than a line feed, else 0. */
  readonly scanText: (text: number, length: number, blanksKeys: number) => number;
  /** The kernel's memory. */
  readonly memory: Buffer;
}

/** The kernel of this thread, made at its first use. */
let kernel: Kernel | undefined;

function instance(): Kernel {
  if (kernel === undefined) {
    const { exports, memory } = instantiateKernel(JSON_SCAN_TEXT_WASM, MAX_KERNEL_CHARS);
    kernel = { scanText: exports.scanText as Kernel['scanText'], memory: Buffer.from(memory) };
  }
  return kernel;
}

/** The index of `char` in `text` at or after `from`, or the text's length. */
function indexOrEnd(text: string, char: string, from: number): number {
  const index = text.indexOf(char, from);
  return index < 0 ? text.length : index;
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
