import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alphanumerics,
  base64,
  entropy,
  randomOver,
  redactAsText as redact,
} from './shipped-text-redaction.ts';

// Credential forms a second red-team round found surviving the shipped `default` rule set
// (issue 11): password hashes, passwords written in prose and .pgpass lines, redacted as a text
// object would be, with the near misses that must stay.
const cryptBase64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const lowerCase = 'abcdefghijklmnopqrstuvwxyz';

/** Random-looking: a letter and a digit, no character three times running, 3 bits a character. */
function looksRandom(value: string): boolean {
  return /[0-9]/.test(value) && /[A-Za-z]/.test(value) && !/(.)\1\1/.test(value) && entropy(value) >= 3;
}

function expectRedacted(text: string, secret: string): void {
  const out = redact(text);
  expect(out, text).not.toContain(secret);
  expect(out.split('\n').length, text).toBe(text.split('\n').length);
}

function expectUnchanged(text: string): void {
  expect(redact(text)).toBe(text);
}

const twoDigits = (min: number, max: number) =>
  fc.integer({ min, max }).map((value) => String(value).padStart(2, '0'));

/** bcrypt: $2a$ / $2b$ / $2y$, a two-digit cost, 22 characters of salt and 31 of checksum. */
const bcrypt = fc
  .tuple(fc.constantFrom('2a', '2b', '2y'), twoDigits(4, 31), randomOver(cryptBase64, 53))
  .map(([variant, cost, body]) => `$${variant}$${cost}$${body}`);

/** Argon2 in the PHC string format, salt and hash in unpadded base64. */
const argon2 = fc
  .tuple(
    fc.constantFrom('argon2id', 'argon2i', 'argon2d'),
    fc.constantFrom('v=19$', 'v=16$', ''),
    fc.integer({ min: 8, max: 1 << 21 }),
    fc.integer({ min: 1, max: 10 }),
    fc.integer({ min: 1, max: 16 }),
    randomOver(base64, 11, 43),
    randomOver(base64, 22, 86),
  )
  .map(
    ([variant, version, m, t, p, salt, hash]) => `$${variant}$${version}m=${m},t=${t},p=${p}$${salt}$${hash}`,
  );

/** sha512-crypt ($6$, 86-character checksum) and sha256-crypt ($5$, 43), rounds optional. */
const shaCrypt = fc
  .tuple(
    fc.constantFrom(['6', 86] as const, ['5', 43] as const),
    fc.option(fc.integer({ min: 1000, max: 999_999_999 }), { nil: undefined }),
    randomOver(cryptBase64, 1, 16),
    fc.integer({ min: 0, max: 1 << 30 }),
  )
  .chain(([[id, length], rounds, salt]) =>
    randomOver(cryptBase64, length).map(
      (checksum) => `$${id}$${rounds === undefined ? '' : `rounds=${rounds}$`}${salt}$${checksum}`,
    ),
  );

describe('password hashes', () => {
  const forms = fc.constantFrom(
    (hash: string) =>
      `INSERT INTO \`users\` VALUES (1,'ana@example.com','${hash}'),(2,'bo@example.com',NULL);`,
    (hash: string) => `id,email,password_digest\n7,ana@example.com,${hash}`,
    (hash: string) => `{"id": 7, "hash": "${hash}"}`,
    (hash: string) => `root:${hash}:19000:0:99999:7:::`,
    (hash: string) => `stored ${hash} for user 7`,
  );

  it('are redacted whole: bcrypt, Argon2, sha512-crypt and sha256-crypt, in SQL, CSV, JSON text, shadow lines and logs', () => {
    fc.assert(
      fc.property(fc.oneof(bcrypt, argon2, shaCrypt), forms, (hash, form) => {
        const text = form(hash);
        const out = redact(text);
        expect(out, text).not.toContain(hash.slice(-20));
        expect(out, text).toContain('[PASSWORD_HASH]');
      }),
    );
  });

  it('leave bcrypt-like strings of another length and dollar amounts alone', () => {
    const wrongLength = fc
      .tuple(fc.constantFrom('2a', '2b', '2y'), twoDigits(4, 31), randomOver(cryptBase64, 10, 52))
      .map(([variant, cost, body]) => `the prefix $${variant}$${cost}$${body} is cut short`);
    const prices = fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }))
      .map(([a, b]) => `apples cost $${a}$ and pears $${b}$ per kilo`);
    fc.assert(fc.property(fc.oneof(wrongLength, prices), expectUnchanged));
  });
});

/**
 * Passwords people write in notes: letters, digits and punctuation, at least one letter and one
 * digit. No `%`: the scanner reads `%0C` as the character it encodes, which ends a value.
 */
