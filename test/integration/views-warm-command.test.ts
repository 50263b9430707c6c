import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalDirectorySource } from '../../functions/adapters/local-directory-source.ts';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../functions/adapters/local-rule-set-source.ts';
import { createLocalTokenKeyring } from '../../functions/adapters/local-token-keyring.ts';
import { createLocalViewStore } from '../../functions/adapters/local-view-store.ts';
import { createMemoryRateLimiter } from '../../functions/adapters/memory-rate-limiter.ts';
import { openRedactionStream } from '../../functions/adapters/node-redaction-stream.ts';
import { createS3ObjectSource } from '../../functions/adapters/s3-object-source.ts';
import { viewsCommand } from '../../functions/cli/views-command.ts';
import type { Caller } from '../../functions/core/caller.ts';
import type { ObjectSource } from '../../functions/core/ports/object-source.ts';
import type { ViewStore } from '../../functions/core/ports/view-store.ts';
import { compileRegistry, type RuleRegistry } from '../../functions/core/rule-registry.ts';
import { serveObject } from '../../functions/core/serve-object.ts';
import {
  headForViews,
  objectView,
  ruleSetsForKey,
  viewKeyIds,
} from '../../functions/core/views/object-views.ts';
import { type LocalS3, startS3rver } from '../support/start-s3rver.ts';

const EXAMPLE_BUCKET = new URL('../../examples/bucket', import.meta.url).pathname;
const EMAIL = 'planted.person@example.com';
/** A bucket both shipped rule sets cover under exports/ (`analytics-partner` names analytics-exports-*). */
const BUCKET = 'analytics-exports-1';
const SSN = '219-09-9999';

