import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { startReaderGateway } from './reader-gateway.ts';

/** Values that nothing in their cells names: only their columns say what they are. */
const PLANTED = [
  'Jane Doe',
  'John Roe',
  '123456789',
  '987654320',
  'hunter2',
  '1984-02-29',
  '02/29/1984',
  '555-0199',
  '555-0100',
  'jane.doe',
  'john.roe',
  'hunter3',
];
const ROWS = [
  ['Jane Doe', 'jane.doe@example.com', '123456789', 'hunter2', '1984-02-29', '555-0199'],
  ['John Roe', 'john.roe@example.org', '987654320', 'password=hunter3', '02/29/1984', '555-0100'],
];
const REDACTED_ROW = ['[NAME]', '[EMAIL]', '[SSN]', '[SECRET]', '[DATE_OF_BIRTH]', '[PHONE]'];
/** Google Sheets' `spreadsheets.values.get`: a first row of names, then the rows. */
const SHEET = JSON.stringify({
  range: 'People!A1:C3',
  majorDimension: 'ROWS',
  values: [
    ['name', 'ssn', 'pw'],
    ['Jane Doe', '123456789', 'hunter2'],
    ['John Roe', '987654320', 'letmein1'],
  ],
});
const REDACTED_SHEET = JSON.stringify({
  range: 'People!A1:C3',
  majorDimension: 'ROWS',
  values: [
    ['name', 'ssn', 'pw'],
    ['[NAME]', '[SSN]', '[SECRET]'],
    ['[NAME]', '[SSN]', '[SECRET]'],
  ],
});

function expectNoPlantedValue(text: string): void {
  for (const value of PLANTED) expect(text).not.toContain(value);
}

describe('tables in JSON and NDJSON under the default rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maskpoint-json-tables-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (name: string, content: string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return spawnSync('node', ['bin/maskpoint.js', 'redact', '--rules', DEFAULT_RULES_DIR, file], {
      encoding: 'utf8',
      env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
    });
  };

  it('redacts every planted value of an array of rows through `maskpoint redact`', () => {
    const result = run('rows.json', JSON.stringify(ROWS));

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(JSON.stringify([REDACTED_ROW, REDACTED_ROW]));
    expectNoPlantedValue(result.stdout + result.stderr);
  });

  it('redacts the rows of NDJSON lines of arrays, line for line', () => {
    const result = run('rows.ndjson', `${ROWS.map((row) => JSON.stringify(row)).join('\n')}\n`);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(REDACTED_ROW)}\n`.repeat(2));
    expectNoPlantedValue(result.stdout + result.stderr);
  });

  it('binds the names of a spreadsheet’s first row to its columns and keeps that row', () => {
    const result = run('sheet.json', SHEET);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(REDACTED_SHEET);
    expectNoPlantedValue(result.stdout + result.stderr);
  });

  describe('through the gateway, reading s3rver with the real SDK', () => {
    let client: S3Client;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ client, stop } = await startReaderGateway(
        'protected',
        [{ key: 'exports/sheet.json', body: SHEET, contentType: 'application/json' }],
        DEFAULT_RULES_DIR,
      ));
    });

    afterAll(() => stop());

    it('serves a spreadsheet export with every value under a named column redacted', async () => {
      const response = await client.send(
        new GetObjectCommand({ Bucket: 'protected', Key: 'exports/sheet.json' }),
      );
      const text = await response.Body?.transformToString();

      expect(text).toBe(REDACTED_SHEET);
      expectNoPlantedValue(String(text));
    });
  });
});
