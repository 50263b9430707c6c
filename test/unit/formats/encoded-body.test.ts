import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { LimitExceededError, MalformedObjectError } from '../../../functions/core/errors.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { TextFormat } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import {
  HAR_CARD,
  HAR_EMAIL,
  HAR_NEAR_MISSES,
  harSkeleton,
  plantedHar,
  responseBodies,
} from '../support/planted-har.ts';
import { splitAt } from '../support/split-at.ts';

const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);

function redact(format: TextFormat, chunks: readonly string[], ruleSet = compiled): string {
  const redactor = createFormatRedactor(format, new Redactor(ruleSet));
  return chunks.map((chunk) => redactor.push(chunk)).join('') + redactor.end();
}

const b64 = (text: string | Uint8Array): string => Buffer.from(text).toString('base64');

describe('bodies in base64 named by their sibling `encoding` (HTTP archives)', () => {
  it('redacts generated archives: every planted value gone from headers, cookies, query, form fields, post text and bodies; same structure; any chunking (generated)', () => {
    fc.assert(
      fc.property(
        plantedHar,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (planted, isPretty, cuts) => {
          const text = JSON.stringify(planted.har, null, isPretty ? 2 : undefined);
          const whole = redact('json', [text]);
          expect(redact('json', splitAt(text, cuts))).toBe(whole);
          for (const value of [HAR_EMAIL, HAR_CARD, b64(HAR_EMAIL).slice(0, 12), ...planted.secrets]) {
            expect(whole).not.toContain(value);
          }
          const output = JSON.parse(whole);
          expect(harSkeleton(output)).toEqual(harSkeleton(planted.har));
          const bodies = responseBodies(output);
          bodies.forEach((body, i) => {
            for (const value of [HAR_EMAIL, HAR_CARD, ...planted.secrets])
              expect(body.text).not.toContain(value);
            const kind = planted.bodies[i];
            if (kind === 'binary') expect(body.text).toBe('');
            if (kind === 'json') expect(JSON.parse(body.text).user.email).toBe('[EMAIL]');
            if (kind === 'csv') expect(body.text.split('\r\n')).toHaveLength(3);
            if (kind === 'json' || kind === 'text') expect(body.text).toContain(HAR_NEAR_MISSES[0]);
            if (kind === 'none')
              expect(body).toEqual({ text: `hello ${HAR_NEAR_MISSES[2]}`, isEncoded: false });
          });
          expect(whole).toContain(`"value":"${HAR_NEAR_MISSES[1]}"`);
          expect(whole).toContain(`?q=${HAR_NEAR_MISSES[2]}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('redacts archive entries written as NDJSON lines, as through the JSON redactor', () => {
    fc.assert(
      fc.property(plantedHar, fc.array(fc.nat(), { maxLength: 6 }), (planted, cuts) => {
        const entries = (planted.har as { log: { entries: unknown[] } }).log.entries;
        const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
        const output = redact('ndjson', splitAt(text, cuts));
        for (const value of [HAR_EMAIL, HAR_CARD, ...planted.secrets]) expect(output).not.toContain(value);
        expect(output.split('\n')).toHaveLength(entries.length + 1);
        for (const line of output.split('\n').slice(0, -1)) {
          const [body] = responseBodies({ log: { entries: [JSON.parse(line)] } });
          expect(body?.text).not.toContain(HAR_EMAIL);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reads a body by its mimeType, else as text, and keeps what is no sensitive value', () => {
    const cases: [string | undefined, string, string][] = [
      ['application/json', `{"email":"${HAR_EMAIL}","n":1}`, '{"email":"[EMAIL]","n":1}'],
      ['text/csv', `email,n\n${HAR_EMAIL},1\n`, 'email,n\n[EMAIL],1\n'],
      ['application/javascript', `var to = "${HAR_EMAIL}"; // v2.14.3`, 'var to = "[EMAIL]"; // v2.14.3'],
      [undefined, `mail ${HAR_EMAIL} order 4111111111111112`, 'mail [EMAIL] order 4111111111111112'],
      // JSON by its mimeType that is not JSON (an error page) is read as text.
      ['application/json', `<h1>502</h1> ${HAR_EMAIL}`, '<h1>502</h1> [EMAIL]'],
    ];
    for (const [mimeType, body, expected] of cases) {
      const content = mimeType === undefined ? { encoding: 'base64' } : { mimeType, encoding: 'base64' };
      const out = JSON.parse(redact('json', [JSON.stringify({ ...content, text: b64(body) })]));
      expect(Buffer.from(out.text, 'base64').toString('utf8')).toBe(expected);
    }
  });

  it('empties a body that is not UTF-8 text, whatever its mimeType says, and passes an empty one', () => {
    const bodies: [string, Uint8Array][] = [
      ['image/png', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, ...Buffer.from(` ${HAR_EMAIL}`))],
      ['text/plain', Buffer.from(`caf\u00e9 ${HAR_EMAIL}`, 'latin1')],
      ['application/json', Buffer.from(`{"a":"${HAR_EMAIL}\u0000"}`)],
      ['font/woff2', Uint8Array.of(0x1f, 0x8b, 0x08, 0x00)],
      ['text/plain', new Uint8Array(0)],
    ];
    for (const [mimeType, bytes] of bodies) {
      for (const order of ['before', 'after']) {
        const members =
          order === 'before'
            ? { encoding: 'base64', mimeType, text: b64(bytes) }
            : { mimeType, text: b64(bytes), encoding: 'base64' };
        expect(JSON.parse(redact('json', [JSON.stringify(members)])).text).toBe('');
      }
    }
  });

  it('decodes base64 written with escapes and line breaks, and leaves text whose encoding is not base64 to the detectors', () => {
    const escaped = `{"mimeType":"text/plain","text":"${b64(`??? ${HAR_EMAIL} ???>>>`)
      .replaceAll('/', '\\/')
      .replace(/(.{8})/, '$1\\n')}","encoding":"base64"}`;
    const decoded = Buffer.from(JSON.parse(redact('json', [escaped])).text, 'base64').toString('utf8');
    expect(decoded).toBe('??? [EMAIL] ???>>>');
    expect(redact('json', [`{"text":"${HAR_EMAIL}","encoding":"identity"}`])).toBe(
      '{"text":"[EMAIL]","encoding":"identity"}',
    );
    // `text` under no `encoding` at all, as most JSON has it, is only scanned.
    expect(redact('json', ['{"text":"aGVsbG8=","mimeType":"text/plain"}'])).toBe(
      '{"text":"aGVsbG8=","mimeType":"text/plain"}',
    );
  });

  it('fails on a body that is not base64, and on an encoding that says base64 after a text read as plain', () => {
    expect(() => redact('json', ['{"encoding":"base64","text":"not base64!"}'])).toThrow(
      MalformedObjectError,
    );
    expect(() => redact('json', ['{"mimeType":"text/plain","text":"abcde","encoding":"base64"}'])).toThrow(
      MalformedObjectError,
    );
    // Read before it and its mimeType (or after an encoding that was not base64), a text is plain.
    for (const late of [
      `{"encoding":"identity","text":"${b64(HAR_EMAIL)}","encoding":"base64"}`,
      `{"text":"${b64(HAR_EMAIL)}","encoding":"base64","mimeType":"text/plain"}`,
      `{"size":20,"text":"${b64(HAR_EMAIL)}","mimeType":"text/plain","encoding":"base64"}`,
    ]) {
      expect(() => redact('json', [late])).toThrow(MalformedObjectError);
    }
  });

  it('fails rather than pass a body held for its encoding past the record limit', () => {
    const small = compileRuleSet(
      ruleSetSchema.parse({
        ...resolved.ruleSet,
        limits: { ...resolved.ruleSet.limits, maxRecordBytes: 4096 },
      }),
      testTokenKeys('k1'),
      resolved.positionOf,
      resolved.packs,
    );
    const padding = 'x'.repeat(3000);
    const text = `{"mimeType":"text/plain","text":"${b64(HAR_EMAIL)}","a":"${padding}","b":"${padding}","encoding":"base64"}`;
    expect(() => redact('json', splitAt(text, [text.indexOf(',"encoding"')]), small)).toThrow(
      LimitExceededError,
    );
    // Within the limit, the same body is redacted.
    const near = `{"mimeType":"text/plain","text":"${b64(HAR_EMAIL)}","a":"${padding}","encoding":"base64"}`;
    const out = JSON.parse(redact('json', splitAt(near, [near.indexOf(',"encoding"')]), small));
    expect(Buffer.from(out.text, 'base64').toString('utf8')).toBe('[EMAIL]');
  });

  it('gives the field rule a naming sibling names to a held body, as to any held value', () => {
    const text = `{"mimeType":"text/plain","text":"${b64('x')}","name":"client_secret","encoding":"base64"}`;
    expect(JSON.parse(redact('json', [text])).text).toBe('[SECRET]');
  });
});