async function collect(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A caller each shipped rule set is chosen for (the partner's inside its geo fence). */
const CALLERS: Record<string, Caller> = {
  default: { id: 'someone', kind: 'gateway-key' },
  'analytics-partner': { id: 'analytics-partner', kind: 'gateway-key', country: 'DE' },
};

/**
 * For every (key, rule set) of the bucket: the view's bytes in the store and the body a GET
 * through the core answers for a caller of that rule set.
 */
async function viewsAndGets(
  bucket: string,
  keys: readonly string[],
  source: ObjectSource,
  store: ViewStore,
  rules: RuleRegistry,
  tokenKeyIds: readonly string[],
): Promise<{ key: string; ruleSet: string; view: Buffer; served: Buffer }[]> {
  const pairs: { key: string; ruleSet: string; view: Buffer; served: Buffer }[] = [];
  for (const key of keys) {
    const head = await headForViews({ bucket, key }, source);
    for (const grant of ruleSetsForKey(rules, bucket, key)) {
      const view = objectView({ bucket, key, grant, tokenKeyIds }, head, {
        source,
        openRedaction: openRedactionStream,
      });
      const response = await serveObject(
        { requestId: 'check', caller: CALLERS[grant.ruleSet.name] as Caller, bucket, key },
        {
          source,
          rules,
          rateLimiter: createMemoryRateLimiter(),
          audit: { record() {} },
          openRedaction: openRedactionStream,
        },
      );
      pairs.push({
        key,
        ruleSet: grant.ruleSet.name,
        view: await collect(await store.read(view.id)),
        served: await collect(response.body),
      });
    }
  }
  return pairs;
}

describe('maskpoint views warm', () => {
  let home: string;
  let stdout: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'maskpoint-warm-'));
    vi.stubEnv('MASKPOINT_HOME', home);
    vi.stubEnv('MASKPOINT_TOKEN_KEYS_SECRET_ARN', '');
    stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    rmSync(home, { recursive: true, force: true });
  });

  describe('of a local bucket', () => {
    it('makes the view GET would serve of every object, counts the refused one, and finds them present again', async () => {
      const viewsDir = join(home, 'views');
      const first = await viewsCommand([
        'warm',
        '--bucket',
        `example=${EXAMPLE_BUCKET}`,
        '--views',
        viewsDir,
        '--json',
      ]);
      const summary = JSON.parse(stdout);
      expect(first).toBe(0);
      expect(summary).toEqual({
        bucket: 'example',
        prefix: '',
        objects: 6,
        uncovered: 0,
        viewsMade: 5,
        viewsPresent: 0,
        redactedBytes: expect.any(Number),
        refusals: { UnsupportedFormat: 1 },
        failures: {},
      });

      const keys = await createLocalTokenKeyring(home).load();
      const rules = compileRegistry(await loadRuleCatalog(DEFAULT_RULES_DIR), keys);
      const source = createLocalDirectorySource(new Map([['example', EXAMPLE_BUCKET]]));
      const store = createLocalViewStore({ directory: viewsDir, maxBytes: 2 ** 30 });
      const objects = ['app.log', 'customers.csv', 'events.csv.gz', 'orders.ndjson', 'profile.json'];
      const pairs = await viewsAndGets('example', objects, source, store, rules, viewKeyIds(keys));
      expect(pairs.map((pair) => pair.key)).toEqual(objects);
      for (const { key, view, served } of pairs) expect(view.equals(served), key).toBe(true);
      expect(summary.redactedBytes).toBe(pairs.reduce((sum, pair) => sum + pair.view.byteLength, 0));

      stdout = '';
      expect(
        await viewsCommand(['warm', '--bucket', `example=${EXAMPLE_BUCKET}`, '--views', viewsDir, '--json']),
      ).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({
        viewsMade: 0,
        viewsPresent: 5,
        refusals: { UnsupportedFormat: 1 },
      });
    });

    it('prints a summary with refusals by reason', async () => {
      await viewsCommand([
        'warm',
        `s3://example/images/`,
        '--bucket',
        `example=${EXAMPLE_BUCKET}`,
        '--views',
        join(home, 'v'),
      ]);
      expect(stdout).toBe(
        'warmed s3://example/images/: 1 objects (0 under no rule set), 0 views made (0.0 MB redacted), 0 already present\nrefused: UnsupportedFormat 1\n',
      );
    });

    it('rejects a command line without a bucket to warm', async () => {
      await expect(viewsCommand(['warm', '--views', home])).rejects.toThrow(
        'views warm needs s3://BUCKET/PREFIX, or one --bucket NAME=DIR to warm all of it',
      );
    });
  });

  describe('of an S3 bucket into an S3 cache bucket (s3rver)', () => {
    let s3: LocalS3;

    beforeAll(async () => {
      s3 = await startS3rver([BUCKET, 'cache']);
      const put = (key: string, body: string | Buffer, ContentType?: string) =>
        s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType }));
      await put('exports/people.csv', `name,email,ssn\nAda,${EMAIL},${SSN}\n`, 'text/csv');
      await put('exports/events.ndjson', `{"user":"${EMAIL}"}\n{"n":2}\n`);
      await put('exports/with space+plus.log', `login ${EMAIL}\n`, 'text/plain');
      await put(
        'exports/charts/logo.png',
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]),
        'image/png',
      );
      await put('other/skipped.csv', `email\n${EMAIL}\n`, 'text/csv');
    });

    afterAll(async () => {
      await s3.stop();
    });

    beforeEach(() => {
      vi.stubEnv('AWS_ENDPOINT_URL_S3', s3.endpoint);
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
      vi.stubEnv('AWS_REGION', 'us-east-1');
    });

    it('warms every rule set’s view into the cache bucket with the bytes its redacted GET serves, and nothing raw', async () => {
      const code = await viewsCommand([
        'warm',
        `s3://${BUCKET}/exports/`,
        '--views-s3',
        's3://cache',
        '--concurrency',
        '3',
        '--json',
      ]);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({
        objects: 4,
        viewsMade: 6,
        refusals: { UnsupportedFormat: 1, UnstorableView: 1 },
        failures: {},
      });

      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'cache' }));
      const cacheKeys = (listed.Contents ?? []).map((object) => object.Key ?? '');
      expect(cacheKeys.every((key) => /^views\/[0-9a-f]{32}-[0-9a-f]{64}(\.json)?$/.test(key))).toBe(true);
      for (const key of cacheKeys) {
        const stored = await s3.client.send(new GetObjectCommand({ Bucket: 'cache', Key: key }));
        const text = (await stored.Body?.transformToString()) ?? '';
        expect(text).not.toContain(EMAIL);
        expect(text).not.toContain(SSN);
      }

      const keys = await createLocalTokenKeyring(home).load();
      const rules = compileRegistry(await loadRuleCatalog(DEFAULT_RULES_DIR), keys);
      const source = createS3ObjectSource(s3.client);
      const { createS3ViewStore } = await import('../../functions/adapters/s3-view-store.ts');
      const store = createS3ViewStore({ client: s3.client, bucket: 'cache' });
      const objects = ['exports/events.ndjson', 'exports/people.csv', 'exports/with space+plus.log'];
      const pairs = await viewsAndGets(BUCKET, objects, source, store, rules, viewKeyIds(keys));
      expect(pairs).toHaveLength(6);
      for (const { key, ruleSet, view, served } of pairs)
        expect(view.equals(served), `${ruleSet} ${key}`).toBe(true);
    });

    it('exits 1 and counts the failures when the cache bucket cannot be written', async () => {
      const code = await viewsCommand([
        'warm',
        `s3://${BUCKET}/other/`,
        '--views-s3',
        's3://no-such-cache',
        '--json',
      ]);
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toMatchObject({
        objects: 1,
        viewsMade: 0,
        failures: { ServiceUnavailable: 1 },
      });
    });
  });
});
