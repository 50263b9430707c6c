import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedactionStream } from '../../functions/adapters/node-redaction-stream.ts';
import type { CompiledRuleSet } from '../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../support/shipped-rules.ts';

/** Fake but valid-looking sensitive values; none may survive redaction anywhere. */
const PLANTED = {
  email: 'jane.planted@example.com',
  ssn: '219-09-9999',
  card: '4111 1111 1111 1111',
  phone: '+1 415 555 0199',
  iban: 'GB82WEST12345698765432',
  awsKey: 'AKIAIOSFODNN7EXAMPLE',
  ip: '203.0.113.77',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
};
const values = Object.values(PLANTED);
const sentence = `mail ${PLANTED.email}, ssn ${PLANTED.ssn}, card ${PLANTED.card}, call ${PLANTED.phone}, iban ${PLANTED.iban}, key ${PLANTED.awsKey}, from ${PLANTED.ip}, token ${PLANTED.jwt}`;

function expectNoPlantedValue(text: string): void {
  for (const value of values) expect(text).not.toContain(value);
}

async function redact(ruleSet: CompiledRuleSet, body: Uint8Array, key: string) {
  const stream = await openRedactionStream(
    (async function* () {
      // Small chunks so values straddle chunk boundaries.
      for (let i = 0; i < body.byteLength; i += 7) yield body.subarray(i, i + 7);
    })(),
    { ruleSet, key },
  );
  const chunks: Uint8Array[] = [];
  let failure: unknown;
  try {
    for await (const chunk of stream.body) chunks.push(chunk);
  } catch (error) {
    failure = error;
  }
  return { output: Buffer.concat(chunks), failure };
}

