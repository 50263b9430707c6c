import fc from 'fast-check';
import libmime from 'libmime';
import * as libqp from 'libqp';
import PostalMime from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import {
  expectedSkeleton,
  MAIL_PLANTS,
  type MailNode,
  NEAR_MISS_FIELD,
  parseMail,
  plantedMail,
  writeMail,
} from '../support/planted-mail.ts';
import { splitAt } from '../support/split-at.ts';

let ruleSet: CompiledRuleSet;
beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
});

function redactMail(chunks: readonly string[]): string {
  const mail = createFormatRedactor('mail', new Redactor(ruleSet));
  return chunks.map((chunk) => mail.push(chunk)).join('') + mail.end();
}

/** What the mail redactor emitted before it failed, and the error. */
function failure(chunks: readonly string[]): { out: string; error: unknown } {
  const mail = createFormatRedactor('mail', new Redactor(ruleSet));
  let out = '';
  try {
    for (const chunk of chunks) out += mail.push(chunk);
    out += mail.end();
  } catch (error) {
    return { out, error };
  }
  throw new Error('expected the mail to be refused');
}

function redactAs(format: 'text' | 'csv' | 'json', text: string): string {
  const redactor = createFormatRedactor(format, new Redactor(ruleSet));
  return redactor.push(text) + redactor.end();
}

/** The format each leaf is read in, in tree order; `undefined` for one the engine cannot read. */
function readFormats(node: MailNode): ('text' | 'csv' | 'json' | undefined)[] {
  switch (node.kind) {
    case 'text':
      return [node.type === 'text/csv' ? 'csv' : node.type === 'application/json' ? 'json' : 'text'];
    case 'binary':
      return [undefined];
    case 'multipart':
      return node.parts.flatMap(readFormats);
    case 'message':
      return readFormats(node.mail.body);
  }
}

/**
 * Characters windows-1252 puts at bytes 0x80-0x9f, as the WHATWG table and every mail client
 * have them (not Node's TextDecoder, which reads them as ISO-8859-1: nodejs/node#60888).
 */
const WINDOWS_1252_SAMPLE: Record<string, number> = {
  '\u20ac': 0x80,
  '\u201a': 0x82,
  '\u2026': 0x85,
  '\u2018': 0x91,
  '\u2019': 0x92,
  '\u201c': 0x93,
  '\u201d': 0x94,
  '\u2013': 0x96,
  '\u2014': 0x97,
  '\u2122': 0x99,
};

/** Text in windows-1252 bytes: Latin-1, and the sample above for 0x80-0x9f. */
function windows1252(text: string): Buffer {
  return Buffer.from(
    [...text].map((character) => {
      const byte = WINDOWS_1252_SAMPLE[character] ?? character.charCodeAt(0);
      if (byte > 0xff) throw new Error(`not in the windows-1252 sample: ${character}`);
      return byte;
    }),
  );
}

/** The mail and the mails nested in it. */
function countMails(mail: { body: MailNode }): number {
  const inNode = (node: MailNode): number =>
    node.kind === 'message'
      ? countMails(node.mail)
      : node.kind === 'multipart'
        ? node.parts.reduce((sum, part) => sum + inNode(part), 0)
        : 0;
  return 1 + inNode(mail.body);
}

const CRLF_MAIL = [
  'Return-Path: <bounce@mx.example.net>',
  'Received: from mx.example.net by inbound-smtp.us-east-1.amazonaws.com',
  'MIME-Version: 1.0',
];