const proseValue = randomOver(`${alphanumerics}!#*_-`, 8, 24).filter(
  (value) => looksRandom(value) && /^[A-Za-z0-9]/.test(value) && /[A-Za-z0-9]$/.test(value),
);

describe('passwords in prose', () => {
  const leads = fc.constantFrom(
    'your temporary password is: ',
    'The password is ',
    '- password for the vault: ',
    'Password for db01: ',
    'wifi pw: ',
    'passphrase is ',
    'new passwd: ',
  );
  const ends = fc.constantFrom('', '.', ' (change it on first login)', '\nThanks,\nOps', ', then log in');

  it('are redacted after password / pw / passphrase, a few words and "is" or a colon', () => {
    fc.assert(
      fc.property(leads, proseValue, ends, (lead, value, end) => {
        const text = `Hi,\n${lead}${value}${end}`;
        expectRedacted(text, value);
        expect(redact(text)).toContain(lead);
      }),
    );
  });

  it('leave sentences about passwords alone: words, numbers of characters, placeholders', () => {
    const subjects = fc.constantFrom(
      'the password is',
      'Password is',
      'your pw is',
      'password:',
      'passphrase is',
    );
    const words = fc.oneof(
      fc.constantFrom(
        'required',
        'incorrect',
        'invalid',
        'expired',
        'not set',
        'stored in the vault',
        'too short',
      ),
      // A word of six letters or more alone after "password:" is a password (letmein): the
      // shorter ones are no value, the longer ones are redacted (short-password-assignment.test.ts).
      randomOver(lowerCase, 3, 5),
      fc.integer({ min: 6, max: 128 }).map((count) => `${count} characters long`),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable written in the text, not a template
      fc.constantFrom('${DB_PASSWORD}', '********', '<redacted>', '{{ .Values.password }}'),
    );
    fc.assert(fc.property(subjects, words, (subject, word) => expectUnchanged(`Error: ${subject} ${word}`)));
  });
});

describe('.pgpass lines', () => {
  const field = randomOver(`${lowerCase}_`, 1, 12).filter((value) => /[a-z]/.test(value));
  const host = fc.oneof(
    fc.constant('*'),
    fc.constant('localhost'),
    fc.tuple(field, field).map(([name, zone]) => `${name}.${zone}.internal`),
    fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((bytes) => bytes.join('.')),
  );
  // PostgreSQL servers' and poolers' ports (any port would make every time of day a candidate).
  const port = fc.constantFrom('*', '5432', '5433', '5439', '6432', '6543', '25060', '26257');
  const nameOrAny = fc.oneof(fc.constant('*'), field);
  // A password's : is escaped as \: in the file; the test looks for the part after the last one.
  const secret = fc
    .tuple(randomOver(alphanumerics, 10, 20).filter(looksRandom), fc.boolean())
    .map(([value, hasColon]) => (hasColon ? `Xq9\\:${value}` : value));

  it('have their password redacted and the other four fields kept', () => {
    fc.assert(
      fc.property(
        host,
        port,
        nameOrAny,
        field,
        secret,
        fc.boolean(),
        (h, p, database, user, password, isCrLf) => {
          const eol = isCrLf ? '\r\n' : '\n';
          const text = `# hostname:port:database:username:password${eol}${h}:${p}:${database}:${user}:${password}${eol}`;
          const out = redact(text);
          expect(out, text).not.toContain(password.split(':').at(-1));
          // An IP address host is redacted by its own detector.
          expect(out, text).toContain(`:${p}:${database}:${user}:[PASSWORD]${eol}`);
        },
      ),
    );
  });

  it('leave lines of another shape alone: 4 or 6 fields, times, MAC addresses, FASTQ read names', () => {
    const fields = (count: number) => fc.array(field, { minLength: count, maxLength: count });
    const wrongCount = fc
      .tuple(fc.constantFrom(4, 6), fc.constantFrom('*', 'localhost', 'db.internal'))
      .chain(([count, h]) => fields(count - 2).map((rest) => `${h}:5432:${rest.join(':')}`));
    const numeric = fc
      .array(fc.integer({ min: 0, max: 99 }), { minLength: 5, maxLength: 6 })
      .map((parts) => parts.map((part) => String(part).padStart(2, '0')).join(':'));
    const fastq = fc
      .tuple(fc.nat(9), fc.nat(9999), fc.nat(99999), fc.nat(99999), randomOver('ACGT', 6))
      .map(([lane, tile, x, y, index]) => `@HWI-ST565_0092:${lane}:${tile}:${x}:${y}#${index}/1`);
    fc.assert(fc.property(fc.oneof(wrongCount, numeric, fastq), (line) => expectUnchanged(`${line}\n`)));
  });
});
