import * as libqp from 'libqp';
import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import { isHighSurrogate } from '../surrogates.ts';
import type { FormatRedactor } from './format-redactor.ts';

/** The charsets a mail part's text is read in; another one is not read (see `mail-redactor.ts`). */
export type MailCharset = 'utf-8' | 'windows-1252';

/** Encoded content transfer encodings (RFC 2045 §6): the others carry the text as it is. */
export type MailTransferEncoding = 'base64' | 'quoted-printable';

/** Bytes per base64 line: 57 bytes make the 76 characters RFC 2045 §6.8 allows. */
const BASE64_LINE_BYTES = 57;
const BASE64_LINE_CHARS = 76;
/** Longest quoted-printable line, soft break included (RFC 2045 §6.7, rule 5). */
const QP_LINE_CHARS = 76;
/** Bytes of one line encoded at most at once (see `qpEncoder`). */
const QP_PIECE_BYTES = 16 * 1024;
const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Redacts the body of a mail part sent in base64 or quoted-printable: the body is decoded, then
 * read in its charset, fed to `inner` (the part's own format redactor), and what `inner` emits is
 * written back in the same charset and encoding, in lines that end with `newline`: base64 in
 * lines of 76 characters, quoted-printable with its soft line breaks at 76 (libqp). Both sides
 * work on whole base64 quanta and whole lines, holding back at most one line, so the output does
 * not depend on how the input was cut. Input and output leave out the line break before the next
 * boundary (it belongs to the boundary, RFC 2046 §5.1.1).
 *
 * Fails with `MalformedObjectError` on a character outside base64, a base64 body cut short,
 * bytes that are not text in the charset (a NUL included), or redacted text that the charset
 * cannot write; with `LimitExceededError` on a quoted-printable line longer than `maxLineChars`.
 */
export function createEncodedBodyRedactor(
  encoding: MailTransferEncoding,
  charset: MailCharset,
  inner: FormatRedactor,
  newline: string,
  maxLineChars: number,
): FormatRedactor {
  const reader = charsetReader(charset);
  const writer = charsetWriter(charset);
  const decoder = encoding === 'base64' ? base64Decoder() : qpDecoder(maxLineChars);
  const encoder = encoding === 'base64' ? base64Encoder(newline) : qpEncoder(newline);
  return {
    push(text) {
      return encoder.push(writer.write(inner.push(withoutNul(reader.read(decoder.push(text))))));
    },
    end() {
      const text = withoutNul(reader.read(decoder.end()) + reader.end());
      const redacted = writer.write(inner.push(text) + inner.end());
      return encoder.push(redacted) + encoder.end(writer.end());
    },
  };
}

/**
 * The text, unless it holds a NUL: UTF-16 or UTF-32 text read as UTF-8 or ISO-8859-1 has one
 * between its characters, which hides every value from the detectors (the engine refuses such
 * objects for the same reason, `Utf8StreamDecoder`).
 */
function withoutNul(text: string): string {
  if (text.includes('\u0000'))
    throw new MalformedObjectError('mail: a part holds a NUL byte: not text in its charset');
  return text;
}

interface ByteDecoder {
  push(text: string): Uint8Array;
  end(): Uint8Array;
}

function base64Decoder(): ByteDecoder {
  let quantum = '';
  let isPadded = false;
  function decode(text: string, isLast: boolean): Uint8Array {
    const clean = quantum + text.replace(/[\r\n\t ]+/g, '');
    if (!BASE64_TEXT.test(clean) || (isPadded && clean.length > 0)) {
      throw new MalformedObjectError('mail: a base64 body holds a character outside base64');
    }
    const cut = isLast ? clean.length : clean.length - (clean.length % 4);
    if (isLast && cut % 4 !== 0) throw new MalformedObjectError('mail: a base64 body is cut short');
    quantum = clean.slice(cut);
    isPadded ||= clean.slice(0, cut).endsWith('=');
    return Buffer.from(clean.slice(0, cut), 'base64');
  }
  return { push: (text) => decode(text, false), end: () => decode('', true) };
}

/**
 * Quoted-printable, decoded a run of whole lines at a time: libqp removes the white space before a
 * line break (transport padding, RFC 2045 §6.7 rule 3) and the soft line breaks (`=` at a line's
 * end), and keeps the hard ones as they are, so no escape or soft break is cut.
 */
function qpDecoder(maxLineChars: number): ByteDecoder {
  let held = '';
  return {
    push(text) {
      const all = held + text;
      const cut = all.lastIndexOf('\n') + 1;
      held = all.slice(cut);
      if (held.length > maxLineChars) {
        throw new LimitExceededError(`mail: a line is longer than ${maxLineChars} characters`);
      }
      return decodeQp(all.slice(0, cut));
    },
    end() {
      const rest = held;
      held = '';
      return decodeQp(rest);
    },
  };
}

/**
 * Quoted-printable text decoded. Raw 8-bit text in it (which RFC 2045 does not allow, and mail
 * carries anyway) keeps its UTF-8 bytes: libqp reads a string's characters as single bytes.
 */
function decodeQp(text: string): Buffer {
  return libqp.decode(Buffer.from(text, 'utf8'));
}

interface TextReader {
  read(bytes: Uint8Array): string;
  end(): string;
}

function charsetReader(charset: MailCharset): TextReader {
  // A single-byte charset: every byte is a character, nothing waits for the next piece.
  if (charset === 'windows-1252') return { read: windows1252Text, end: () => '' };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  function read(bytes: Uint8Array | undefined): string {
    try {
      return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch (error) {
      throw new MalformedObjectError('mail: a part declared as UTF-8 holds bytes that are not UTF-8', {
        cause: error,
      });
    }
  }
  return { read, end: () => read(undefined) };
}

interface TextWriter {
  write(text: string): Uint8Array;
  end(): Uint8Array;
}

function charsetWriter(charset: MailCharset): TextWriter {
  if (charset === 'windows-1252') return { write: windows1252Bytes, end: () => new Uint8Array(0) };
  // A high surrogate waits for its pair, which the next piece brings.
  let held = '';
  return {
    write(text) {
      const whole = held + text;
      const isCut = whole.length > 0 && isHighSurrogate(whole.charCodeAt(whole.length - 1));
      held = isCut ? whole.slice(-1) : '';
      return Buffer.from(isCut ? whole.slice(0, -1) : whole, 'utf8');
    },
    end() {
      const rest = held;
      held = '';
      return Buffer.from(rest, 'utf8');
    },
  };
}

/**
 * The characters of windows-1252's bytes 0x80-0x9f (WHATWG Encoding, index-windows-1252; five
 * bytes it leaves as their C1 control). Written out, because Node's `TextDecoder('windows-1252')`
 * reads these bytes as ISO-8859-1 since v20.18.3 (https://github.com/nodejs/node/issues/60888),
 * so `0x96` came out as the control U+0096 where a mail client shows `–`: a card number or SSN
 * written with en dashes passed unread.
 */
const WINDOWS_1252_HIGH_CODES = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];
/** The bytes 0x80-0x9f of windows-1252 by the character each one reads as. */
const WINDOWS_1252_HIGH = new Map(
  WINDOWS_1252_HIGH_CODES.map((code, index) => [String.fromCharCode(code), 0x80 + index]),
);

/** Bytes read in windows-1252: ISO-8859-1 but for 0x80-0x9f. */
function windows1252Text(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1');
  return text.replace(/[\u0080-\u009f]/g, (character) =>
    String.fromCharCode(WINDOWS_1252_HIGH_CODES[character.charCodeAt(0) - 0x80] as number),
  );
}

/** Text written in windows-1252: ISO-8859-1 but for 0x80-0x9f, which hold `€`, `‘`, `’`, `–`, … */
function windows1252Bytes(text: string): Uint8Array {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the point
  if (/^[\u0000-\u007f\u00a0-\u00ff]*$/.test(text)) return Buffer.from(text, 'latin1');
  const bytes = new Uint8Array(text.length);
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    const byte =
      code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : WINDOWS_1252_HIGH.get(text[at] as string);
    if (byte === undefined) {
      throw new MalformedObjectError(
        'mail: redacted text cannot be written in the part charset windows-1252',
      );
    }
    bytes[at] = byte;
  }
  return bytes;
}