describe('planted sensitive values', () => {
  let ruleSet: CompiledRuleSet;
  beforeAll(async () => {
    ruleSet = await shippedRuleSet('default');
  });

  const documents: Record<string, string> = {
    'app.log': `2026-11-28T10:00:00Z INFO ${sentence}\n`,
    'people.csv': `id,notes,email\n1,"${sentence}",${PLANTED.email}\n`,
    'people.ndjson': `${JSON.stringify({ id: 1, notes: sentence, nested: { contact: PLANTED.email } })}\n`,
    'people.json': JSON.stringify({
      people: [{ notes: sentence, card: 4111111111111111, note: 'jane\\u002eplanted\u0040example.com' }],
    }),
  };

  for (const [key, document] of Object.entries(documents)) {
    it(`removes every planted value from ${key}`, async () => {
      const { output, failure } = await redact(ruleSet, Buffer.from(document), key);
      expect(failure).toBeUndefined();
      expectNoPlantedValue(output.toString('utf8'));
      expect(output.toString('utf8')).not.toContain('4111111111111111');
    });
  }

  it('removes every planted value from a gzip CSV and keeps the output gzip', async () => {
    const { output, failure } = await redact(
      ruleSet,
      gzipSync(documents['people.csv'] ?? ''),
      'people.csv.gz',
    );
    expect(failure).toBeUndefined();
    const text = gunzipSync(output).toString('utf8');
    expect(text.split('\n')[0]).toBe('id,notes,email');
    expectNoPlantedValue(text);
  });

  // A credentials export without a header row: the secret key's only context is the key id in
  // the cell before it (the example key pair of the AWS documentation).
  const awsSecretKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const credentials = `${PLANTED.awsKey},${awsSecretKey},2026-11-28\r\nASIAY34FZKBOKMUTVV7A,"${awsSecretKey}",2026-11-29\r\n`;

  it('removes the secret key after its key id from a CSV without a header row', async () => {
    const { output, failure } = await redact(ruleSet, Buffer.from(credentials), 'credentials.csv');
    expect(failure).toBeUndefined();
    const text = output.toString('utf8');
    expect(text).not.toContain(awsSecretKey);
    expectNoPlantedValue(text);
    expect(text.split('\r\n').map((line) => line.split(',').length)).toEqual([3, 3, 1]);
  });

  // The files secrets are left in, each written the way its tool writes an assignment. Every
  // password is drawn at random (letters, digits and the punctuation passwords use), so the
  // detectors cannot lean on one spelling; line count must be kept.
  const configFiles: Record<string, (password: string) => string> = {
    'app.env': (password) => `DB_HOST=db.internal\nDB_PASSWORD=${password}\nNOTES="${sentence}"\n`,
    'deploy/.env.production': (password) => `export SMTP_PASSWORD='${password}'\n`,
    'values.yaml': (password) => `db:\n  host: db.internal\n  password: ${password}\nnotes: "${sentence}"\n`,
    'app.ini': (password) => `[database]\nuser = app\npassword = ${password}\n`,
    'db.properties': (password) => `spring.datasource.password=${password}\n`,
    'pyproject.toml': (password) => `[tool.db]\npassword = "${password}"\n`,
    'run.sh': (password) => `#!/bin/sh\nexport PGPASSWORD="${password}"\npsql -h db\n`,
    'main.tf': (password) => `resource "aws_db_instance" "x" {\n  password = "${password}"\n}\n`,
    'pom.xml': (password) => `<settings><server><password>${password}</password></server></settings>\n`,
    'home/.netrc': (password) => `machine example.com login jane password ${password}\n`,
    'home/.aws/credentials': () =>
      `[default]\naws_access_key_id = ${PLANTED.awsKey}\naws_secret_access_key = ${awsSecretKey}\n`,
  };
  const passwordChars = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_+!.'.split('');
  const passwords = fc
    .tuple(fc.string({ unit: fc.constantFrom(...passwordChars), minLength: 8, maxLength: 20 }), fc.nat(9))
    // A letter first and a digit in it, as password rules ask; no value reads as a number or a date.
    .map(([body, digit]) => `Q${body}${digit}`);

  it('removes planted secrets from config, script and credential files of every kind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(configFiles)), passwords, async (key, password) => {
        const document = configFiles[key]?.(password) ?? '';
        const { output, failure } = await redact(ruleSet, Buffer.from(document), key);
        expect(failure).toBeUndefined();
        const text = output.toString('utf8');
        expect(text).not.toContain(password);
        expect(text).not.toContain(awsSecretKey);
        expectNoPlantedValue(text);
        expect(text.split('\n')).toHaveLength(document.split('\n').length);
      }),
      { numRuns: 200 },
    );
  });

  const malformed: Record<string, string> = {
    'truncated.json': `{"notes": "${sentence}", "more": [1, 2`,
    'unterminated.csv': `id,notes\n1,"${sentence}\n2,${PLANTED.email}`,
    'bad-line.ndjson': `${JSON.stringify({ notes: sentence })}\n{"notes": "${PLANTED.ssn}" oops}\n`,
  };

  for (const [key, document] of Object.entries(malformed)) {
    it(`fails on malformed ${key} without a planted value in the output or the error`, async () => {
      const { output, failure } = await redact(ruleSet, Buffer.from(document), key);
      expect(failure).toBeInstanceOf(Error);
      expectNoPlantedValue(output.toString('utf8'));
      expectNoPlantedValue(String((failure as Error).message));
      expectNoPlantedValue(String((failure as Error).stack));
    });
  }

  it('fails on invalid UTF-8 without emitting the bytes after it', async () => {
    const body = Buffer.concat([
      Buffer.from(`${sentence}\n`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(PLANTED.email),
    ]);
    const { output, failure } = await redact(ruleSet, body, 'broken.log');
    expect((failure as Error).message).toMatch(/invalid UTF-8/);
    expectNoPlantedValue(output.toString('utf8'));
  });

  describe('through the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskpoint-planted-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('writes redacted output and keeps planted values off stdout and stderr', () => {
      const file = join(dir, 'people.csv');
      writeFileSync(file, documents['people.csv'] ?? '');
      const run = spawnSync('node', ['bin/maskpoint.js', 'redact', file], {
        encoding: 'utf8',
        env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('[EMAIL]');
      expectNoPlantedValue(run.stdout + run.stderr);
    });

    it('redacts the secret key of a credentials export without a header row', () => {
      const file = join(dir, 'credentials.csv');
      writeFileSync(file, credentials);
      const run = spawnSync('node', ['bin/maskpoint.js', 'redact', file], {
        encoding: 'utf8',
        env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('[AWS_SECRET_KEY]');
      expect(run.stdout + run.stderr).not.toContain(awsSecretKey);
      expectNoPlantedValue(run.stdout + run.stderr);
    });

    it('rejects malformed input with one line on stderr and no planted value', () => {
      const file = join(dir, 'truncated.json');
      writeFileSync(file, malformed['truncated.json'] ?? '');
      const run = spawnSync('node', ['bin/maskpoint.js', 'redact', file], {
        encoding: 'utf8',
        env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
      });
      expect(run.status).not.toBe(0);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expectNoPlantedValue(run.stdout + run.stderr);
    });

    it('redacts a .env file instead of refusing it', () => {
      const file = join(dir, 'app.env');
      writeFileSync(file, configFiles['app.env']?.('Qpa55-Word_Pl4nted') ?? '');
      const run = spawnSync('node', ['bin/maskpoint.js', 'redact', file], {
        encoding: 'utf8',
        env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('DB_HOST=db.internal');
      expect(run.stdout + run.stderr).not.toContain('Qpa55-Word_Pl4nted');
      expectNoPlantedValue(run.stdout + run.stderr);
    });

    it('refuses a binary file with nothing on stdout', () => {
      const file = join(dir, 'image.csv');
      writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]));
      const run = spawnSync('node', ['bin/maskpoint.js', 'redact', file], {
        encoding: 'utf8',
        env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
      });
      expect(run.status).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/unsupported object format/);
    });
  });
});
