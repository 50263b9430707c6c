import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { startReaderGateway } from './reader-gateway.ts';

/** A credentials export without a header row: a local phone number sits beside a full one. */
const HEADERLESS =
  'AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,jane.doe@example.com,555-0199,4111 1111 1111 1111\n' +
  'AKIAI44QH8DHBEXAMPLE,je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY,bob@example.org,(415) 555-0132,078-05-1120\n';
const REDACTED =
  '[AWS_ACCESS_KEY_ID],[AWS_SECRET_KEY],[EMAIL],[PHONE],**** **** **** 1111\n' +
  '[AWS_ACCESS_KEY_ID],[AWS_SECRET_KEY],[EMAIL],[PHONE],[SSN]\n';
const PLANTED = [
  'AKIAIOSFODNN7EXAMPLE',
  'AKIAI44QH8DHBEXAMPLE',
  'wJalrXUtnFEMI',
  'je7MtGbClwBF',
  'jane.doe',
  'bob@',
  '555-0199',
  '555-0132',
  '4111 1111 1111 1111',
  '078-05-1120',
];

function expectNoPlantedValue(text: string): void {
  for (const value of PLANTED) expect(text).not.toContain(value);
}

describe('a headerless CSV under the default rules: its local phone number is redacted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maskpoint-phone-column-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('redacts every planted value through `maskpoint redact`', () => {
    const file = join(dir, 'headerless.csv');
    writeFileSync(file, HEADERLESS);

    const result = spawnSync('node', ['bin/maskpoint.js', 'redact', '--rules', DEFAULT_RULES_DIR, file], {
      encoding: 'utf8',
      env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
    });

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(REDACTED);
    expectNoPlantedValue(result.stdout + result.stderr);
  });

  describe('through the gateway, reading s3rver with the real SDK', () => {
    let client: S3Client;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ client, stop } = await startReaderGateway(
        'protected',
        [{ key: 'exports/headerless.csv', body: HEADERLESS, contentType: 'text/csv' }],
        DEFAULT_RULES_DIR,
      ));
    });

    afterAll(() => stop());

    it('serves it with every planted value redacted and its rows and columns kept', async () => {
      const response = await client.send(
        new GetObjectCommand({ Bucket: 'protected', Key: 'exports/headerless.csv' }),
      );
      const text = await response.Body?.transformToString();

      expect(text).toBe(REDACTED);
      expectNoPlantedValue(String(text));
    });
  });
});