interface ByteEncoder {
  push(bytes: Uint8Array): string;
  /** Ends with the last bytes. */
  end(bytes: Uint8Array): string;
}

function base64Encoder(newline: string): ByteEncoder {
  let held: Buffer = Buffer.alloc(0);
  let isFirstLine = true;
  /** `bytes[0, count)` in base64 lines, each but the last of 57 bytes: one encoding, then cut. */
  function lines(bytes: Buffer, count: number): string {
    const text = bytes.subarray(0, count).toString('base64');
    const parts: string[] = [];
    for (let at = 0; at < text.length; at += BASE64_LINE_CHARS)
      parts.push(text.slice(at, at + BASE64_LINE_CHARS));
    if (parts.length === 0) return '';
    const out = (isFirstLine ? '' : newline) + parts.join(newline);
    isFirstLine = false;
    return out;
  }
  return {
    push(bytes) {
      if (bytes.byteLength === 0) return '';
      const all = Buffer.concat([held, bytes]);
      // The last full line waits: only the end knows whether more follows it.
      const count = Math.max(0, Math.floor((all.byteLength - 1) / BASE64_LINE_BYTES)) * BASE64_LINE_BYTES;
      held = all.subarray(count);
      return lines(all, count);
    },
    end(bytes) {
      const all = Buffer.concat([held, bytes]);
      held = Buffer.alloc(0);
      return lines(all, all.byteLength);
    },
  };
}

/**
 * Quoted-printable, encoded a run of whole lines at a time: libqp keeps the hard line breaks and
 * encodes and wraps each line on its own, so the output is the same however the runs are cut. A
 * line longer than `QP_PIECE_BYTES` (compact JSON is one line) is written in pieces of that many
 * bytes from its start, each ended with a soft line break, so that what is held stays bounded.
 */
function qpEncoder(newline: string): ByteEncoder {
  let held: Buffer = Buffer.alloc(0);
  function written(qp: string): string {
    // libqp ends soft line breaks with CRLF; a literal `=` is always written `=3D`.
    return newline === '\r\n' ? qp : qp.replaceAll('=\r\n', `=${newline}`);
  }
  function encode(bytes: Buffer): string {
    return written(libqp.wrap(libqp.encode(bytes), QP_LINE_CHARS));
  }
  /** A piece of a line, ended by a soft line break: wrapped one shorter, so that `=` fits. */
  function encodePiece(bytes: Buffer): string {
    return written(`${libqp.wrap(libqp.encode(bytes), QP_LINE_CHARS - 1)}=\r\n`);
  }
  return {
    push(bytes) {
      const all = Buffer.concat([held, bytes]);
      const cut = all.lastIndexOf(10) + 1;
      let out = cut === 0 ? '' : encode(all.subarray(0, cut));
      held = all.subarray(cut);
      while (held.byteLength > QP_PIECE_BYTES) {
        out += encodePiece(held.subarray(0, QP_PIECE_BYTES));
        held = held.subarray(QP_PIECE_BYTES);
      }
      return out;
    },
    end(bytes) {
      const out = this.push(bytes) + encode(held);
      held = Buffer.alloc(0);
      return out;
    },
  };
}
