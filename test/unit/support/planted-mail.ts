import fc from 'fast-check';
import libmime from 'libmime';
import * as libqp from 'libqp';
import PostalMime from 'postal-mime';

/** Values the shipped `default` rule set redacts in text: an e-mail, a card, an AWS key id, a password. */
export const MAIL_PLANTS = [
  'jane.doe@example.com',
  '4111 1111 1111 1111',
  'AKIAZ7QWERTYUIOPASDF',
  'password=Xk9vLq2mZ7wq',
] as const;

/** Lines no detector finds anything in, some of them near misses (an `=40` outside quoted-printable, digits). */
const FILLER = [
  'Hello team,',
  'see the notes below',
  'order 4111 shipped',
  'x%40y and a=40b',
  'Grüße, café',
  'price: 12.50 EUR',
  '',
] as const;

/** A header field no detector finds anything in, encoded-word included: it must come out byte for byte. */
export const NEAR_MISS_FIELD = 'X-Ref: order 4111 shipped, x%40y, =?utf-8?Q?caf=C3=A9_a=3D40b?=';

export type Encoding = 'quoted-printable' | 'base64' | '8bit' | '7bit';

export type MailNode =
  | {
      readonly kind: 'text';
      readonly type: 'text/plain' | 'text/html' | 'text/csv' | 'application/json';
      readonly encoding: Encoding;
      readonly charset: 'utf-8' | 'iso-8859-1' | undefined;
      readonly text: string;
      readonly fileName: string | undefined;
    }
  | {
      readonly kind: 'binary';
      readonly type: 'image/png' | 'application/pdf';
      readonly fileName: string;
      readonly bytes: Uint8Array;
    }
  | {
      readonly kind: 'multipart';
      readonly type: 'multipart/mixed' | 'multipart/alternative';
      readonly parts: readonly MailNode[];
    }
  | { readonly kind: 'message'; readonly mail: PlantedMail };

export interface PlantedMail {
  readonly subject: string;
  readonly subjectForm: 'plain' | 'Q' | 'B';
  readonly from: string;
  readonly body: MailNode;
}

const plant = fc.constantFrom(...MAIL_PLANTS);
const asciiFiller = fc.constantFrom(...FILLER.filter((line) => /^[\x20-\x7e]*$/.test(line)));
const anyFiller = fc.constantFrom(...FILLER);

/** Lines of text, at least one of them with a planted value. */
function textOf(isAscii: boolean): fc.Arbitrary<string> {
  const filler = isAscii ? asciiFiller : anyFiller;
  return fc
    .tuple(fc.array(filler, { maxLength: 6 }), fc.array(plant, { minLength: 1, maxLength: 3 }), fc.nat())
    .map(([lines, plants, at]) => {
      const all: string[] = [...lines];
      for (const [index, value] of plants.entries())
        all.splice((at + index) % (all.length + 1), 0, `note ${value} ok`);
      return all.join('\r\n');
    });
}

const textNode: fc.Arbitrary<MailNode> = fc
  .record({
    type: fc.constantFrom('text/plain' as const, 'text/html' as const),
    encoding: fc.constantFrom<Encoding>('quoted-printable', 'base64', '8bit', '7bit'),
    charset: fc.constantFrom('utf-8' as const, 'iso-8859-1' as const, undefined),
    fileName: fc.constant(undefined),
  })
  // Raw 8-bit ISO-8859-1 is not UTF-8: the engine refuses such an object before the mail is read.
  .map((node) =>
    node.encoding === '8bit' && node.charset === 'iso-8859-1' ? { ...node, charset: 'utf-8' as const } : node,
  )
  .chain((node) =>
    textOf(node.encoding === '7bit').map((text) => ({ kind: 'text' as const, ...node, text })),
  );

/** CSV and JSON attachments, read by their own format. */
const dataNode: fc.Arbitrary<MailNode> = fc
  .tuple(
    fc.constantFrom('text/csv' as const, 'application/json' as const),
    plant,
    fc.constantFrom<Encoding>('base64', 'quoted-printable'),
  )
  .map(([type, value, encoding]) => ({
    kind: 'text' as const,
    type,
    encoding,
    charset: 'utf-8' as const,
    fileName: type === 'text/csv' ? 'export.csv' : 'export.json',
    text:
      type === 'text/csv'
        ? `id,note\r\n1,${value}\r\n2,ok`
        : JSON.stringify({ id: 1, note: value, ok: true }),
  }));

const binaryNode: fc.Arbitrary<MailNode> = fc
  .record({
    type: fc.constantFrom('image/png' as const, 'application/pdf' as const),
    fileName: fc.constantFrom('scan.png', 'jane.doe@example.com.pdf'),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }),
  })
  .map((node) => ({ kind: 'binary' as const, ...node }));

/** A mail whose subject, sender and body hold planted values, nested up to three levels. */
export const plantedMail: fc.Arbitrary<PlantedMail> = fc.letrec<{ mail: PlantedMail; node: MailNode }>(
  (tie) => ({
    mail: fc.record({
      subject: plant.map((value) => `about ${value}`),
      subjectForm: fc.constantFrom('plain' as const, 'Q' as const, 'B' as const),
      from: fc.constantFrom('jane.doe@example.com', 'ops@example.org'),
      body: tie('node'),
    }),
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      textNode,
      dataNode,
      binaryNode,
      fc
        .record({
          type: fc.constantFrom('multipart/mixed' as const, 'multipart/alternative' as const),
          parts: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
        })
        .map((node) => ({ kind: 'multipart' as const, ...node })),
      tie('mail').map((mail) => ({ kind: 'message' as const, mail })),
    ),
  }),
).mail;

