import fc from 'fast-check';

/** A value planted in every generated archive: no detector may let it through. */
export const HAR_EMAIL = 'jane.doe@example.com';
export const HAR_CARD = '4111 1111 1111 1111';

/** Values that must survive: they look close to a planted value but are none. */
export const HAR_NEAR_MISSES = ['order 4111111111111112', 'application/json', 'weather', 'release 2.14.3'];

/** The PNG signature and an IHDR start: a body that is not text, whatever its text chunk says. */
const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d];

/** A generated HTTP archive and what it plants. */
export interface PlantedHar {
  readonly har: unknown;
  /** Values only a sibling (`name`) or a field rule tells apart: the tokens, cookies and passwords. */
  readonly secrets: readonly string[];
  /** Per entry: how its response body was made (`binary` ones must come out empty). */
  readonly bodies: readonly BodyKind[];
}

/** The kinds of response body in base64; `none` is a plain (not encoded) text body. */
export type BodyKind = 'json' | 'text' | 'csv' | 'form' | 'html' | 'binary' | 'none';

const secret = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{11,23}[0-9]$/);

/** The body text of a kind with the planted values in it, and its media type. */
function body(kind: BodyKind, password: string): { mimeType: string; bytes: Buffer } {
  switch (kind) {
    case 'json':
      return {
        mimeType: 'application/json; charset=utf-8',
        bytes: Buffer.from(
          JSON.stringify({ user: { email: HAR_EMAIL, password }, note: HAR_NEAR_MISSES[0] }),
        ),
      };
    case 'text':
      return { mimeType: 'text/plain', bytes: Buffer.from(`card ${HAR_CARD} ${HAR_NEAR_MISSES[0]}\n`) };
    case 'csv':
      return {
        mimeType: 'text/csv',
        bytes: Buffer.from(`id,email,password\r\n1,${HAR_EMAIL},${password}\r\n`),
      };
    case 'form':
      return {
        mimeType: 'application/x-www-form-urlencoded',
        bytes: Buffer.from(`email=${encodeURIComponent(HAR_EMAIL)}&password=${password}`),
      };
    case 'html':
      return {
        mimeType: 'text/html',
        bytes: Buffer.from(`<p>Write to ${HAR_EMAIL}</p><!-- ${HAR_NEAR_MISSES[3]} -->`),
      };
    case 'binary':
      return {
        mimeType: 'image/png',
        bytes: Buffer.concat([Buffer.from(PNG_HEAD), Buffer.from(`tEXt ${HAR_EMAIL} ${password}`)]),
      };
    case 'none':
      return { mimeType: 'text/plain', bytes: Buffer.from(`hello ${HAR_NEAR_MISSES[2]}`) };
  }
}

/** The `content` members in one of the orders writers use: Chrome's, key-sorted, `encoding` first. */
function content(
  kind: BodyKind,
  password: string,
  order: number,
  isWrapped: boolean,
): Record<string, unknown> {
  const { mimeType, bytes } = body(kind, password);
  if (kind === 'none') return { size: bytes.length, mimeType, text: bytes.toString('utf8') };
  // Base64 in lines of 76, as some writers wrap it.
  const base64 = bytes.toString('base64');
  const text = isWrapped ? (base64.match(/.{1,76}/g) ?? []).join('\n') : base64;
  const members: [string, unknown][][] = [
    [
      ['size', bytes.length],
      ['mimeType', mimeType],
      ['text', text],
      ['encoding', 'base64'],
    ],
    [
      ['encoding', 'base64'],
      ['mimeType', mimeType],
      ['size', bytes.length],
      ['text', text],
    ],
    [
      ['encoding', 'base64'],
      ['size', bytes.length],
      ['text', text],
      ['mimeType', mimeType],
    ],
  ];
  return Object.fromEntries(members[order % members.length] as [string, unknown][]);
}

/** One entry: planted values in the request's headers, cookies, query, form fields and text, and the response. */
const entry = fc
  .record({
    token: secret,
    session: secret,
    password: secret,
    bodyKind: fc.constantFrom<BodyKind>('json', 'text', 'csv', 'form', 'html', 'binary', 'none'),
    order: fc.nat(5),
    isWrapped: fc.boolean(),
    isJsonPost: fc.boolean(),
  })
  .map(({ token, session, password, bodyKind, order, isWrapped, isJsonPost }) => {
    const postText = isJsonPost
      ? JSON.stringify({ email: HAR_EMAIL, password })
      : `user=ada&password=${password}`;
    const request = {
      method: 'POST',
      url: `https://api.example.com/v1/search?q=${HAR_NEAR_MISSES[2]}`,
      httpVersion: 'HTTP/1.1',
      headers: [
        { name: 'Authorization', value: `Bearer ${token}` },
        { name: 'Cookie', value: `sid=${session}` },
        { name: 'Accept', value: HAR_NEAR_MISSES[1] },
      ],
      queryString: [
        { name: 'q', value: HAR_NEAR_MISSES[2] },
        { name: 'password', value: password },
      ],
      cookies: [{ name: 'sid', value: session }],
      headersSize: -1,
      bodySize: postText.length,
      postData: {
        mimeType: isJsonPost ? 'application/json' : 'application/x-www-form-urlencoded',
        text: postText,
        params: isJsonPost ? [] : [{ name: 'password', value: password }],
      },
    };
    const response = {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: [{ name: 'Set-Cookie', value: `sid=${session}; Path=/; HttpOnly` }],
      cookies: [],
      content: content(bodyKind, password, order, isWrapped),
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    };
    return {
      value: {
        startedDateTime: '2024-05-01T12:00:00.000Z',
        time: 12.5,
        request,
        response,
        cache: {},
        timings: { send: 0, wait: 10, receive: 2.5 },
      },
      secrets: [token, session, password],
      bodyKind,
    };
  });

/** Archives of one to four entries, as browsers' "Save all as HAR" writes them. */
export const plantedHar: fc.Arbitrary<PlantedHar> = fc
  .array(entry, { minLength: 1, maxLength: 4 })
  .map((entries) => ({
    har: {
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        pages: [],
        entries: entries.map((e) => e.value),
      },
    },
    secrets: entries.flatMap((e) => e.secrets),
    bodies: entries.map((e) => e.bodyKind),
  }));

/** Keys of every object and lengths of every array, scalars left out: what redaction must keep. */
export function harSkeleton(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(harSkeleton);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, harSkeleton(member)]));
  }
  return null;
}

/** The response bodies of a parsed archive, decoded from base64 where they say so. */
export function responseBodies(har: unknown): { text: string; isEncoded: boolean }[] {
  const entries = (har as { log: { entries: { response: { content: Record<string, string> } }[] } }).log
    .entries;
  return entries.map(({ response: { content } }) => {
    const isEncoded = content.encoding === 'base64';
    const text = content.text ?? '';
    return { text: isEncoded ? Buffer.from(text, 'base64').toString('utf8') : text, isEncoded };
  });
}
