import type { FormatRedactor } from '../core/redaction/formats/format-redactor.ts';
import { encodeUtf8, encodeUtf8Pieces } from './latin1-utf8.ts';
import { Utf8StreamDecoder } from './utf8-stream-decoder.ts';

/**
 * The UTF-8 bytes of `source` redacted in one pass by `formatRedactor`, each push's output
 * encoded as it comes (in parts, from a redactor that gives pieces): the single pass of
 * `openRedactionStream` and of `redactInSegments` when an object is too small to split.
 */
export async function* redactBytes(
  source: AsyncIterable<Uint8Array>,
  formatRedactor: FormatRedactor,
): AsyncGenerator<Uint8Array> {
  const decoder = new Utf8StreamDecoder();
  for await (const chunk of source) {
    const text = decoder.decode(chunk);
    const bytes =
      formatRedactor.pushPieces === undefined
        ? encodeText(formatRedactor.push(text))
        : encodePieces(formatRedactor.pushPieces(text));
    if (bytes !== undefined) yield* bytes;
  }
  decoder.end();
  const bytes =
    formatRedactor.endPieces === undefined
      ? encodeText(formatRedactor.end())
      : encodePieces(formatRedactor.endPieces());
  if (bytes !== undefined) yield* bytes;
}

/** The UTF-8 bytes of `text` in one buffer, or `undefined` when it is empty. */
function encodeText(text: string): Buffer[] | undefined {
  return text.length > 0 ? [encodeUtf8(text)] : undefined;
}

/**
 * The UTF-8 bytes of `pieces` joined, in parts of up to `OUTPUT_PART_BYTES` (see
 * `encodeUtf8Pieces`), or `undefined` when they are empty: each piece encoded apart (see
 * `FormatRedactor.pushPieces`), into parts cut by size, not a chunk per piece (a chunk per piece
 * kept a gzip object's source open after its reader left).
 */
function encodePieces(pieces: readonly string[]): Buffer[] | undefined {
  if (pieces.length <= 1) return encodeText(pieces[0] ?? '');
  const parts = encodeUtf8Pieces(pieces);
  return parts.length > 0 ? parts : undefined;
}
