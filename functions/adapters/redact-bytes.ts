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
    const pieces = formatRedactor.pushPieces?.(text) ?? [formatRedactor.push(text)];
    for (const out of pieces) if (out.length > 0) yield encodeUtf8(out);
  }
  decoder.end();
  const pieces = formatRedactor.endPieces?.() ?? [formatRedactor.end()];
  for (const out of pieces) if (out.length > 0) yield encodeUtf8(out);
}
