import { z } from 'zod';
import { VIEW_FORMATS } from './view-metadata-json.ts';

/**
 * The metadata document of a view, as `viewMetadataToJson` writes it. A module of its own,
 * imported for a document that is not exactly as written (see `parseViewMetadataJson`): reading
 * the views of a `serve` start needs no zod.
 */
export const viewMetadataSchema = z.object({
  redactedBytes: z.number().int().nonnegative(),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  createdAt: z.iso.datetime(),
  format: z.enum(VIEW_FORMATS),
  contentType: z.string(),
  contentEncoding: z.string().optional(),
  sourceLastModified: z.iso.datetime().optional(),
});

/** What the schema gives for a valid document. */
export type ViewMetadataDocument = z.infer<typeof viewMetadataSchema>;
