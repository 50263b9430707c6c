import type { ViewMetadata } from '../core/ports/view-store.ts';

/**
 * A view's metadata as the JSON document both view stores keep beside the bytes. Apart from its
 * schema (view-metadata-json.ts, which loads zod): writing the first view, which the first GET of
 * `serve` waits for, needs no schema.
 */
export function viewMetadataToJson(metadata: ViewMetadata): string {
  return JSON.stringify({
    ...metadata,
    createdAt: metadata.createdAt.toISOString(),
    sourceLastModified: metadata.sourceLastModified?.toISOString(),
  });
}
