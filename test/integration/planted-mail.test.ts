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
  expectedSkeleton,
  MAIL_PLANTS,
  parseMail,
  plantedMail,
  writeMail,
} from '../unit/support/planted-mail.ts';
import type { TestGateway } from './gateway-client.ts';
import { startReaderGateway } from './reader-gateway.ts';
import { redactInChunks } from './redact-in-chunks.ts';

/** An inbound mail as Amazon SES stores it: the red-team survivor (`jane=40example.com`) in QP, a base64 body, an image. */
const SES_MAIL = [
  'Return-Path: <jane.doe@example.com>',
  'Received: from mail.example.com (mail.example.com [192.0.2.10]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id 0a1b2c3d',
  'X-SES-Spam-Verdict: PASS',
  'From: =?utf-8?Q?Jan=C3=A9_Doe?= <jane.doe@example.com>',
  'To: ops@example.org',
  `Subject: =?utf-8?B?${Buffer.from('card 4111 1111 1111 1111 – urgent').toString('base64')}?=`,
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="=_outer"',
  '',
  '--=_outer',
  'Content-Type: multipart/alternative; boundary="=_alt"',
  '',
  '--=_alt',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Please write to jane=40example.com, key AKIAZ7QWERTYUIOPASDF, caf=C3=A9 =',
  'closes at 5.',
  '--=_alt',
  'Content-Type: text/html; charset=iso-8859-1',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('<p>password=Xk9vLq2mZ7wq caf\u00e9</p>', 'latin1').toString('base64'),
  '--=_alt--',
  '',
  '--=_outer',
  'Content-Type: image/png; name="scan.png"',
  'Content-Transfer-Encoding: base64',
  'Content-Disposition: attachment; filename="scan.png"',
  '',
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  '--=_outer--',
  '',
].join('\r\n');
const SES_SKELETON = 'multipart/mixed(multipart/alternative(text/plain,text/html),text/plain)';

/**
 * Mails a client reads differently from a plain reading, each hiding a planted value: refused
 * whole (see the mail redactor's unit tests for each class, generated).
 */
const REFUSED_MAILS: Record<string, string> = {
  'a boundary given twice (plain and RFC 2231)': [
    'Received: from mx',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary=a; boundary*0=b',
    '',
    '--b',
    '',
    'x',
    '--a',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('jane.doe@example.com').toString('base64'),
    '--a--',
    '--b--',
  ].join('\r\n'),
  'a CR that ends no line': [
    'Received: from mx',
    'MIME-Version: 1.0',
    'Subject: hi\rContent-Transfer-Encoding: base64',
    '',
    Buffer.from('4111 1111 1111 1111').toString('base64'),
  ].join('\r\n'),
  'a uuencoded file in a text part': [
    'Received: from mx',
    'MIME-Version: 1.0',
    '',
    'begin 644 key.txt',
    // AKIAZ7QWERTYUIOPASDF, uuencoded.
    '404M)05HW45=%4E1954E/4$%31$8',
    '`',
    'end',
  ].join('\r\n'),
  'markup splitting an address': [
    'Received: from mx',
    'MIME-Version: 1.0',
    'Content-Type: text/html',
    '',
    '<p>write to jane.doe<span>@example.com</span></p>',
  ].join('\r\n'),
  'an mbox': [
    'From jane.doe@example.com Mon Jun  2 10:00:00 2025',
    'Received: from mx',
    'MIME-Version: 1.0',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('password=Xk9vLq2mZ7wq').toString('base64'),
  ].join('\r\n'),
};
/** What each of `REFUSED_MAILS` hides, as its encoded or split form too. */
const HIDDEN_FORMS = [
  ...MAIL_PLANTS.map((value) => Buffer.from(value).toString('base64')),
  '404M)05HW45=%4E1954E/4$%31$8',
  'jane.doe<span>',
];

function expectNoPlantedValue(text: string): void {
  for (const value of MAIL_PLANTS) expect(text).not.toContain(value);
  expect(text).not.toContain('jane=40example.com');
}

