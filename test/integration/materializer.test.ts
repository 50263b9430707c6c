import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { createMemoryRateLimiter } from '../../functions/adapters/memory-rate-limiter.ts';
import { createS3ObjectSource } from '../../functions/adapters/s3-object-source.ts';
import { createS3ViewStore } from '../../functions/adapters/s3-view-store.ts';
import { serveObject } from '../../functions/core/serve-object.ts';
import { headForViews, objectView, ruleSetsForKey } from '../../functions/core/views/object-views.ts';
import { materializerDependenciesFromEnv } from '../../functions/materializer/dependencies.ts';
import { handleMaterializerEvent } from '../../functions/materializer/handle-materializer-event.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';
import { testTokenKeys } from '../unit/actions/test-token-keys.ts';

const DATA = 'protected-data';
const CACHE = 'views-cache';
const KEY = 'exports/daily report.csv';
const EMAIL = 'planted.person@example.com';
const SSN = '219-09-9999';

/** The docs' SQS event holding the docs' S3 notification, for this event name and key. */
function sqsEvent(eventName: string, key: string): unknown {
  const fixture = (name: string) =>
    JSON.parse(readFileSync(new URL(`../fixtures/materializer/${name}`, import.meta.url), 'utf8'));
  const message = fixture('s3-object-created-put.json');
  message.Records[0].eventName = eventName;
  message.Records[0].s3.bucket.name = DATA;
  message.Records[0].s3.object.key = encodeURIComponent(key).replaceAll('%20', '+').replaceAll('%2F', '/');
  const event = fixture('sqs-event.json');
  event.Records[0].body = JSON.stringify(message);
  return event;
}

async function collect(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('the materializer against s3rver', () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3rver([DATA, CACHE]);
    // The SDK's default chain reads credentials and region from the process environment.
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
    await s3.client.send(
      new PutObjectCommand({
        Bucket: DATA,
        Key: KEY,
        Body: `name,email,ssn\nAda,${EMAIL},${SSN}\nBob,bob@example.org,078-05-1120\n`,
        ContentType: 'text/csv',
      }),
    );
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await s3.stop();
  });

  it('commits on ObjectCreated the view a redacted GET serves, and deletes it on ObjectRemoved', async () => {
    const keys = testTokenKeys('k1');
    const deps = await materializerDependenciesFromEnv(
      {
        MASKPOINT_BUCKET: DATA,
        MASKPOINT_VIEWS_BUCKET: CACHE,
        MASKPOINT_RULES_DIR: DEFAULT_RULES_DIR,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
      },
      {
        keyring: { load: async () => keys },
        logger: new Logger({ serviceName: 'maskpoint-materializer-test', logLevel: 'ERROR' }),
      },
    );

    expect(await handleMaterializerEvent(sqsEvent('ObjectCreated:Put', KEY), deps)).toEqual({
      batchItemFailures: [],
    });

    const source = createS3ObjectSource(s3.client);
    const store = createS3ViewStore({ client: s3.client, bucket: CACHE });
    const [grant] = ruleSetsForKey(deps.rules, DATA, KEY);
    if (grant === undefined) throw new Error('the default rule set covers every key');
    const head = await headForViews({ bucket: DATA, key: KEY }, source);
    const view = objectView({ bucket: DATA, key: KEY, grant, tokenKeyIds: deps.tokenKeyIds }, head, deps);
    const metadata = await store.get(view.id);
    const stored = await collect(await store.read(view.id));
    const response = await serveObject(
      { requestId: 'check', caller: { id: 'anyone', kind: 'gateway-key' }, bucket: DATA, key: KEY },
      {
        source,
        rules: deps.rules,
        rateLimiter: createMemoryRateLimiter(),
        audit: { record() {} },
        openRedaction: deps.openRedaction,
      },
    );
    const served = await collect(response.body);
    expect(stored.equals(served)).toBe(true);
    expect(metadata?.redactedBytes).toBe(served.byteLength);
    expect(stored.toString()).not.toContain(EMAIL);
    expect(stored.toString()).not.toContain(SSN);

    expect(await handleMaterializerEvent(sqsEvent('ObjectRemoved:Delete', KEY), deps)).toEqual({
      batchItemFailures: [],
    });
    expect(await store.get(view.id)).toBeUndefined();
    const left = await s3.client.send(new ListObjectsV2Command({ Bucket: CACHE }));
    expect(left.Contents ?? []).toEqual([]);
  });

  it('fails at cold start on a missing variable, naming it', async () => {
    await expect(materializerDependenciesFromEnv({ MASKPOINT_BUCKET: DATA })).rejects.toThrow(
      'invalid materializer environment:\nMASKPOINT_VIEWS_BUCKET:',
    );
  });
});
