import type { ViewMetadata } from '../core/ports/view-store.ts';
import type { TextFormat } from '../core/redaction/formats/format-redactor.ts';
import type { ViewMetadataDocument } from './view-metadata-schema.ts';
import { hasOnlyKeys, isIsoTimestamp } from './written-json.ts';

/** The formats a view's metadata names (`TextFormat`). */
export const VIEW_FORMATS = [
  'text',
  'csv',
  'ndjson',
  'json',
  'mail',
  'ldif',
] as const satisfies readonly TextFormat[];

/** A view's metadata as the JSON document both view stores keep beside the bytes. */
export function viewMetadataToJson(metadata: ViewMetadata): string {
  return JSON.stringify({
    ...metadata,
    createdAt: metadata.createdAt.toISOString(),
    sourceLastModified: metadata.sourceLastModified?.toISOString(),
  });
}

/**
 * Reads `viewMetadataToJson`'s document back; `undefined` when it is not one (a damaged entry
 * is a miss, made again, never served). A document exactly as written is read without its
 * schema (view-metadata-schema.ts, which loads zod: ~30 ms of the first GET of a `serve` start
 * that finds its view); any other is checked by the schema.
 */
export async function parseViewMetadataJson(text: string): Promise<ViewMetadata | undefined> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  const written = documentAsWritten(document);
  if (written !== undefined) return metadataOf(written);
  const { viewMetadataSchema } = await import('./view-metadata-schema.ts');
  const parsed = viewMetadataSchema.safeParse(document);
  return parsed.success ? metadataOf(parsed.data) : undefined;
}

function metadataOf({ createdAt, sourceLastModified, ...rest }: ViewMetadataDocument): ViewMetadata {
  return {
    ...rest,
    createdAt: new Date(createdAt),
    sourceLastModified: sourceLastModified === undefined ? undefined : new Date(sourceLastModified),
  };
}

/**
 * `document` as the schema gives it, when it has the fields `viewMetadataToJson` writes and no
 * other, each as the schema asks, and its times as `toISOString` writes a real date; else
 * `undefined`. Every document taken here the schema takes, with the same output.
 */
function documentAsWritten(document: unknown): ViewMetadataDocument | undefined {
  const fields = [
    'redactedBytes',
    'md5',
    'counts',
    'createdAt',
    'format',
    'contentType',
    'contentEncoding',
    'sourceLastModified',
  ];
  if (!hasOnlyKeys(document, fields)) return undefined;
  const { redactedBytes, md5, counts, createdAt, format, contentType, contentEncoding, sourceLastModified } =
    document;
  if (
    !isCount(redactedBytes) ||
    typeof md5 !== 'string' ||
    !/^[0-9a-f]{32}$/.test(md5) ||
    !isCounts(counts) ||
    !isIsoTimestamp(createdAt) ||
    !VIEW_FORMATS.some((known) => known === format) ||
    typeof contentType !== 'string' ||
    (contentEncoding !== undefined && typeof contentEncoding !== 'string') ||
    (sourceLastModified !== undefined && !isIsoTimestamp(sourceLastModified))
  ) {
    return undefined;
  }
  // The schema's output has its fields in its own order, the optional ones only when given.
  return {
    redactedBytes,
    md5,
    counts: { ...counts },
    createdAt,
    format: format as TextFormat,
    contentType,
    ...(contentEncoding === undefined ? {} : { contentEncoding }),
    ...(sourceLastModified === undefined ? {} : { sourceLastModified }),
  };
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Counts by rule id; a `__proto__` key is left to the schema, which copies keys by assignment. */
function isCounts(value: unknown): value is Record<string, number> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Object.hasOwn(value, '__proto__') &&
    Object.values(value).every(isCount)
  );
}
