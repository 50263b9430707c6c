import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../functions/core/redaction/formats/detect-format.ts';
import { sniffMailHead } from '../../../functions/core/redaction/formats/sniff-mail-head.ts';
import { sniffMboxHead } from '../../../functions/core/redaction/formats/sniff-mbox-head.ts';

const HEAD_BYTES = 512;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text).subarray(0, HEAD_BYTES);

const MAIL_ONLY = [
  'Received: from mx.example.net (mx.example.net [192.0.2.1])',
  'Return-Path: <bounce@example.net>',
  'MIME-Version: 1.0',
  'Message-ID: <abc@example.net>',
  'DKIM-Signature: v=1; a=rsa-sha256; d=example.net;',
  'Delivered-To: ops@example.org',
  'Authentication-Results: amazonses.com; spf=pass',
  'Content-Transfer-Encoding: quoted-printable',
];
const COMMON = [
  'From: Jane <jane@example.com>',
  'To: ops@example.org',
  'Subject: quarterly numbers',
  'Date: Mon, 2 Jun 2025 10:00:00 +0000',
  'Content-Type: text/plain; charset=utf-8',
  'X-SES-Spam-Verdict: PASS',
];

/** A mail's header block: common fields and at least one mail-only one, some folded, then a body. */
const mailHead = fc
  .record({
    fields: fc.shuffledSubarray([...MAIL_ONLY, ...COMMON], { minLength: 2 }),
    mailOnly: fc.constantFrom(...MAIL_ONLY),
    folds: fc.array(fc.nat(), { maxLength: 3 }),
    newline: fc.constantFrom('\r\n', '\n'),
    body: fc.constantFrom('', 'Hello\r\n', 'x'.repeat(600)),
  })
  .map(({ fields, mailOnly, folds, newline, body }) => {
    const lines = [...fields, mailOnly];
    for (const at of folds)
      lines.splice(1 + (at % lines.length), 0, '\tby inbound-smtp.us-east-1.amazonaws.com');
    return [...lines, '', body].join(newline);
  });

/** Text that is not mail though it has `Name: value` lines, some with mail's field names. */
const nearMiss = fc.oneof(
  // A log: a timestamped line first, then lines that look like fields.
  fc
    .array(fc.constantFrom(...MAIL_ONLY, ...COMMON), { minLength: 1, maxLength: 6 })
    .map((lines) => ['2025-06-02T10:00:00Z INFO mail job started', ...lines].join('\n')),
  // YAML: lower-case keys, mail's names included.
  fc
    .shuffledSubarray(
      ['received: 2025-06-02', 'from: a', 'to: b', 'message-id: 42', 'mime-version: 1.0', 'subject: x'],
      {
        minLength: 2,
      },
    )
    .chain((lines) => fc.constantFrom('', '---\n').map((start) => `${start}${lines.join('\n')}\n`)),
  // An HTTP header dump: a status or request line first, or only HTTP's own fields.
  fc
    .tuple(
      fc.constantFrom('HTTP/1.1 200 OK', 'GET /inbox HTTP/1.1', 'POST /mail HTTP/2', undefined),
      fc.shuffledSubarray(
        [
          'Host: example.org',
          'Content-Type: message/rfc822',
          'Date: Mon, 2 Jun 2025',
          'Server: nginx',
          'Content-Length: 12',
        ],
        { minLength: 2 },
      ),
    )
    .map(([first, fields]) => [...(first === undefined ? [] : [first]), ...fields, '', 'body'].join('\r\n')),
  // CSV, and a single field line.
  fc.constantFrom('name,email\nJane,jane@example.com\n', 'Received: 12 files\n', 'Subject: x\nnot a field\n'),
);

describe('sniffMailHead', () => {
  it('finds a mail header block, CRLF or LF, folded or not, cut by the head or not', () => {
    fc.assert(
      fc.property(mailHead, (head) => {
        expect(sniffMailHead(bytes(head))).toBe(true);
      }),
    );
  });

  it('does not take logs, YAML, HTTP header dumps or CSV for mail', () => {
    fc.assert(
      fc.property(nearMiss, (text) => {
        expect(sniffMailHead(bytes(text))).toBe(false);
      }),
    );
  });

  it('finds a header block with no mail-only field but an encoded-word, which text would leave encoded', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(COMMON, { minLength: 1 }),
        fc.constantFrom('B', 'Q', 'b', 'q'),
        fc.constantFrom('utf-8', 'ISO-8859-1', 'windows-1252'),
        fc.boolean(),
        (fields, encoding, charset, isFolded) => {
          const text =
            encoding.toUpperCase() === 'B' ? 'amFuZS5kb2VAZXhhbXBsZS5jb20=' : 'jane.doe=40example.com';
          const word = `=?${charset}?${encoding}?${text}?=`;
          const subject = isFolded ? `Subject: note\r\n ${word}` : `Subject: ${word}`;
          expect(sniffMailHead(bytes(`${[...fields, subject].join('\r\n')}\r\n\r\nbody`))).toBe(true);
        },
      ),
    );
  });

  it('does not take a header block with no mail-only field for mail', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(COMMON, { minLength: 2 }), (fields) => {
        expect(sniffMailHead(bytes(`${fields.join('\r\n')}\r\n\r\nbody`))).toBe(false);
      }),
    );
  });
});