describe('mail redactor', () => {
  it('leaves no planted value in any header or part, keeps the part structure and redacts each part as its own format', async () => {
    await fc.assert(
      fc.asyncProperty(plantedMail, fc.array(fc.nat(), { maxLength: 6 }), async (mail, points) => {
        const input = writeMail(mail);
        const out = redactMail([input]);
        expect(redactMail(splitAt(input, points))).toBe(out);
        for (const value of MAIL_PLANTS) expect(out).not.toContain(value);
        expect(out.split(`${NEAR_MISS_FIELD}\r\n`)).toHaveLength(countMails(mail) + 1);
        const parsed = await parseMail(out);
        for (const text of [...parsed.headers, ...parsed.texts]) {
          for (const value of MAIL_PLANTS) expect(text).not.toContain(value);
        }
        expect(parsed.skeleton).toBe(expectedSkeleton(mail.body));
        // Each part the engine reads comes out as its format's redactor makes it of what a parser
        // reads in the input (near misses kept).
        const source = await parseMail(input);
        const formats = readFormats(mail.body);
        expect(parsed.texts).toHaveLength(formats.length);
        for (const [index, format] of formats.entries()) {
          const text = parsed.texts[index] ?? '';
          if (format === undefined) expect(text).toMatch(/^maskpoint removed this part: it cannot read /);
          // postal-mime ends a top-level quoted-printable body with a line break of its own.
          else expect(text.trimEnd()).toBe(redactAs(format, source.texts[index] ?? '').trimEnd());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same output or the same domain error whatever the chunking, on mail assembled from MIME pieces at random', () => {
    const pieces = fc.constantFrom(
      'Content-Type: multipart/mixed; boundary=b',
      'Content-Type: multipart/alternative; boundary="c"',
      'Content-Type: message/rfc822',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Type: application/json',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-Transfer-Encoding: quoted-printable',
      "Content-Disposition: attachment; filename*=utf-8''a%40b.csv",
      'Subject: =?utf-8?B?amFuZUBleGFtcGxlLmNvbQ==?=',
      'Subject: =?x?Q?=ZZ?=',
      '--b',
      '--b--',
      '--c',
      '--c--',
      '',
      ' folded',
      'jane=40example.com =',
      'QUJD',
      'QQ==',
      '{"a":"jane.doe@example.com"}',
      '=',
      'X: y',
      'é€😀',
      '\u0000',
      // The markup check, the uuencode check, bare CRs, RFC 2231 boundaries.
      'Content-Type: text/html',
      '<p>jane<b>.doe</b>@example.com</p>',
      '<b>jane.doe@example.com</b>x &#64',
      'begin 644 a.txt',
      'be',
      'gin 644 b.txt',
      'a\rb',
      'Content-Type: multipart/mixed; boundary*0=b',
      'Content-Type: text/calendar',
    );
    const outcome = (chunks: readonly string[]): string => {
      try {
        return `ok ${redactMail(chunks)}`;
      } catch (error) {
        if (!(error instanceof LimitExceededError || error instanceof MalformedObjectError)) throw error;
        expect(error.message).not.toContain('jane');
        return `${error.name} ${error.message}`;
      }
    };
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 30 }),
        fc.constantFrom('\r\n', '\n'),
        fc.array(fc.nat(), { maxLength: 4 }),
        (lines, newline, points) => {
          const input = [...CRLF_MAIL, ...lines].join(newline);
          expect(outcome(splitAt(input, points))).toBe(outcome([input]));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes base64 back in lines of 76 characters and quoted-printable with soft breaks under 77', () => {
    const long = `${'word '.repeat(40)}jane.doe@example.com ${'x'.repeat(120)}`;
    const bodies = ['base64', 'quoted-printable'].map((encoding) => {
      const body =
        encoding === 'base64'
          ? (
              Buffer.from(long)
                .toString('base64')
                .match(/.{1,76}/g) ?? []
            ).join('\r\n')
          : long.replace(/(.{70})/g, '$1=\r\n');
      const input = [
        ...CRLF_MAIL,
        'Content-Type: text/plain',
        `Content-Transfer-Encoding: ${encoding}`,
        '',
        body,
      ].join('\r\n');
      return redactMail([input]).split('\r\n\r\n')[1] ?? '';
    });
    const [base64, qp] = bodies as [string, string];
    const base64Lines = base64.split('\r\n');
    expect(base64Lines.slice(0, -1).every((line) => line.length === 76)).toBe(true);
    expect(Buffer.from(base64, 'base64').toString()).toBe(long.replace('jane.doe@example.com', '[EMAIL]'));
    expect(qp.split('\r\n').every((line) => line.length <= 76)).toBe(true);
    expect(qp.replaceAll('=\r\n', '')).toBe(long.replace('jane.doe@example.com', '[EMAIL]'));
  });

  it('streams a large encoded part: output comes out while the input arrives, in the same bytes as at once', () => {
    for (const encoding of ['base64', 'quoted-printable']) {
      // Several times what the text redactor waits for with the packs (about a million code units).
      const text = Array.from(
        { length: 120_000 },
        (_, index) => `line ${index} mail jane.doe@example.com ok`,
      ).join('\r\n');
      const body =
        encoding === 'base64'
          ? (
              Buffer.from(text)
                .toString('base64')
                .match(/.{1,76}/g) ?? []
            ).join('\r\n')
          : text.replaceAll('@', '=40');
      const input = [
        ...CRLF_MAIL,
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        `Content-Transfer-Encoding: ${encoding}`,
        '',
        body,
        '--b--',
        '',
      ].join('\r\n');
      const mail = createFormatRedactor('mail', new Redactor(ruleSet));
      const outputs: string[] = [];
      for (let at = 0; at < input.length; at += 64 * 1024)
        outputs.push(mail.push(input.slice(at, at + 64 * 1024)));
      outputs.push(mail.end());
      const half = outputs.slice(0, outputs.length >> 1).join('').length;
      const whole = outputs.join('');
      expect(half).toBeGreaterThan(whole.length / 4);
      expect(whole).toBe(redactMail([input]));
      expect(whole).not.toContain('jane.doe');
    }
  });

  it('writes a long redacted line back in quoted-printable pieces with soft breaks, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), (points) => {
        const json = JSON.stringify({
          notes: Array.from({ length: 3000 }, (_, index) => `n${index} jane.doe@example.com é`),
        });
        const body = json.replace(/(.{70})/g, '$1=\r\n').replaceAll('é', '=C3=A9');
        const input = [
          ...CRLF_MAIL,
          'Content-Type: application/json',
          'Content-Transfer-Encoding: quoted-printable',
          '',
          body,
        ].join('\r\n');
        const out = redactMail(
          splitAt(
            input,
            points.map((point) => point * 997),
          ),
        );
        const qp = out.split('\r\n\r\n')[1] ?? '';
        expect(qp.split('\r\n').every((line) => line.length <= 76)).toBe(true);
        expect(libqp.decode(qp).toString()).toBe(redactAs('json', json));
        // The one long line streams out in pieces instead of being held to its end.
        const mail = createFormatRedactor('mail', new Redactor(ruleSet));
        const outputs: string[] = [];
        for (let at = 0; at < input.length; at += 16 * 1024)
          outputs.push(mail.push(input.slice(at, at + 16 * 1024)));
        outputs.push(mail.end());
        expect(outputs.slice(0, outputs.length >> 1).join('').length).toBeGreaterThan(out.length / 4);
      }),
      { numRuns: 20 },
    );
  });

  it('redacts the red-team survivor: an address written in quoted-printable (jane=40example.com)', () => {
    const input = [
      ...CRLF_MAIL,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'mail jane=40example.com now',
    ].join('\r\n');
    expect(redactMail([input])).toContain('\r\n\r\nmail [EMAIL] now');
  });

  it('reads and writes back windows-1252 (Outlook) and ISO-8859-1 parts in their own bytes', () => {
    for (const [charset, text] of [
      ['windows-1252', '\u201cquote\u201d \u20ac5 \u2013 caf\u00e9 jane.doe@example.com'],
      ['iso-8859-1', 'caf\u00e9 \u00a3 \u2019 jane.doe@example.com'],
    ] as const) {
      const bytes = windows1252(text);
      const input = [
        ...CRLF_MAIL,
        `Content-Type: text/plain; charset=${charset}`,
        'Content-Transfer-Encoding: base64',
        '',
        bytes.toString('base64'),
      ].join('\r\n');
      const out = Buffer.from(redactMail([input]).split('\r\n\r\n')[1] ?? '', 'base64');
      const expected = text.replace('jane.doe@example.com', '[EMAIL]');
      expect(out).toEqual(windows1252(expected));
    }
  });

  it('reads windows-1252 and ISO-8859-1 bytes 0x80-0x9f as mail clients show them: a card or SSN with en or em dashes is redacted', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('4111 1111 1111 1111', '123-45-6789'),
        fc.constantFrom('\u2013', '\u2014'),
        fc.constantFrom('windows-1252', 'iso-8859-1', 'ISO-8859-1', 'latin1', 'cp1252'),
        fc.constantFrom('base64', 'quoted-printable'),
        (value, dash, charset, encoding) => {
          const dashed = value.replace(/[ -]/g, dash);
          // The same value in UTF-8 is redacted: the detectors read these dashes as separators.
          expect(redactAs('text', dashed)).not.toContain(dashed.slice(0, 3));
          const bytes = windows1252(`note ${dashed} ok`);
          const body = encoding === 'base64' ? bytes.toString('base64') : libqp.encode(bytes);
          const input = [
            ...CRLF_MAIL,
            `Content-Type: text/plain; charset=${charset}`,
            `Content-Transfer-Encoding: ${encoding}`,
            '',
            body,
          ].join('\r\n');
          const part = redactMail([input]).split('\r\n\r\n')[1] ?? '';
          const out = encoding === 'base64' ? Buffer.from(part, 'base64') : libqp.decode(part);
          expect(out.toString('latin1')).not.toContain(windows1252(dashed).toString('latin1'));
          expect(out.toString('latin1')).toMatch(/^note .+ ok$/);
        },
      ),
    );
  });

  it('keeps raw 8-bit UTF-8 text in a quoted-printable body as the bytes it was', () => {
    const input = [
      ...CRLF_MAIL,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'café € jane=40example.com',
    ].join('\r\n');
    const body = redactMail([input]).split('\r\n\r\n')[1] ?? '';
    expect(body).toBe('caf=C3=A9 =E2=82=AC [EMAIL]');
  });

  it('writes a header field with nothing found byte for byte, and a redacted one as encoded-words where it is not ASCII', () => {
    const fields = [
      'Subject: =?iso-8859-1?Q?caf=E9?= plain',
      `X-Note: =?utf-8?B?${Buffer.from('für jane.doe@example.com').toString('base64')}?=`,
      'Content-Disposition: attachment;',
      " filename*=utf-8''jane.doe%40example.com%20(copy).txt",
      'jane.doe@example.com: a name is any printable ASCII',
    ];
    const out = redactMail([[...CRLF_MAIL, ...fields, '', 'hi'].join('\r\n')]);
    expect(out).toContain('Subject: =?iso-8859-1?Q?caf=E9?= plain\r\n');
    const note = /X-Note: (.*)\r\n/.exec(out)?.[1] ?? '';
    expect(libmime.decodeWords(note)).toBe('für [EMAIL]');
    expect(out).toContain('Content-Disposition: attachment; filename="[EMAIL] (copy).txt"\r\n');
    expect(out).toContain('\r\n[EMAIL]: a name is any printable ASCII\r\n');
    expect(out).not.toContain('jane.doe');
  });

  it('replaces a part it cannot read (an image, another charset, another transfer encoding) with a text note', () => {
    for (const [type, encoding] of [
      ['image/png; name="jane.doe@example.com.png"', 'base64'],
      ['text/plain; charset=shift_jis', 'base64'],
      ['text/plain', 'x-uuencode'],
      ['application/gzip; name="export.csv.gz"', 'base64'],
    ]) {
      const raw = Buffer.from('secret jane.doe@example.com').toString('base64');
      const input = [
        ...CRLF_MAIL,
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        `Content-Type: ${type}`,
        `Content-Transfer-Encoding: ${encoding}`,
        'Content-ID: <part1>',
        '',
        raw,
        '--b--',
        '',
      ].join('\r\n');
      const out = redactMail([input]);
      expect(out).not.toContain(raw);
      expect(out).not.toContain('jane.doe');
      expect(out).toContain(
        '--b\r\nContent-ID: <part1>\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\nmaskpoint removed this part',
      );
    }
  });

  it('fails on a multipart without its close delimiter, having passed no raw byte of the open part', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MAIL_PLANTS), fc.array(fc.nat(), { maxLength: 4 }), (value, points) => {
        const raw = Buffer.from(`note ${value}`).toString('base64');
        const input = [
          ...CRLF_MAIL,
          'Content-Type: multipart/mixed; boundary=b',
          '',
          '--b',
          'Content-Transfer-Encoding: base64',
          '',
          raw,
          '',
        ].join('\r\n');
        const { out, error } = failure(splitAt(input, points));
        expect(error).toBeInstanceOf(MalformedObjectError);
        expect((error as Error).message).toBe('mail: a multipart body ends without its close delimiter');
        expect(out).not.toContain(raw);
        expect(out).not.toContain(value);
      }),
    );
  });

  it('fails on bad base64 or bytes that are not UTF-8, with no planted value in the output or the message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MAIL_PLANTS),
        fc.constantFrom('!', '%', '=A', '\u00e9'),
        fc.array(fc.nat(), { maxLength: 4 }),
        (value, bad, points) => {
          const raw = Buffer.from(`note ${value} and more text to fill a quantum`).toString('base64');
          const body = `${raw.slice(0, 8)}${bad}${raw.slice(8)}`;
          const input = [
            ...CRLF_MAIL,
            'Content-Type: text/plain',
            'Content-Transfer-Encoding: base64',
            '',
            body,
          ].join('\r\n');
          const { out, error } = failure(splitAt(input, points));
          expect(error).toBeInstanceOf(MalformedObjectError);
          expect(out).not.toContain(raw.slice(8, 16));
          for (const text of [out, (error as Error).message]) expect(text).not.toContain(value);
        },
      ),
    );
    const latin = Buffer.from('caf\u00e9 jane.doe@example.com', 'latin1').toString('base64');
    const input = [
      ...CRLF_MAIL,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      latin,
    ].join('\r\n');
    expect(failure([input]).error).toBeInstanceOf(MalformedObjectError);
  });

  it('fails on two Content-Type fields, a multipart without boundary or with a transfer encoding, a line that is no field', () => {
    for (const fields of [
      ['Content-Type: text/plain', 'Content-Type: image/png'],
      ['Content-Type: multipart/mixed'],
      ['Content-Type: multipart/mixed; boundary=b', 'Content-Transfer-Encoding: base64'],
      ['this line is no field'],
      // Parsers differ on which of two parameters they take.
      ['Content-Type: multipart/mixed; boundary=b; boundary=a'],
      ['Content-Type: text/plain; charset=utf-8; CHARSET=shift_jis'],
    ]) {
      expect(failure([[...CRLF_MAIL, ...fields, '', '--b--'].join('\r\n')]).error).toBeInstanceOf(
        MalformedObjectError,
      );
    }
  });

  it('fails on a line that starts with the boundary and is no delimiter, which some clients take for one', () => {
    // What a lenient client reads as a second part, base64 the redactor would have read as text.
    const hidden = Buffer.from('jane.doe@example.com').toString('base64');
    const input = [
      ...CRLF_MAIL,
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      '',
      'text',
      '--bX',
      'Content-Transfer-Encoding: base64',
      '',
      hidden,
      '--b--',
    ].join('\r\n');
    const { out, error } = failure([input]);
    expect(error).toBeInstanceOf(MalformedObjectError);
    expect(out).not.toContain(hidden);
  });

  it('fails on a part whose decoded text holds a NUL, as UTF-16 text read as UTF-8 does', () => {
    const utf16 = Buffer.from('mail jane.doe@example.com', 'utf16le').toString('base64');
    for (const encoding of ['base64', 'quoted-printable']) {
      const body = encoding === 'base64' ? utf16 : 'a=00b';
      const input = [
        ...CRLF_MAIL,
        'Content-Type: text/plain',
        `Content-Transfer-Encoding: ${encoding}`,
        '',
        body,
      ];
      const { out, error } = failure([input.join('\r\n')]);
      expect(error).toBeInstanceOf(MalformedObjectError);
      expect(out).not.toContain(utf16);
    }
  });

  it('fails on a detector matching the boundary, which the rest of the mail is read by', () => {
    const input = [
      ...CRLF_MAIL,
      'Content-Type: multipart/mixed; boundary="jane.doe@example.com"',
      '',
      '--jane.doe@example.com',
      '',
      'x',
      '--jane.doe@example.com--',
    ].join('\r\n');
    const { error } = failure([input]);
    expect(error).toBeInstanceOf(MalformedObjectError);
    expect((error as Error).message).not.toContain('jane.doe');
  });

  it('fails on a line or a header block longer than maxRecordBytes, and on nesting deeper than 32', () => {
    const long = 'x'.repeat(ruleSet.limits.maxRecordBytes + 1);
    const multipart = [
      ...CRLF_MAIL,
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      '',
      long,
      '--b--',
    ];
    expect(failure([multipart.join('\r\n')]).error).toBeInstanceOf(LimitExceededError);
    const manyFields = Array.from({ length: 20_000 }, (_, index) => `X-F${index}: ${'v'.repeat(60)}`);
    expect(failure([[...CRLF_MAIL, ...manyFields, '', 'x'].join('\r\n')]).error).toBeInstanceOf(
      LimitExceededError,
    );
    const nested = `${'Content-Type: message/rfc822\r\n\r\n'.repeat(40)}MIME-Version: 1.0\r\n\r\nhi`;
    expect(failure([[...CRLF_MAIL, nested].join('\r\n')]).error).toBeInstanceOf(LimitExceededError);
  });

  it('reads a part with no Content-Type in a multipart/digest as a mail (RFC 2046 §5.1.5)', () => {
    const input = [
      ...CRLF_MAIL,
      'Content-Type: multipart/digest; boundary=d',
      '',
      '--d',
      '',
      'From: jane.doe@example.com',
      '',
      'hi',
      '--d--',
    ].join('\r\n');
    const out = redactMail([input]);
    expect(out).toContain('--d\r\n\r\nFrom: [EMAIL]\r\n\r\nhi\r\n--d--');
  });

  it('keeps LF line breaks in a mail written with them', () => {
    const head = ['Received: from mx.example.net by inbound', 'MIME-Version: 1.0'];
    const input = [
      ...head,
      'Content-Type: text/plain',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'a jane=40example.com',
      'b',
    ].join('\n');
    expect(redactMail([input])).toBe(
      [
        ...head,
        'Content-Type: text/plain',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'a [EMAIL]',
        'b',
      ].join('\n'),
    );
  });
});

