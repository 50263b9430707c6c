import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { startReaderGateway } from './reader-gateway.ts';

/** Values that nothing in their cells names: only the declared columns say what they are. */
const PLANTED = [
  'Jane Doe',
  'hunter2',
  '123456789',
  'password=hunter3',
  '1984-02-29',
  '555-0199',
  'John Roe',
];
const HEADERLESS =
  'Jane Doe,jane.doe@example.com,123456789,hunter2,1984-02-29,555-0199\r\n' +
  'John Roe,john.roe@example.org,987654320,password=hunter3,02/29/1984,555-0100\r\n';
const REDACTED = '[NAME],[EMAIL],[SSN],[SECRET],[DATE_OF_BIRTH],[PHONE]\r\n'.repeat(2);
/** The second record lacks its phone: its cells can no longer be told apart by position. */
const RAGGED = `${HEADERLESS}Jane Doe,jane.doe@example.com,123456789,hunter2,1984-02-29\r\n`;

/** The shipped rules plus a rule set declaring the columns of the exports under `exports/people/`. */
const HEADERLESS_RULES = `name: people-exports
extends: default
priority: 10
scope:
  keys: ['exports/people/']
csv:
  columns: [name, email, ssn, password, dob, phone]
`;

function expectNoPlantedValue(text: string): void {
  for (const value of PLANTED) expect(text).not.toContain(value);
}

describe('CSV columns declared in a rule file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maskpoint-headerless-'));
  const rulesDir = join(dir, 'rules');
  beforeAll(() => {
    cpSync(DEFAULT_RULES_DIR, rulesDir, { recursive: true });
    writeFileSync(join(rulesDir, 'people-exports.yaml'), HEADERLESS_RULES);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('through `maskpoint redact`', () => {
    const run = (file: string, ruleset: string) =>
      spawnSync('node', ['bin/maskpoint.js', 'redact', '--rules', rulesDir, '--ruleset', ruleset, file], {
        encoding: 'utf8',
        env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
      });

    it('redacts every planted value of a headerless CSV by its declared column', () => {
      const file = join(dir, 'people.csv');
      writeFileSync(file, HEADERLESS);

      const declared = run(file, 'people-exports');
      const undeclared = run(file, 'default');

      const asText = join(dir, 'people.txt');
      writeFileSync(asText, HEADERLESS);
      const labelledText = run(asText, 'default');

      expect(declared.status).toBe(0);
      expect(declared.stdout).toBe(REDACTED);
      // Labelled text, the rows are still a CSV (see sniffShapedCsv).
      expect(labelledText.stdout).toBe(REDACTED);
      expectNoPlantedValue(declared.stdout + declared.stderr);
      // The same file under a rule set without the columns: the shapes of the values name them.
      expect(undeclared.stdout).toBe(REDACTED);
    });

    it('fails a record of another length with one line naming it and no planted value', () => {
      const file = join(dir, 'ragged.csv');
      writeFileSync(file, RAGGED);

      const result = run(file, 'people-exports');

      expect(result.status).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(
        'malformed CSV in record 3: 5 cells where csv.columns of rule set "people-exports" names 6',
      );
      expectNoPlantedValue(result.stdout + result.stderr);
    });
  });

  describe('through the gateway, reading s3rver with the real SDK', () => {
    let client: S3Client;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ client, stop } = await startReaderGateway(
        'protected',
        [
          { key: 'exports/people/2026-12.csv', body: HEADERLESS, contentType: 'text/csv' },
          { key: 'exports/other/2026-12.txt', body: HEADERLESS, contentType: 'text/plain' },
          { key: 'exports/people/ragged.csv', body: RAGGED, contentType: 'text/csv' },
          { key: 'exports/other/2026-12.csv', body: HEADERLESS, contentType: 'text/csv' },
        ],
        rulesDir,
      ));
    });

    afterAll(() => stop());

    const get = async (key: string) =>
      (await client.send(new GetObjectCommand({ Bucket: 'protected', Key: key }))).Body?.transformToString();

    it('serves a headerless CSV in the scope of the declaring rule set with every planted value redacted', async () => {
      const text = await get('exports/people/2026-12.csv');
      const head = await client.send(
        new HeadObjectCommand({ Bucket: 'protected', Key: 'exports/people/2026-12.csv' }),
      );

      expect(text).toBe(REDACTED);
      expect(head.ContentLength).toBe(Buffer.byteLength(REDACTED));
      // Outside its scope the default rule set applies: the columns are named from the values' shapes.
      expect(await get('exports/other/2026-12.csv')).toBe(REDACTED);
    });

    it('reads the same rows labelled text/plain under a .txt key as the CSV they are', async () => {
      const text = await get('exports/other/2026-12.txt');

      expect(text).toBe(REDACTED);
      expectNoPlantedValue(String(text));
    });

    it('refuses a headerless CSV with a record of another length, and no planted value comes back', async () => {
      const error = await get('exports/people/ragged.csv').then(
        (text) => ({ text }),
        (failure: unknown) => failure as Error & { $metadata?: { httpStatusCode?: number } },
      );

      expect(error).toBeInstanceOf(Error);
      expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
      expectNoPlantedValue(String((error as Error).message));
    });
  });
});