describe('detectFormat with mail content', () => {
  it('reads a mail head as mail whatever the labels say, unlabelled and octet-stream included', () => {
    fc.assert(
      fc.property(
        mailHead,
        fc.constantFrom(
          undefined,
          'text/plain',
          'application/octet-stream',
          'binary/octet-stream',
          'message/rfc822',
        ),
        fc.constantFrom(undefined, 'inbound/0a1b2c3d4e5f', 'mail.txt', 'mail.eml', 'export.csv'),
        (head, contentType, key) => {
          expect(detectFormat({ contentType, key, head: bytes(head) })).toEqual({
            format: 'mail',
            isGzip: false,
          });
        },
      ),
    );
  });

  it('keeps near misses in their labelled format and leaves them unsupported without a label', () => {
    fc.assert(
      fc.property(nearMiss, (text) => {
        expect(detectFormat({ contentType: 'text/plain', head: bytes(text) })?.format).not.toBe('mail');
        expect(
          detectFormat({ contentType: 'application/octet-stream', key: 'inbound/x', head: bytes(text) }),
        ).toBeUndefined();
      }),
    );
  });

  it('reads .eml and message/rfc822 as mail by their labels', () => {
    const head = bytes('From: a@example.com\r\n\r\nhi');
    expect(detectFormat({ key: 'inbox/m.eml', head })?.format).toBe('mail');
    expect(detectFormat({ contentType: 'message/rfc822', head })?.format).toBe('mail');
  });
});

/** The separator line an mbox puts before each mail (RFC 4155 §2). */
const fromLine = fc
  .tuple(
    fc.constantFrom('MAILER-DAEMON', 'jane.doe@example.com', '-'),
    fc.constantFrom(
      'Fri Jul  8 12:08:34 2011',
      'Mon Jun  2 10:00:00 2025 +0000',
      'Sun Sep 01 12:00:00 +0000 2024',
    ),
    fc.constantFrom('\r\n', '\n'),
  )
  .map(([sender, date, newline]) => `From ${sender} ${date}${newline}`);

describe('sniffMboxHead', () => {
  it('finds a mail header block after an mbox From line, which sniffMailHead does not take for a mail', () => {
    fc.assert(
      fc.property(fromLine, mailHead, (from, head) => {
        expect(sniffMboxHead(bytes(from + head))).toBe(true);
        expect(sniffMailHead(bytes(from + head))).toBe(false);
        expect(sniffMboxHead(bytes(head))).toBe(false);
      }),
    );
  });

  it('finds a Gmail export, whose first fields are no mail-only ones and can fill the head', () => {
    fc.assert(
      fc.property(fromLine, fc.nat({ max: 600 }), (from, labels) => {
        const head = `${from}X-GM-THRID: 1742847471232158592\r\nX-Gmail-Labels: ${'Inbox,'.repeat(labels)}Opened\r\n`;
        expect(sniffMboxHead(bytes(head))).toBe(true);
      }),
    );
  });

  it('does not take a text that starts with From for an mbox', () => {
    fc.assert(
      fc.property(
        nearMiss,
        fc.constantFrom('From the desk of Jane\n', 'From: a@b\n', 'From here on\n'),
        (text, first) => {
          expect(sniffMboxHead(bytes(first + text))).toBe(false);
        },
      ),
    );
  });
});

describe('detectFormat with mbox content', () => {
  it('leaves an mbox unsupported whatever the labels say: as text its encoded parts would pass unread', () => {
    fc.assert(
      fc.property(
        fromLine,
        mailHead,
        fc.constantFrom(
          undefined,
          'text/plain',
          'application/octet-stream',
          'message/rfc822',
          'application/mbox',
        ),
        fc.constantFrom(undefined, 'inbox.mbox', 'mail.txt', 'mail.eml', 'export.csv', 'app.log'),
        (from, head, contentType, key) => {
          expect(detectFormat({ contentType, key, head: bytes(from + head) })).toBeUndefined();
        },
      ),
    );
  });
});
