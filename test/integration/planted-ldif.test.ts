import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../functions/adapters/local-rule-set-source.ts';
import { MalformedObjectError } from '../../functions/core/errors.ts';
import type { CompiledRuleSet } from '../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../support/shipped-rules.ts';
import {
  LDIF_PLANTS,
  ldifSkeleton,
  parseLdif,
  plantedLdif,
  writeLdif,
} from '../unit/support/planted-ldif.ts';
import type { TestGateway } from './gateway-client.ts';
import { startReaderGateway } from './reader-gateway.ts';
import { redactInChunks } from './redact-in-chunks.ts';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** An OpenLDAP export as `slapcat` writes it: base64 values, folded lines, a modify record after it. */
const EXPORT = [
  'version: 1',
  '',
  '# entry for jdoe',
  `dn:: ${b64(`sn=${LDIF_PLANTS.surname}+mail=${LDIF_PLANTS.email},ou=people,dc=example,dc=com`)}`,
  'objectClass: inetOrgPerson',
  `givenName:: ${b64(LDIF_PLANTS.givenName)}`,
  `sn:: ${b64(LDIF_PLANTS.surname)}`,
  `mail: jane.doe@exa`,
  ' mple.com',
  `telephoneNumber: ${LDIF_PLANTS.phone}`,
  `userPassword:: ${b64(LDIF_PLANTS.hash)}`,
  `description:: ${b64(`key ${LDIF_PLANTS.awsKey} `)}`,
  'jpegPhoto:: /9j/4AAQSkZJRgABAQEASABIAAD/4gxYSUNDX1BST0ZJTEUAAQEAAAxITGlubwIQAABt',
  ' bnRyUkdCIFhZWiAHzgACAAkABgAxAABhY3NwTVNGVAAAAABJRUMgc1JHQgAAAAAAAAAAAAAAAAAA9tY=',
  '',
  'dn: uid=jdoe,ou=people,dc=example,dc=com',
  'changetype: modify',
  'replace: userPassword',
  `userPassword: ${LDIF_PLANTS.password}`,
  '-',
  '',
].join('\n');

function expectNoPlant(text: string): void {
  for (const value of Object.values(LDIF_PLANTS)) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(b64(value));
  }
}

/** Every value of the redacted LDIF, decoded: none holds a planted value; the records are the input's. */
function expectRedactedExport(text: string): void {
  expectNoPlant(text);
  const parsed = parseLdif(text);
  expect(ldifSkeleton(parsed)).toEqual(ldifSkeleton(parseLdif(EXPORT)));
  for (const record of parsed) for (const line of record) expectNoPlant(line.value);
  expect(parsed[0]?.find((line) => line.name === 'jpegPhoto')?.value).toBe('[BINARY]');
}

describe('LDIF objects', () => {
  let ruleSet: CompiledRuleSet;
  beforeAll(async () => {
    ruleSet = await shippedRuleSet('default');
  });

  describe('through the redaction stream', () => {
    for (const [key, contentType] of [
      ['exports/users.ldif', undefined],
      ['exports/users.ldif', 'application/octet-stream'],
      ['exports/users.txt', 'text/plain'],
    ] as const) {
      it(`reads ${key} labelled ${contentType ?? 'nothing'} as LDIF, every value redacted`, async () => {
        const { output, failure } = await redactInChunks(ruleSet, Buffer.from(EXPORT), key, contentType);
        expect(failure).toBeUndefined();
        expectRedactedExport(output.toString('utf8'));
      });
    }

    it('redacts generated LDIF the same whatever the chunking, planted values gone', async () => {
      await fc.assert(
        fc.asyncProperty(plantedLdif, async (file) => {
          const input = writeLdif(file);
          const { output, failure } = await redactInChunks(ruleSet, Buffer.from(input), 'dump/x.ldif');
          expect(failure).toBeUndefined();
          const text = output.toString('utf8');
          expectNoPlant(text);
          expect(ldifSkeleton(parseLdif(text))).toEqual(ldifSkeleton(parseLdif(input)));
        }),
        { numRuns: 40 },
      );
    });

    it('redacts a gzip LDIF and keeps it gzip', async () => {
      const { output, failure } = await redactInChunks(ruleSet, gzipSync(EXPORT), 'exports/users.ldif.gz');
      expect(failure).toBeUndefined();
      expectRedactedExport(gunzipSync(output).toString('utf8'));
    });

    it('fails on bad base64 and on a fold onto no line, with no planted value out', async () => {
      const badBase64 = EXPORT.replace(`sn:: ${b64(LDIF_PLANTS.surname)}`, `sn:: ${LDIF_PLANTS.surname}`);
      const strayFold = EXPORT.replace('\n\ndn: uid=jdoe', `\n\n ${LDIF_PLANTS.email}\ndn: uid=jdoe`);
      for (const body of [badBase64, strayFold]) {
        const { output, failure } = await redactInChunks(ruleSet, Buffer.from(body), 'exports/users.ldif');
        expect(failure).toBeInstanceOf(MalformedObjectError);
        expectNoPlant(output.toString('utf8'));
        expectNoPlant(`${(failure as Error).message}\n${(failure as Error).stack}`);
      }
    });
  });

  describe('through the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskpoint-ldif-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('redacts users.ldif with no planted value on stdout or stderr', () => {
      const file = join(dir, 'users.ldif');
      writeFileSync(file, EXPORT);
      const run = spawnSync('node', ['bin/maskpoint.js', 'redact', file], {
        encoding: 'utf8',
        env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
      });
      expect(run.status).toBe(0);
      expectNoPlant(run.stdout + run.stderr);
      expectRedactedExport(run.stdout);
    });
  });

  describe('through the gateway reading s3rver, with the real SDK', () => {
    let client: S3Client;
    let gateway: TestGateway;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ client, gateway, stop } = await startReaderGateway(
        'directory',
        [
          { key: 'exports/users.ldif', body: EXPORT, contentType: 'application/octet-stream' },
          { key: 'exports/users-backup.txt', body: EXPORT, contentType: 'text/plain' },
        ],
        DEFAULT_RULES_DIR,
      ));
    });

    afterAll(() => stop());

    for (const key of ['exports/users.ldif', 'exports/users-backup.txt']) {
      it(`serves ${key} redacted as LDIF, HEAD giving its length, no planted value in the audit`, async () => {
        const object = await client.send(new GetObjectCommand({ Bucket: 'directory', Key: key }));
        const text = (await object.Body?.transformToString()) ?? '';
        expectRedactedExport(text);
        const head = await client.send(new HeadObjectCommand({ Bucket: 'directory', Key: key }));
        expect(head.ContentLength).toBe(Buffer.byteLength(text));
        expectNoPlant(JSON.stringify(gateway.audit));
      });
    }
  });
});
