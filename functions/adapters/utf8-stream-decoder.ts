import { isUtf8 } from 'node:buffer';
import { MalformedObjectError } from '../core/errors.ts';
import { completeUtf8Length } from '../core/redaction/complete-utf8.ts';
import { decodeUtf8 } from './latin1-utf8.ts';

/**
 * Decodes UTF-8 text arriving in chunks, strictly: invalid or truncated sequences are errors, never
 * replacement characters, and so is a NUL byte anywhere, not only in the head that format
 * detection saw. UTF-8 text has no NULs, while UTF-16 or UTF-32 text (or text with NULs between
 * its characters) placed after an ASCII start is valid UTF-8 in which `1\u00002\u00003…` hides
 * every value from the detectors. Validation is `buffer.isUtf8` (simdutf) and decoding
 * `decodeUtf8` (`Buffer#toString`, with Latin-1 text transcoded in WebAssembly), several times
 * faster than a streaming `TextDecoder`, and Latin-1 text comes out as one-byte strings, which
 * the detectors' regexes scan faster. A byte order mark is kept as U+FEFF.
 */
export class Utf8StreamDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private offset = 0;

  /**
   * Decodes the complete characters of `chunk` (plus bytes held back from the previous one).
   * Throws `MalformedObjectError` on invalid UTF-8 or a NUL byte, returning nothing of the chunk.
   */
  decode(chunk: Uint8Array): string {
    const bytes =
      this.pending.byteLength === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.pending, chunk]);
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      throw new MalformedObjectError(
        `NUL byte at byte ${this.offset + nul}: not UTF-8 text (UTF-16, UTF-32 or binary content)`,
      );
    }
    const end = completeUtf8Length(bytes);
    const complete = bytes.subarray(0, end);
    if (!isUtf8(complete)) throw new MalformedObjectError(`invalid UTF-8 near byte ${this.offset}`);
    // Copied: a view would pin the whole chunk while waiting for the rest of one character.
    this.pending = Buffer.from(bytes.subarray(end));
    this.offset += end;
    return decodeUtf8(complete);
  }

  /** Ends the input; a character cut off at the end is an error. */
  end(): void {
    if (this.pending.byteLength > 0) {
      throw new MalformedObjectError(
        `invalid UTF-8 near byte ${this.offset}: truncated character at the end`,
      );
    }
  }
}
