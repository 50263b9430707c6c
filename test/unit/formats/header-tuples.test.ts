import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import {
  credentialHeaderValueShape,
  isCredentialHeaderLength,
} from '../../../functions/core/redaction/formats/credential-header-values.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { splitAt } from '../support/split-at.ts';

const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);

type Format = 'json' | 'ndjson';

function redact(format: Format, chunks: readonly string[]): string {
  const redactor = createFormatRedactor(format, new Redactor(compiled));
  return chunks.map((chunk) => redactor.push(chunk)).join('') + redactor.end();
}

type Header = readonly [string, string];

/** A request log holding `headers` as HAR-like `[name, value]` pairs or as Node's flat `rawHeaders`. */
function document(format: Format, headers: readonly Header[], isFlat: boolean, isPretty: boolean): string {
  const list = isFlat ? headers.flat() : headers.map(([name, value]) => [name, value]);
  const record = { request: { method: 'GET', url: '/me', [isFlat ? 'rawHeaders' : 'headers']: list } };
  return format === 'ndjson'
    ? `${JSON.stringify({ event: 'request' })}\n${JSON.stringify(record)}\n`
    : JSON.stringify([record], null, isPretty ? 2 : undefined);
}

const alphanumerics = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random tokens with a letter and a digit, no detector knowing them by shape. */
const token = fc
  .array(fc.constantFrom(...alphanumerics), { minLength: 16, maxLength: 40 })
  .map((characters) => characters.join(''))
  .filter((value) => /[0-9]/.test(value) && /[A-Za-z]/.test(value));

/** A header name in the case a client or a log writes it. */
const inAnyCase = (name: string) => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase());

/** A credentials header with a value of its shape, and the secret part of that value. */
const credentialHeader: fc.Arbitrary<{ header: Header; secret: string }> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('Authorization', 'Proxy-Authorization').chain(inAnyCase),
      fc.constantFrom('Basic', 'Bearer', 'Digest', 'token', 'AWS4-HMAC-SHA256'),
      token,
    )
    .map(([name, scheme, secret]) => ({ header: [name, `${scheme} ${secret}`] as const, secret })),
  fc
    .tuple(
      fc.constantFrom('Cookie', 'Set-Cookie').chain(inAnyCase),
      fc.constantFrom('sid', 'session', 'JSESSIONID', '__Host-auth'),
      token,
      fc.constantFrom('', '; theme=dark', '; Path=/; HttpOnly; Secure'),
    )
    .map(([name, cookie, secret, rest]) => ({
      header: [name, `${cookie}=${secret}${rest}`] as const,
      secret,
    })),
  fc
    .tuple(fc.constantFrom('X-Api-Key', 'X-Auth-Token').chain(inAnyCase), token)
    .map(([name, secret]) => ({ header: [name, secret] as const, secret })),
);

/** Headers that carry nothing secret, kept as they are. */
const otherHeaders = fc.array(
  fc.constantFrom<Header>(
    ['Host', 'api.example.com'],
    ['User-Agent', 'curl/8.4.0'],
    ['Accept', 'application/json'],
    ['Content-Type', 'text/plain; charset=utf-8'],
  ),
  { maxLength: 3 },
);

describe('credentials headers in JSON header lists', () => {
  it('redacts the value after Authorization, Cookie, X-Api-Key and their kin, as pairs or flat rawHeaders, in any format, layout and chunking (generated)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(otherHeaders, credentialHeader), { minLength: 1, maxLength: 3 }),
        fc.constantFrom<Format>('json', 'ndjson'),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (entries, format, isFlat, isPretty, cuts) => {
          const headers = entries.flatMap(([before, { header }]) => [...before, header]);
          const output = redact(format, splitAt(document(format, headers, isFlat, isPretty), cuts));

          for (const [, { secret }] of entries) expect(output).not.toContain(secret);
          for (const [before, { header }] of entries) {
            expect(output).toContain(JSON.stringify(header[0]));
            for (const [, value] of before) expect(output).toContain(JSON.stringify(value));
          }
          for (const line of format === 'ndjson' ? output.split('\n').filter(Boolean) : [output]) {
            expect(() => JSON.parse(line)).not.toThrow();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps lists of header names (CORS configurations) and values without the shape of the header before them (generated)', () => {
    const names = fc.constantFrom(
      'Authorization',
      'authorization',
      'Proxy-Authorization',
      'Cookie',
      'Set-Cookie',
      'X-Api-Key',
      'x-auth-token',
      'Content-Type',
      'X-Requested-With',
      'X-B3-TraceId',
      'X-Amz-Date',
      'Accept',
    );
    const nameLists = fc
      .array(names, { minLength: 1, maxLength: 8 })
      .map((list) => ({ allowHeaders: list, exposeHeaders: [...list].reverse(), maxAge: 600 }));
    const unshaped = fc
      .tuple(
        fc.constantFrom<Header>(
          ['Authorization', 'required'],
          ['Authorization', 'Bearer'],
          ['Cookie', 'none'],
          ['Set-Cookie', 'disabled'],
          ['X-Api-Key', 'optional'],
          ['X-Auth-Token', 'X-B3-TraceId'],
          ['X-Api-Key', '12345'],
        ),
        otherHeaders,
      )
      .map(([header, others]) => ({ headers: [...others, header, ...others] }));
    fc.assert(
      fc.property(
        fc.oneof(nameLists, unshaped),
        fc.constantFrom<Format>('json', 'ndjson'),
        (record, format) => {
          const text = format === 'ndjson' ? `${JSON.stringify(record)}\n` : JSON.stringify(record);
          expect(redact(format, [text])).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('isCredentialHeaderLength', () => {
  it('accepts the length of every string that names a credentials header, in any case and with look-alikes (generated)', () => {
    const names = [
      'authorization',
      'proxy-authorization',
      'cookie',
      'set-cookie',
      'x-api-key',
      'x-auth-token',
    ];
    // Characters whose lower case is an ASCII letter or holds one (Kelvin sign, dotted capital I).
    const lookAlikes: Record<string, readonly string[]> = {
      k: ['K', '\u212a'],
      i: ['I', '\u0130', '\u0131'],
      s: ['S', '\u017f'],
    };
    const spellings = fc
      .tuple(fc.constantFrom(...names), fc.array(fc.nat(3), { minLength: 19, maxLength: 19 }))
      .map(([name, picks]) =>
        Array.from(name, (character, i) => {
          const choices = [character, character.toUpperCase(), ...(lookAlikes[character] ?? [])];
          return choices[(picks[i] as number) % choices.length] as string;
        }).join(''),
      );
    fc.assert(
      fc.property(fc.oneof(spellings, fc.string({ maxLength: 24 })), (name) => {
        if (credentialHeaderValueShape(name) !== undefined)
          expect(isCredentialHeaderLength(name.length)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(isCredentialHeaderLength('priority'.length)).toBe(false);
    expect(isCredentialHeaderLength('Authorization'.length)).toBe(true);
  });
});
