import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSqsViewRequestQueue,
  viewRequestMessage,
} from '../../../functions/adapters/sqs-view-request-queue.ts';
import { ServiceUnavailableError } from '../../../functions/core/errors.ts';
import { parseS3Notification } from '../../../functions/materializer/materializer-event.ts';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/maskpoint-views';
const sqs = mockClient(SQSClient);

function queue() {
  return createSqsViewRequestQueue({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: QUEUE_URL });
}

describe('createSqsViewRequestQueue', () => {
  afterEach(() => {
    sqs.reset();
  });

  it('sends one S3 ObjectCreated notification per object, ten to a batch', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const objects = Array.from({ length: 23 }, (_, at) => ({ bucket: 'data', key: `k${at}.csv` }));

    await queue().request(objects);

    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls.every((input) => input.QueueUrl === QUEUE_URL)).toBe(true);
    const sent = calls
      .flatMap((input) => input.Entries ?? [])
      .flatMap((entry) => parseS3Notification(entry.MessageBody ?? ''));
    expect(sent).toEqual(objects.map((object) => ({ eventName: 'ObjectCreated:ViewRequested', ...object })));
  });

  it('rejects with ServiceUnavailableError when SQS refuses a message or cannot be reached', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError' }],
    });
    await expect(queue().request([{ bucket: 'data', key: 'a.csv' }])).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    sqs.on(SendMessageBatchCommand).rejects(new Error('connect ECONNREFUSED'));
    await expect(queue().request([{ bucket: 'data', key: 'a.csv' }])).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });

  it('writes keys the materializer reads back exactly, whatever their characters (generated)', () => {
    const key = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(key, fc.constantFrom('+', ' ', '%', '/', '%2B', '+ +', '%20'), (base, tricky) => {
        const object = { bucket: 'data', key: `${tricky}${base}${tricky}` };

        expect(parseS3Notification(viewRequestMessage(object))).toEqual([
          { eventName: 'ObjectCreated:ViewRequested', ...object },
        ]);
      }),
      { numRuns: 500 },
    );
  });
});
