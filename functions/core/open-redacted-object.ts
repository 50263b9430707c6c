import type { SourceObject } from './ports/object-source.ts';
import type { OpenRedaction } from './ports/redaction-engine.ts';
import type { TextFormat } from './redaction/formats/format-redactor.ts';
import type { CompiledRuleSet } from './redaction/redactor.ts';
import type { ViewSource } from './views/view-materializer.ts';

/** The `Content-Type` of a redacted object whose stored object names none. */
const CONTENT_TYPES: Record<TextFormat, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  mail: 'message/rfc822',
  // LDIF has no registered media type (RFC 2849 registers none): it is UTF-8 text.
  ldif: 'text/plain; charset=utf-8',
};

/** How one stored object is redacted. */
export interface RedactedObjectOptions {
  readonly ruleSet: CompiledRuleSet;
  /** The object's key: its extension is one input of the format decision. */
  readonly key: string;
  /** An operator's passthrough rule covers the key (`allowsPassthrough`). */
  readonly allowPassthrough: boolean;
}

/**
 * Opens the redaction of a stored object exactly as GET serves it: the format is decided from the
 * stored `Content-Type` and `Content-Encoding`, the key and the bytes; the served `Content-Type`
 * is the stored one, else the format's (`application/octet-stream` for a passthrough object).
 * The same inputs give the same bytes whether they are served at once or kept as a view.
 *
 * @throws the engine's refusal (`UnsupportedFormatError`, …), after closing the stored body.
 * @example
 * const source = await deps.source.getObject({ bucket, key }, {});
 * const view = await openRedactedObject(source, { ruleSet: grant.compiled, key, allowPassthrough }, deps.openRedaction);
 * for await (const chunk of view.redaction.body) sink.write(chunk);
 */
export async function openRedactedObject(
  source: SourceObject,
  options: RedactedObjectOptions,
  openRedaction: OpenRedaction,
): Promise<ViewSource> {
  try {
    const redaction = await openRedaction(source.body, {
      ruleSet: options.ruleSet,
      contentType: source.contentType,
      contentEncoding: source.contentEncoding,
      key: options.key,
      allowPassthrough: options.allowPassthrough,
    });
    const contentType =
      source.contentType ??
      (redaction.format ? CONTENT_TYPES[redaction.format.format] : 'application/octet-stream');
    return { source, redaction, contentType };
  } catch (error) {
    try {
      await source.body[Symbol.asyncIterator]().return?.();
    } catch {
      // Closing a refused source can fail too; nothing of it is read either way.
    }
    throw error;
  }
}
