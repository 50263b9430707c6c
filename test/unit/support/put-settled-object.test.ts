import { type GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { putSettledObject } from '../../support/put-settled-object.ts';

/** A store like s3rver's: a PUT is answered at once, its bytes show up only after `lagGets` GETs. */
function laggingStore(lagGets: number) {
  let stored: Uint8Array = new Uint8Array();
  let pending: Uint8Array | undefined;
  let getsSincePut = 0;
  const sent: string[] = [];
  return {
    sent,
    client: {
      async send(command: PutObjectCommand | GetObjectCommand) {
        sent.push(command.constructor.name);
        if (command instanceof PutObjectCommand) {
          pending = command.input.Body as Uint8Array;
          getsSincePut = 0;
          return {};
        }
        if (pending !== undefined && ++getsSincePut > lagGets) {
          stored = pending;
          pending = undefined;
        }
        const bytes = stored;
        return { Body: { transformToByteArray: async () => bytes } };
      },
    } as never,
  };
}

describe('putSettledObject', () => {
  it('returns only once a GET reads back the bytes it stored', async () => {
    const store = laggingStore(3);
    await putSettledObject(store.client, { Bucket: 'b', Key: 'k', Body: Buffer.from('new body') });
    expect(store.sent).toEqual(['PutObjectCommand', ...Array(4).fill('GetObjectCommand')]);
  });

  it('fails when the stored bytes never read back, after the GETs it was allowed', async () => {
    const store = laggingStore(Number.POSITIVE_INFINITY);
    await expect(
      putSettledObject(store.client, { Bucket: 'b', Key: 'k', Body: Buffer.from('new body') }, 5),
    ).rejects.toThrow('s3://b/k did not read back as stored after 5 GETs');
    expect(store.sent.filter((name) => name === 'GetObjectCommand')).toHaveLength(5);
  });
});
