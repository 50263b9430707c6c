import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { splitAt } from '../support/split-at.ts';

const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);

function redact(format: 'json' | 'ndjson', chunks: readonly string[]): string {
  const redactor = createFormatRedactor(format, new Redactor(compiled));
  return chunks.map((chunk) => redactor.push(chunk)).join('') + redactor.end();
}

/** A JSON document holding `args` where containers keep their command lines, in one of two formats. */
function document(format: 'json' | 'ndjson', args: readonly string[], isPretty: boolean): string {
  const record = { Name: '/api', Config: { Image: 'acme/api:1', Cmd: ['serve', ...args] } };
  return format === 'ndjson'
    ? `${JSON.stringify({ event: 'start' })}\n${JSON.stringify(record)}\n`
    : JSON.stringify([record], null, isPretty ? 4 : undefined);
}

const dashes = fc.constantFrom('--', '-');
const credentialFlags = fc.constantFrom(
  'password',
  'db-password',
  'db_password',
  'DB_PASSWORD',
  'api-key',
  'client-secret',
  'aws-secret-access-key',
  'auth-token',
  'passphrase',
  // Redis: redis-server --requirepass …
  'requirepass',
);
/** Secret values no detector knows by shape: only the flag before them tells what they are. */
const secretValues = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_./]{11,39}$/);
/** Arguments around the secret that are no flag of a credential. */
const otherArgs = fc.array(fc.constantFrom('--port', '8080', '-v', '--user', 'admin', 'start'), {
  maxLength: 4,
});
/** Lower-case letters only: no detector finds anything in them, so only a field rule could change them. */
const plainValue = fc.stringMatching(/^[a-z]{4,16}$/);

describe('command-line flags in JSON arrays', () => {
  it('redacts the element after a flag naming a credential, in any format, layout and chunking (generated)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(otherArgs, dashes, credentialFlags, secretValues), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('json' as const, 'ndjson' as const),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (entries, format, isPretty, cuts) => {
          const args = entries.flatMap(([before, dash, flag, secret]) => [
            ...before,
            `${dash}${flag}`,
            secret,
          ]);
          const text = document(format, args, isPretty);
          const output = redact(format, splitAt(text, cuts));

          for (const [, , , secret] of entries) expect(output).not.toContain(secret);
          for (const line of format === 'ndjson' ? output.split('\n').filter(Boolean) : [output]) {
            expect(() => JSON.parse(line)).not.toThrow();
          }
          expect(output.split('\n').length).toBe(format === 'ndjson' ? 3 : 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts every scalar of an object or array after a flag naming a credential, in any format and chunking (generated)', () => {
    // Objects and arrays: their members are keys under no rule, ruled by the flag alone.
    const container = fc.oneof(
      fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(secretValues, fc.integer({ min: 100000 })), {
        minKeys: 1,
        maxKeys: 3,
      }),
      fc.array(secretValues, { minLength: 1, maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        dashes,
        credentialFlags,
        container,
        fc.constantFrom('json' as const, 'ndjson' as const),
        fc.array(fc.nat(), { maxLength: 6 }),
        (dash, flag, value, format, cuts) => {
          const record = { Config: { Cmd: ['serve', `${dash}${flag}`, value] } };
          const text = format === 'ndjson' ? `${JSON.stringify(record)}\n` : JSON.stringify(record);
          const output = redact(format, splitAt(text, cuts));
          for (const scalar of Object.values(value)) expect(output).not.toContain(`${scalar}`);
          expect(() => JSON.parse(output)).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps what follows a bare name, a flag describing a credential or a flag of no credential (generated)', () => {
    const nearMiss = fc.constantFrom(
      // A list of field names, as JSON Schema `required` or a form's `fields` write it.
      'password',
      'api_key',
      // Flags that say where a secret is or how long it lives, not what it is.
      '--password-file',
      '--token-ttl',
      '--secret-name',
      '--api-key-id',
      // Flags of no credential, and of personal fields: a container name, a listen address.
      '--user',
      '--name',
      '--address',
      '--email-from',
      '-p',
    );
    fc.assert(
      fc.property(
        nearMiss,
        plainValue,
        fc.constantFrom('json' as const, 'ndjson' as const),
        (flag, value, format) => {
          const output = redact(format, [document(format, [flag, value], false)]);
          expect(output).toContain(`"${flag}","${value}"`);
        },
      ),
      { numRuns: 100 },
    );
  });
});
