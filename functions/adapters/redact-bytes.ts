import type { FormatRedactor } from '../core/redaction/formats/format-redactor.ts';
import { encodeUtf8 } from './latin1-utf8.ts';
import { Utf8StreamDecoder } from './utf8-stream-decoder.ts';

/**
 * The UTF-8 bytes of `source` redacted in one pass by `formatRedactor`, each push's output
 * encoded as it comes: the single pass of `openRedactionStream` and of `redactInSegments` when
 * an object is too small to split.
 */
export async function* redactBytes(
  source: AsyncIterable<Uint8Array>,
  formatRedactor: FormatRedactor,
): AsyncGenerator<Uint8Array> {
  const decoder = new Utf8StreamDecoder();
  for await (const chunk of source) {
    const text = decoder.decode(chunk);
    const bytes = encodePieces(formatRedactor.pushPieces?.(text) ?? [formatRedactor.push(text)]);
    if (bytes !== undefined) yield bytes;
  }
  decoder.end();
  const bytes = encodePieces(formatRedactor.endPieces?.() ?? [formatRedactor.end()]);
  if (bytes !== undefined) yield bytes;
}

/**
 * The UTF-8 bytes of `pieces` joined, or `undefined` when they are empty: each piece encoded
 * apart (see `FormatRedactor.pushPieces`) and the bytes joined, one chunk per push as before (a
 * chunk per piece kept a gzip object's source open after its reader left).
 */
function encodePieces(pieces: readonly string[]): Buffer | undefined {
  const text = pieces.filter((piece) => piece.length > 0);
  if (text.length === 0) return undefined;
  return text.length === 1 ? encodeUtf8(text[0] as string) : Buffer.concat(text.map(encodeUtf8));
}