describe('mail objects', () => {
  let ruleSet: CompiledRuleSet;
  beforeAll(async () => {
    ruleSet = await shippedRuleSet('default');
  });

  describe('through the redaction stream', () => {
    for (const [key, contentType] of [
      ['inbound/0a1b2c3d4e5f', 'application/octet-stream'],
      ['inbound/0a1b2c3d4e5f', undefined],
      ['inbound/0a1b2c3d4e5f', 'text/plain'],
      ['mail/m.eml', undefined],
      ['mail/m.txt', 'text/plain; charset=utf-8'],
    ] as const) {
      it(`reads an SES mail under ${key} labelled ${contentType ?? 'nothing'} as mail, every part redacted`, async () => {
        const { output, failure } = await redactInChunks(ruleSet, Buffer.from(SES_MAIL), key, contentType);
        expect(failure).toBeUndefined();
        const text = output.toString('utf8');
        expectNoPlantedValue(text);
        const parsed = await parseMail(text);
        expect(parsed.skeleton).toBe(SES_SKELETON);
        for (const value of [...parsed.headers, ...parsed.texts]) expectNoPlantedValue(value);
        expect(parsed.texts[0]).toContain('write to [EMAIL], key [AWS_ACCESS_KEY_ID], café closes at 5.');
        expect(parsed.texts[1]).toBe('<p>password=[SECRET] café</p>');
      });
    }

    it('redacts generated mails with the same result whatever the chunking', async () => {
      await fc.assert(
        fc.asyncProperty(plantedMail, async (mail) => {
          const { output, failure } = await redactInChunks(
            ruleSet,
            Buffer.from(writeMail(mail)),
            'inbound/x',
            'application/octet-stream',
          );
          expect(failure).toBeUndefined();
          const parsed = await parseMail(output.toString('utf8'));
          expect(parsed.skeleton).toBe(expectedSkeleton(mail.body));
          for (const value of [...parsed.headers, ...parsed.texts]) expectNoPlantedValue(value);
        }),
        { numRuns: 40 },
      );
    });

    it('redacts a gzip mail and keeps it gzip', async () => {
      const { output, failure } = await redactInChunks(ruleSet, gzipSync(SES_MAIL), 'mail/m.eml.gz');
      expect(failure).toBeUndefined();
      const text = gunzipSync(output).toString('utf8');
      expectNoPlantedValue(text);
      expect((await parseMail(text)).skeleton).toBe(SES_SKELETON);
    });

    it('fails on raw 8-bit ISO-8859-1 text (not UTF-8) and on an open multipart, with no planted value passed', async () => {
      const latin = Buffer.concat([
        Buffer.from(
          'Received: from mx\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf',
        ),
        Buffer.from([0xe9]),
        Buffer.from(' jane.doe@example.com\r\n'),
      ]);
      const open = SES_MAIL.slice(0, SES_MAIL.indexOf('--=_alt--'));
      for (const body of [latin, Buffer.from(open)]) {
        const { output, failure } = await redactInChunks(ruleSet, body, 'inbound/x');
        expect(failure).toBeInstanceOf(MalformedObjectError);
        expectNoPlantedValue(output.toString('utf8'));
        expectNoPlantedValue(`${(failure as Error).message}\n${(failure as Error).stack}`);
      }
    });
  });

  describe('refused', () => {
    for (const [name, mail] of Object.entries(REFUSED_MAILS)) {
      it(`refuses ${name} under .txt and unlabelled, with no planted value in the output or the error`, async () => {
        for (const key of ['inbound/0a1b2c3d4e5f', 'notes/mail.txt']) {
          const { output, failure } = await redactInChunks(ruleSet, Buffer.from(mail), key);
          expect(failure).toBeInstanceOf(Error);
          const text = `${output.toString('utf8')}\n${(failure as Error).message}\n${(failure as Error).stack}`;
          expectNoPlantedValue(text);
          for (const form of HIDDEN_FORMS) expect(text).not.toContain(form);
        }
      });
    }
  });

  describe('through the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskpoint-mail-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    for (const name of ['message.eml', '0a1b2c3d4e5f']) {
      it(`redacts ${name} with no planted value on stdout or stderr`, async () => {
        const file = join(dir, name);
        writeFileSync(file, SES_MAIL);
        const run = spawnSync('node', ['bin/maskpoint.js', 'redact', file], {
          encoding: 'utf8',
          env: { ...process.env, MASKPOINT_HOME: join(dir, 'home') },
        });
        expect(run.status).toBe(0);
        expectNoPlantedValue(run.stdout + run.stderr);
        expect((await parseMail(run.stdout)).skeleton).toBe(SES_SKELETON);
      });
    }
  });

  describe('through the gateway reading s3rver, with the real SDK', () => {
    let client: S3Client;
    let gateway: TestGateway;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ client, gateway, stop } = await startReaderGateway(
        'inbox',
        [
          ...Object.values(REFUSED_MAILS).map((mail, index) => ({ key: `refused/${index}.txt`, body: mail })),
          { key: 'ses/0a1b2c3d4e5f', body: SES_MAIL, contentType: 'application/octet-stream' },
          { key: 'ses/6a7b8c9d0e1f', body: SES_MAIL, contentType: 'text/plain' },
        ],
        DEFAULT_RULES_DIR,
      ));
    });

    afterAll(() => stop());

    it('refuses the mails a client reads differently, with no planted value in the answer or the audit', async () => {
      for (const index of Object.keys(Object.keys(REFUSED_MAILS))) {
        const answer = await client
          .send(new GetObjectCommand({ Bucket: 'inbox', Key: `refused/${index}.txt` }))
          .then(async (object) => ({ served: (await object.Body?.transformToString()) ?? '' }))
          .catch((error: Error) => ({ error: `${error.name} ${error.message} ${JSON.stringify(error)}` }));
        expect(answer).not.toHaveProperty('served');
        const text = JSON.stringify(answer);
        expectNoPlantedValue(text);
        for (const form of HIDDEN_FORMS) expect(text).not.toContain(form);
      }
      expectNoPlantedValue(JSON.stringify(gateway.audit));
      for (const form of HIDDEN_FORMS) expect(JSON.stringify(gateway.audit)).not.toContain(form);
    });

    for (const key of ['ses/0a1b2c3d4e5f', 'ses/6a7b8c9d0e1f']) {
      it(`serves ${key} redacted as mail, HEAD giving its length, no planted value in the audit`, async () => {
        const object = await client.send(new GetObjectCommand({ Bucket: 'inbox', Key: key }));
        const text = (await object.Body?.transformToString()) ?? '';
        expectNoPlantedValue(text);
        const parsed = await parseMail(text);
        expect(parsed.skeleton).toBe(SES_SKELETON);
        for (const value of [...parsed.headers, ...parsed.texts]) expectNoPlantedValue(value);
        const head = await client.send(new HeadObjectCommand({ Bucket: 'inbox', Key: key }));
        expect(head.ContentLength).toBe(Buffer.byteLength(text));
        expectNoPlantedValue(JSON.stringify(gateway.audit));
      });
    }
  });
});