/** A planted value in base64, as a part that a parser reading the mail differently would decode. */
function hiddenPart(value: string): { lines: string[]; hidden: string } {
  const hidden = Buffer.from(`note ${value} ok`).toString('base64');
  return { lines: ['Content-Type: text/plain', 'Content-Transfer-Encoding: base64', '', hidden], hidden };
}

/** A uuencoded file (POSIX `uuencode`): a length character, then 4 characters per 3 bytes. */
function uuencode(bytes: Buffer): string[] {
  const character = (value: number): string => (value === 0 ? '`' : String.fromCharCode(32 + value));
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 45) {
    const chunk = bytes.subarray(at, at + 45);
    let line = character(chunk.length);
    for (let index = 0; index < chunk.length; index += 3) {
      const [a = 0, b = 0, c = 0] = chunk.subarray(index, index + 3);
      line += [a >> 2, ((a & 3) << 4) | (b >> 4), ((b & 15) << 2) | (c >> 6), c & 63].map(character).join('');
    }
    lines.push(line);
  }
  return lines;
}

describe('mail redactor against readings other parsers make', () => {
  const boundaryForms = [
    (boundary: string) => `boundary=${boundary}`,
    (boundary: string) => `Boundary = "${boundary}"`,
    (boundary: string) => `boundary*=utf-8''${boundary}`,
    (boundary: string) => `boundary*0=${boundary}`,
    (boundary: string) => `BOUNDARY*0*=us-ascii''${boundary}`,
    (boundary: string) => `boundary *00 = "${boundary}"`,
  ];

  it('fails on a boundary given twice in any RFC 2231 form, whichever boundary a parser would take', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MAIL_PLANTS),
        fc.constantFrom(...boundaryForms),
        fc.constantFrom(...boundaryForms),
        fc.array(fc.nat(), { maxLength: 4 }),
        (value, outerForm, innerForm, points) => {
          // libmime takes an RFC 2231 boundary over a plain one; postal-mime and Python's email the plain one.
          const { lines, hidden } = hiddenPart(value);
          const input = [
            ...CRLF_MAIL,
            `Content-Type: multipart/mixed; ${outerForm('outer')}; ${innerForm('inner')}`,
            '',
            '--outer',
            '',
            'text',
            '--inner',
            ...lines,
            '--inner--',
            '--outer--',
          ].join('\r\n');
          const { out, error } = failure(splitAt(input, points));
          expect(error).toBeInstanceOf(MalformedObjectError);
          expect(out).not.toContain(hidden);
          expect((error as Error).message).not.toContain(value);
        },
      ),
    );
  });

  it('fails on a boundary that ends with white space, which postal-mime and Python trim', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MAIL_PLANTS),
        fc.constantFrom(' ', '\t', '  '),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 4 }),
        (value, space, isTrimmedLast, points) => {
          const { lines, hidden } = hiddenPart(value);
          const boundary = `b${space}`;
          const input = [
            ...CRLF_MAIL,
            `Content-Type: multipart/mixed; boundary="${boundary}"`,
            '',
            `--${boundary}`,
            '',
            'text',
            '--b',
            ...lines,
            '--b--',
            `--${isTrimmedLast ? 'b' : boundary}--`,
          ].join('\r\n');
          const { out, error } = failure(splitAt(input, points));
          expect(error).toBeInstanceOf(MalformedObjectError);
          expect(out).not.toContain(hidden);
        },
      ),
    );
  });

  it('reads a boundary given once, in any form or cut into RFC 2231 sections', async () => {
    const { lines, hidden } = hiddenPart('jane.doe@example.com');
    for (const parameter of [...boundaryForms.map((form) => form('b')), 'boundary*0=b; boundary*1*=c']) {
      const boundary = parameter.includes('*1*') ? 'bc' : 'b';
      const input = [
        ...CRLF_MAIL,
        `Content-Type: multipart/mixed; ${parameter}`,
        '',
        `--${boundary}`,
        ...lines,
        `--${boundary}--`,
      ].join('\r\n');
      const out = redactMail([input]);
      expect(out).not.toContain(hidden);
      // Read as a part (or, by a parser that reads no such boundary, as one text): redacted either way.
      expect(out).toContain(Buffer.from('note [EMAIL] ok').toString('base64'));
      for (const text of (await parseMail(out)).texts) expect(text).not.toContain('jane.doe@example.com');
    }
  });

  it('fails on a CR that ends no line in a header block or a multipart, where Python reads a field, a blank line or a delimiter', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MAIL_PLANTS),
        fc.constantFrom('header', 'separator', 'delimiter'),
        fc.array(fc.nat(), { maxLength: 4 }),
        (value, where, points) => {
          const { hidden } = hiddenPart(value);
          const input =
            where === 'delimiter'
              ? [
                  ...CRLF_MAIL,
                  'Content-Type: multipart/mixed; boundary=b',
                  '',
                  '--b',
                  '',
                  `text\r--b\rContent-Transfer-Encoding: base64\r\r${hidden}`,
                  '--b--',
                ].join('\r\n')
              : [
                  ...CRLF_MAIL,
                  where === 'header'
                    ? 'Subject: hi\rContent-Transfer-Encoding: base64'
                    : 'Content-Transfer-Encoding: base64\r',
                  '',
                  hidden,
                ].join('\r\n');
          const { out, error } = failure(splitAt(input, points));
          expect(error).toBeInstanceOf(MalformedObjectError);
          expect(out).not.toContain(hidden);
        },
      ),
    );
  });

  it('fails on a text part holding a uuencoded or yEnc file, in any transfer encoding, before its lines pass', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MAIL_PLANTS),
        fc.constantFrom(
          'begin 644 notes.txt',
          'begin-base64 0600 notes.txt',
          '=ybegin line=128 size=40 name=n.txt',
        ),
        fc.constantFrom('7bit', 'quoted-printable', 'base64'),
        fc.constantFrom('text/plain', 'text/html'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 4 }),
        (value, begin, encoding, type, isInMultipart, points) => {
          const encoded = begin.startsWith('begin-base64')
            ? [Buffer.from(`note ${value}`).toString('base64')]
            : uuencode(Buffer.from(`note ${value} ok`));
          const text = ['see the attached file', begin, ...encoded, '`', 'end'].join('\r\n');
          const body =
            encoding === 'base64'
              ? Buffer.from(text).toString('base64')
              : encoding === 'quoted-printable'
                ? libqp.encode(text)
                : text;
          const entity = [`Content-Type: ${type}`, `Content-Transfer-Encoding: ${encoding}`, '', body];
          const input = [
            ...CRLF_MAIL,
            ...(isInMultipart
              ? ['Content-Type: multipart/mixed; boundary=b', '', '--b', ...entity, '--b--']
              : entity),
          ].join('\r\n');
          const { out, error } = failure(splitAt(input, points));
          expect(error).toBeInstanceOf(MalformedObjectError);
          for (const line of encoded) expect(out).not.toContain(line);
          const decoded = encoding === 'base64' ? '' : out;
          expect(decoded).not.toContain(begin);
        },
      ),
    );
    // A line that only starts like one is text.
    const body = ['begin 644', 'we begin 644 x.txt', 'begin now'].join('\r\n');
    expect(redactMail([[...CRLF_MAIL, '', body].join('\r\n')])).toMatch(new RegExp(`\r\n\r\n${body}$`));
  });

  it('replaces calendar and contact parts, whose readers join a value folded across lines, with a note', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MAIL_PLANTS),
        fc.nat(),
        fc.constantFrom(
          'Content-Type: text/calendar; method=REQUEST',
          'Content-Type: text/vcard',
          'Content-Type: text/x-vcard',
          'Content-Type: text/plain; name=invite.ics',
          'Content-Type: application/octet-stream; name=contact.VCF',
        ),
        fc.constantFrom('7bit', 'base64'),
        async (value, at, typeField, encoding) => {
          const cut = 1 + (at % (value.length - 1));
          // RFC 5545 §3.1: a line break followed by one space is removed when the text is read.
          const text = `BEGIN:VCALENDAR\r\nDESCRIPTION:note ${value.slice(0, cut)}\r\n ${value.slice(cut)}\r\nEND:VCALENDAR`;
          const body = encoding === 'base64' ? Buffer.from(text).toString('base64') : text;
          const input = [
            ...CRLF_MAIL,
            'Content-Type: multipart/mixed; boundary=b',
            '',
            '--b',
            typeField,
            `Content-Transfer-Encoding: ${encoding}`,
            '',
            body,
            '--b--',
          ].join('\r\n');
          const out = redactMail([input]);
          expect(out.replace(/\r\n[ \t]/g, '')).not.toContain(value);
          const [note] = (await parseMail(out)).texts;
          expect(note).toMatch(/^maskpoint removed this part: it cannot read /);
        },
      ),
    );
  });

  /** Text as a mail client shows HTML: comments and tags out, numeric references decoded. */
  function shown(html: string): string {
    return html
      .replace(/<!--[\s\S]*?-->|<[^<>]*>/g, '')
      .replace(/&#(?:x([0-9a-f]+)|([0-9]+));?/gi, (_, hex, decimal) =>
        String.fromCodePoint(hex === undefined ? Number(decimal) : Number.parseInt(hex, 16)),
      );
  }

  function encodedEntity(type: string, encoding: string, lines: readonly string[]): string[] {
    const text = lines.join('\r\n');
    const body =
      encoding === 'base64'
        ? Buffer.from(text).toString('base64')
        : encoding === 'quoted-printable'
          ? libqp.wrap(libqp.encode(text), 76)
          : text;
    return [`Content-Type: ${type}; charset=utf-8`, `Content-Transfer-Encoding: ${encoding}`, '', body];
  }

  /** The body of a single-part mail, decoded from its transfer encoding. */
  function decodedBody(out: string, encoding: string): string {
    const body = out.slice(out.indexOf('\r\n\r\n') + 4);
    if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
    return encoding === 'quoted-printable' ? libqp.decode(body).toString('utf8') : body;
  }

  it('never shows a value that markup splits in an HTML or enriched part or an .html attachment (tags, comments, references without ;): the part is redacted around it or the mail fails before that line', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MAIL_PLANTS),
        fc.nat(),
        fc.constantFrom('<span>', '</b><b>', '<font color="red">', '<!-- x -->', '<!---->', '<wbr>'),
        fc.constantFrom('text/html', 'text/enriched', 'application/octet-stream; name=page.html'),
        fc.constantFrom('7bit', 'quoted-printable', 'base64'),
        fc.array(fc.nat(), { maxLength: 4 }),
        (value, at, markup, type, encoding, points) => {
          const cut = 1 + (at % (value.length - 1));
          const split = `${value.slice(0, cut)}${markup}${value.slice(cut)}`;
          const input = [
            ...CRLF_MAIL,
            ...encodedEntity(type, encoding, [
              '<p>Hello team,</p>',
              `<p>see ${split} today</p>`,
              '<p>bye</p>',
            ]),
          ].join('\r\n');
          const mail = createFormatRedactor('mail', new Redactor(ruleSet));
          let out = '';
          try {
            for (const chunk of splitAt(input, points)) out += mail.push(chunk);
            out += mail.end();
          } catch (error) {
            expect(error).toBeInstanceOf(MalformedObjectError);
            expect((error as Error).message).not.toContain(value);
            expect(out).not.toContain(split);
            return;
          }
          expect(shown(decodedBody(out, encoding))).not.toContain(value);
        },
      ),
    );
    for (const reference of [
      'jane.doe&#64example.com',
      'jane.doe@exam<!-- -->ple.com',
      'jane<b>.doe</b>@example.com',
    ]) {
      const input = [...CRLF_MAIL, ...encodedEntity('text/html', '7bit', [`<p>${reference}</p>`])];
      expect(failure([input.join('\r\n')]).error).toBeInstanceOf(MalformedObjectError);
    }
  });

  it('reads HTML with whole values in text, attributes, tables and references, and shows none of them', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(...MAIL_PLANTS),
            fc.constantFrom(
              (value: string) => `<td>${value}</td><td>Active</td>`,
              (value: string) => `<a href="mailto:${value}">${value}</a>`,
              (value: string) => `<p class=MsoNormal>note&nbsp;${value}<br>next</p>`,
              (value: string) => `<b>${value}</b>Done`,
              (value: string) => `<span title="${value}">x</span> ${value.replace('@', '&#64;')}`,
            ),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        fc.constantFrom('7bit', 'quoted-printable', 'base64'),
        (rows, encoding) => {
          const lines = rows.map(([value, row]) => row(value));
          const out = redactMail([
            [...CRLF_MAIL, ...encodedEntity('text/html', encoding, lines)].join('\r\n'),
          ]);
          const html = decodedBody(out, encoding);
          for (const [value] of rows) {
            expect(html).not.toContain(value);
            expect(shown(html)).not.toContain(value);
          }
        },
      ),
    );
  });

  it('reads an address field as its addresses are read: white space, comments, folding and quotes inside an address hide nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('From', 'To', 'Cc', 'Reply-To', 'Sender', 'Resent-To', 'Return-Path', 'Delivered-To'),
        fc.constantFrom(' ', '\r\n ', '\r\n\t', ' (work) ', '(x)', '  '),
        fc.subarray(['before @', 'after @', 'before .', 'after .'], { minLength: 1 }),
        fc.boolean(),
        fc.constantFrom('', 'Jane Doe <', '"Doe, Jane" <'),
        async (name, gap, places, isQuoted, display) => {
          let address = isQuoted ? '"jane.doe"@example.com' : 'jane.doe@example.com';
          if (places.includes('after .')) address = address.replace('example.', `example.${gap}`);
          if (places.includes('before .')) address = address.replace('.com', `${gap}.com`);
          if (places.includes('after @')) address = address.replace('@', `@${gap}`);
          if (places.includes('before @')) address = address.replace('@', `${gap}@`);
          const value = display === '' ? address : `${display}${address}>`;
          const input = [...CRLF_MAIL, `${name}: ${value}`, '', 'hi'].join('\r\n');
          const out = redactMail([input]);
          const head = out.slice(0, out.indexOf('\r\n\r\n'));
          // Any reading: comments, white space and quotes out.
          expect(head.replace(/\([^()]*\)/g, '').replace(/[\s"]/g, '')).not.toContain('jane.doe@example.com');
          const parsed = await PostalMime.parse(out);
          expect(JSON.stringify(parsed)).not.toContain('jane.doe@example.com');
        },
      ),
    );
    // A field with nothing found is written byte for byte, comments and spacing included.
    const kept = 'To: undisclosed-recipients (none) : ;';
    expect(redactMail([[...CRLF_MAIL, kept, '', 'hi'].join('\r\n')])).toContain(`${kept}\r\n`);
  });

  it('leaves no value in a header field that its decoding hides (an encoded-word whose text is the value)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('AKIAZ7QWERTYUIOPASDF', 'jane.doe@example.com'),
        fc.constantFrom('b', 'B', 'x'),
        fc.constantFrom(
          'Subject: ',
          'From: ',
          'Content-Disposition: attachment; filename=',
          'Content-Type: image/png; name=',
        ),
        fc.constantFrom('utf-8', 'us-ascii', 'x-unknown'),
        (value, encoding, field, charset) => {
          const input = [...CRLF_MAIL, `${field}"=?${charset}?${encoding}?${value}?="`, '', 'hi'].join(
            '\r\n',
          );
          expect(redactMail([input])).not.toContain(value);
        },
      ),
    );
  });
});
