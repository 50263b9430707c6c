import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { openRedactionStream } from '../../functions/adapters/node-redaction-stream.ts';
import type { CompiledRuleSet } from '../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../support/shipped-rules.ts';
import {
  HAR_CARD,
  HAR_EMAIL,
  harSkeleton,
  type PlantedHar,
  plantedHar,
  responseBodies,
} from '../unit/support/planted-har.ts';
import type { TestGateway } from './gateway-client.ts';
import { startReaderGateway } from './reader-gateway.ts';

/** One generated archive with a binary and a text body in base64, fixed by its seed, for the CLI and the gateway. */
const [SAMPLE] = fc.sample(
  plantedHar.filter(
    ({ bodies }) => bodies.includes('binary') && bodies.some((kind) => kind !== 'binary' && kind !== 'none'),
  ),
  { numRuns: 1, seed: 11 },
) as [PlantedHar];
const SAMPLE_TEXT = JSON.stringify(SAMPLE.har, null, 2);

function expectRedacted(text: string, planted: PlantedHar): void {
  for (const value of [HAR_EMAIL, HAR_CARD, Buffer.from(HAR_EMAIL).toString('base64'), ...planted.secrets]) {
    expect(text).not.toContain(value);
  }
  const output = JSON.parse(text);
  expect(harSkeleton(output)).toEqual(harSkeleton(planted.har));
  responseBodies(output).forEach((body, i) => {
    for (const value of [HAR_EMAIL, HAR_CARD, ...planted.secrets]) expect(body.text).not.toContain(value);
    if (planted.bodies[i] === 'binary') expect(body.text).toBe('');
  });
}

async function redact(ruleSet: CompiledRuleSet, body: Uint8Array, key: string, contentType?: string) {
  const stream = await openRedactionStream(
    (async function* () {
      // Small chunks so base64 bodies and their siblings straddle chunk boundaries.
      for (let i = 0; i < body.byteLength; i += 13) yield body.subarray(i, i + 13);
    })(),
    { ruleSet, key, contentType },
  );
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('HTTP archives (.har)', () => {
  let ruleSet: CompiledRuleSet;
  beforeAll(async () => {
    ruleSet = await shippedRuleSet('default');
  });

  describe('through the redaction stream', () => {
    it('redacts generated archives under .har, .json, application/har+json and gzip, bodies included', async () => {
      const labels: [string, string | undefined][] = [
        ['captures/session.har', undefined],
        ['captures/session.json', 'application/json'],
        ['captures/session', 'application/har+json'],
        ['captures/session.txt', 'text/plain'],
      ];
      await fc.assert(
        fc.asyncProperty(plantedHar, fc.constantFrom(...labels), async (planted, [key, contentType]) => {
          const text = JSON.stringify(planted.har, null, 2);
          expectRedacted(
            (await redact(ruleSet, Buffer.from(text), key, contentType)).toString('utf8'),
            planted,
          );
        }),
        { numRuns: 40 },
      );
      const gzipped = await redact(ruleSet, gzipSync(SAMPLE_TEXT), 'captures/session.har.gz');
      expectRedacted(gunzipSync(gzipped).toString('utf8'), SAMPLE);
    });
  });

  describe('through the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskpoint-har-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('redacts a .har file with no planted value on stdout or stderr', () => {
      const file = join(dir, 'session.har');
      writeFileSync(file, SAMPLE_TEXT);
      const run = spawnSync('node', ['bin/maskpoint.js', 'redact', file], {
        encoding: 'utf8',
        env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
      });
      expect(run.status).toBe(0);
      for (const value of [HAR_EMAIL, ...SAMPLE.secrets]) expect(run.stderr).not.toContain(value);
      expectRedacted(run.stdout, SAMPLE);
    });
  });

  describe('through the gateway reading s3rver, with the real SDK', () => {
    let client: S3Client;
    let gateway: TestGateway;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ client, gateway, stop } = await startReaderGateway(
        'captures',
        [
          { key: 'devtools/session.har', body: SAMPLE_TEXT, contentType: 'application/octet-stream' },
          { key: 'devtools/session.json', body: SAMPLE_TEXT, contentType: 'application/json' },
        ],
        DEFAULT_RULES_DIR,
      ));
    });

    afterAll(() => stop());

    for (const key of ['devtools/session.har', 'devtools/session.json']) {
      it(`serves ${key} redacted, bodies included, no planted value in the audit`, async () => {
        const object = await client.send(new GetObjectCommand({ Bucket: 'captures', Key: key }));
        expectRedacted((await object.Body?.transformToString()) ?? '', SAMPLE);
        const audit = JSON.stringify(gateway.audit);
        for (const value of [HAR_EMAIL, ...SAMPLE.secrets]) expect(audit).not.toContain(value);
      });
    }
  });
});