/** The mail as text with CRLF line breaks, each part encoded as it says. */
export function writeMail(mail: PlantedMail, boundaries = { count: 0 }): string {
  const subject =
    mail.subjectForm === 'plain' ? mail.subject : libmime.encodeWord(mail.subject, mail.subjectForm);
  const head = [
    'Return-Path: <bounce@mx.example.net>',
    'Received: from mx.example.net by inbound-smtp.us-east-1.amazonaws.com with SMTP id 1a2b3c',
    `From: Sender <${mail.from}>`,
    'To: ops@example.org',
    `Subject: ${subject}`,
    NEAR_MISS_FIELD,
    'MIME-Version: 1.0',
  ];
  function entity(node: MailNode): string[] {
    switch (node.kind) {
      case 'text': {
        const charset = node.charset === undefined ? '' : `; charset=${node.charset}`;
        const fields = [
          `Content-Type: ${node.type}${charset}`,
          `Content-Transfer-Encoding: ${node.encoding}`,
        ];
        if (node.fileName !== undefined)
          fields.push(`Content-Disposition: attachment; filename="${node.fileName}"`);
        return [
          ...fields,
          '',
          encode(node.text, node.encoding, node.charset === 'iso-8859-1' ? 'latin1' : 'utf8'),
        ];
      }
      case 'binary':
        return [
          `Content-Type: ${node.type}; name="${node.fileName}"`,
          'Content-Transfer-Encoding: base64',
          `Content-Disposition: attachment; filename*=utf-8''${encodeURIComponent(node.fileName)}`,
          '',
          base64Lines(Buffer.from(node.bytes)),
        ];
      case 'multipart': {
        const boundary = `=_part_${boundaries.count++}_x`;
        const parts = node.parts.flatMap((part) => [`--${boundary}`, ...entity(part)]);
        return [
          `Content-Type: ${node.type}; boundary="${boundary}"`,
          '',
          'This is a multi-part message in MIME format.',
          ...parts,
          `--${boundary}--`,
          '',
        ];
      }
      case 'message':
        return ['Content-Type: message/rfc822', '', writeMail(node.mail, boundaries)];
    }
  }
  return [...head, ...entity(mail.body)].join('\r\n');
}

function encode(text: string, encoding: Encoding, charset: 'utf8' | 'latin1'): string {
  if (encoding === 'base64') return base64Lines(Buffer.from(text, charset));
  if (encoding !== 'quoted-printable') return text;
  return text
    .split('\r\n')
    .map((line) => libqp.wrap(libqp.encode(Buffer.from(line, charset)), 76))
    .join('\r\n');
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** What a parser of the mail reads: its header values (encoded-words decoded), and its leaves. */
export interface ParsedEntity {
  readonly headers: readonly string[];
  /** Media type, and for a multipart its parts, for a message the mail inside. */
  readonly skeleton: string;
  /** Decoded text of each leaf, in order (a nested message's leaves included). */
  readonly texts: readonly string[];
}

interface ParsedNode {
  childNodes: ParsedNode[];
  headers: { key: string; value: string }[];
  contentType: { parsed: { value: string; params: Record<string, string> }; multipart: string | false };
  content: ArrayBuffer | null;
}

/** Parses a mail with postal-mime (an independent parser) and walks its tree of parts. */
export async function parseMail(text: string): Promise<ParsedEntity> {
  const parser = new PostalMime();
  await parser.parse(text);
  return walk((parser as unknown as { root: ParsedNode }).root);
}

async function walk(node: ParsedNode): Promise<ParsedEntity> {
  const headers = node.headers.map((header) => libmime.decodeWords(header.value));
  const type = node.contentType.parsed.value;
  if (node.contentType.multipart) {
    const parts = await Promise.all(node.childNodes.map(walk));
    return {
      headers: [...headers, ...parts.flatMap((part) => part.headers)],
      skeleton: `${type}(${parts.map((part) => part.skeleton).join(',')})`,
      texts: parts.flatMap((part) => part.texts),
    };
  }
  const bytes = Buffer.from(node.content ?? new ArrayBuffer(0));
  if (type === 'message/rfc822') {
    const inner = await parseMail(bytes.toString('utf8'));
    return {
      headers: [...headers, ...inner.headers],
      skeleton: `${type}(${inner.skeleton})`,
      texts: inner.texts,
    };
  }
  const charset = node.contentType.parsed.params.charset?.toLowerCase() === 'iso-8859-1' ? 'latin1' : 'utf8';
  return { headers, skeleton: type, texts: [bytes.toString(charset)] };
}

/** The skeleton the redacted mail must have: every part the engine cannot read turned into a text note. */
export function expectedSkeleton(node: MailNode): string {
  switch (node.kind) {
    case 'text':
      return node.type;
    case 'binary':
      return 'text/plain';
    case 'multipart':
      return `${node.type}(${node.parts.map(expectedSkeleton).join(',')})`;
    case 'message':
      return `message/rfc822(${expectedSkeleton(node.mail.body)})`;
  }
}
