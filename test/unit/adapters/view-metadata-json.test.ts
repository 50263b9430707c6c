import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseViewMetadataJson, viewMetadataToJson } from '../../../functions/adapters/view-metadata-json.ts';
import { viewMetadataSchema } from '../../../functions/adapters/view-metadata-schema.ts';
import type { ViewMetadata } from '../../../functions/core/ports/view-store.ts';

/** What the schema alone reads from `text`: the metadata, or undefined. */
function readBySchema(text: string): ViewMetadata | undefined {
  const parsed = viewMetadataSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return undefined;
  const { createdAt, sourceLastModified, ...rest } = parsed.data;
  return {
    ...rest,
    createdAt: new Date(createdAt),
    sourceLastModified: sourceLastModified === undefined ? undefined : new Date(sourceLastModified),
  };
}

const date = fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true });

const metadata: fc.Arbitrary<ViewMetadata> = fc.record(
  {
    redactedBytes: fc.nat(),
    md5: fc.stringMatching(/^[0-9a-f]{32}$/),
    // By rule id: never `__proto__` (ids are kebab-case), which the schema copies by assignment and so drops.
    counts: fc.dictionary(
      fc.string().filter((id) => id !== '__proto__'),
      fc.nat(),
    ),
    createdAt: date,
    format: fc.constantFrom('text', 'csv', 'ndjson', 'json', 'mail', 'ldif'),
    contentType: fc.string(),
    contentEncoding: fc.constantFrom('gzip', undefined),
    sourceLastModified: fc.option(date, { nil: undefined }),
  },
  { requiredKeys: ['redactedBytes', 'md5', 'counts', 'createdAt', 'format', 'contentType'] },
);

/** Values a field of the document could be given instead. */
const oddValue = fc.oneof(
  fc.constantFrom(
    -1,
    0.5,
    2 ** 53,
    '2024-02-29T00:00:00.000Z',
    '2023-02-29T00:00:00.000Z',
    '2024-01-01T00:00:00Z',
    'd41d8cd98f00b204e9800998ecf8427E',
    'yaml',
    { __proto__: null, rule: 1 },
    JSON.parse('{"__proto__": 1}'),
    { rule: -1 },
    null,
  ),
  fc.string(),
  fc.integer(),
);

describe('parseViewMetadataJson', () => {
  it('reads back what viewMetadataToJson writes, as the schema does', async () => {
    await fc.assert(
      fc.asyncProperty(metadata, async (written) => {
        const text = viewMetadataToJson(written);
        expect(await parseViewMetadataJson(text)).toEqual(readBySchema(text));
        expect(await parseViewMetadataJson(text)).toEqual(written);
      }),
    );
  });

  it('reads a document not as written as the schema does: the same metadata, or undefined', async () => {
    const fields = [
      'redactedBytes',
      'md5',
      'counts',
      'createdAt',
      'format',
      'contentEncoding',
      'sourceLastModified',
      'extra',
    ];
    await fc.assert(
      fc.asyncProperty(metadata, fc.constantFrom(...fields), oddValue, async (written, field, value) => {
        const text = JSON.stringify({ ...JSON.parse(viewMetadataToJson(written)), [field]: value });
        expect(await parseViewMetadataJson(text)).toEqual(readBySchema(text));
      }),
    );
  });
});
