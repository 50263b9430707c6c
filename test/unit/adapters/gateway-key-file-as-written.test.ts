import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyFileAsWritten } from '../../../functions/adapters/gateway-key-file-as-written.ts';
import { gatewayKeyFileSchema } from '../../../functions/adapters/gateway-key-file-schema.ts';
import {
  addGatewayKey,
  issueGatewayKey,
  revokeGatewayKey,
} from '../../../functions/adapters/local-credential-store.ts';

/** A key file as the stores write it: keys issued, some revoked, through JSON. */
function writtenFile(count: number, revoked: readonly number[]): unknown {
  let file = { keys: [] } as Parameters<typeof addGatewayKey>[0];
  for (let i = 0; i < count; i++)
    file = addGatewayKey(file, issueGatewayKey(`key-${i}`, ['reports', 'a.b-c']));
  for (const i of revoked)
    if (i < count) file = revokeGatewayKey(file, `key-${i}`, new Date(i * 1e11).toISOString());
  return JSON.parse(JSON.stringify(file));
}

/** Values a field of a key file could be given instead. */
const oddValue = fc.oneof(
  fc.constantFrom(
    '',
    'MPKAAAAAAAAAAAAAAAAA',
    'MPKAAAAAAAAAAAAAAAA1',
    '2024-02-29T00:00:00.000Z',
    '2023-02-29T00:00:00.000Z',
    '2024-01-01T00:00:00Z',
    '2024-01-01T00:00:00.000+01:00',
    'x'.repeat(40),
    'Bad_Bucket',
    [],
    ['ok-bucket'],
    null,
  ),
  fc.string(),
  fc.integer(),
  fc.array(fc.string(), { maxLength: 2 }),
);

describe('keyFileAsWritten', () => {
  it('reads every key file the stores write as the schema does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(fc.nat(4), { maxLength: 3 }), (count, revoked) => {
        const document = writtenFile(count, revoked);
        expect(keyFileAsWritten(document)).toEqual(gatewayKeyFileSchema.parse(document));
      }),
    );
  });

  it('takes no document the schema refuses, and gives the schema output for the ones it takes', () => {
    const fields = ['name', 'accessKeyId', 'secretAccessKey', 'buckets', 'createdAt', 'revokedAt', 'extra'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.nat(2),
        fc.constantFrom(...fields),
        oddValue,
        (count, index, field, value) => {
          const document = writtenFile(count, [0]) as { keys: Record<string, unknown>[] };
          (document.keys[index % count] as Record<string, unknown>)[field] = value;
          const taken = keyFileAsWritten(document);
          if (taken !== undefined) expect(taken).toEqual(gatewayKeyFileSchema.parse(document));
        },
      ),
    );
  });

  it('leaves to the schema a document that is not as the stores write it', () => {
    const [key] = (writtenFile(1, []) as { keys: unknown[] }).keys;
    for (const document of [
      null,
      [],
      { keys: {} },
      { keys: [], version: 1 },
      { keys: [{ ...(key as object), note: 'extra' }] },
      { keys: [{ ...(key as object), createdAt: '2024-01-01T00:00:00Z' }] },
    ]) {
      expect(keyFileAsWritten(document)).toBeUndefined();
    }
  });
});
