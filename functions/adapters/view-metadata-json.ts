import { z } from 'zod';
import type { ViewMetadata } from '../core/ports/view-store.ts';

const viewMetadataSchema = z.object({
  redactedBytes: z.number().int().nonnegative(),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  createdAt: z.iso.datetime(),
  format: z.enum(['text', 'csv', 'ndjson', 'json', 'mail', 'ldif']),
  contentType: z.string(),
  contentEncoding: z.string().optional(),
  sourceLastModified: z.iso.datetime().optional(),
});

/**
 * Reads `viewMetadataToJson`'s document (view-metadata-to-json.ts) back; `undefined` when it is not one (a damaged entry
 * is a miss, made again, never served).
 */
export function parseViewMetadataJson(text: string): ViewMetadata | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = viewMetadataSchema.safeParse(document);
  if (!parsed.success) return undefined;
  const { createdAt, sourceLastModified, ...rest } = parsed.data;
  return {
    ...rest,
    createdAt: new Date(createdAt),
    sourceLastModified: sourceLastModified === undefined ? undefined : new Date(sourceLastModified),
  };
}
