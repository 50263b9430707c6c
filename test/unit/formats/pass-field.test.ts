import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { validatorNamed } from '../../../functions/core/redaction/validators/validator-registry.ts';
import {
  formats,
  jsonWrappers,
  parseOutput,
  plantedDocument,
  plantedValue,
  redactIn,
} from '../../support/planted-fields.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';

let ruleSet: CompiledRuleSet;
beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
});

/** The field named exactly `pass`, as data spells it. */
const passName = fc.constantFrom('pass', 'Pass', 'PASS');

/**
 * Passwords as a `pass` field holds them: 6 to 32 characters without spaces, quotes, commas and
 * backslashes among them (escaped in JSON, quoted in CSV), that the password check takes; and
 * words and weak passwords people choose. No capitals: none of them may be read in a label.
 */
const password = fc.oneof(
  fc
    .string({
      unit: fc.constantFrom(...'abcdefghkmnpqrstuvwxyz0123456789!"#$%&\'()*,-./:;<=>?@\\^_`{|}~é'),
      minLength: 6,
      maxLength: 32,
    })
    .filter(validatorNamed('password')),
  fc.constantFrom('s3cr3t!x', 'hunter2', 'letmein', 'sunshine', 'qttaaaaaa0', 'p@ss:word'),
);

describe('a field named pass', () => {
  it('never lets a password under pass through, in JSON, NDJSON or CSV, at any depth or chunking', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        passName,
        password,
        jsonWrappers,
        fc.array(fc.nat(), { maxLength: 6 }),
        (format, name, value, wrappers, cuts) => {
          const input = plantedDocument(format, name, value, format === 'csv' ? [] : wrappers);

          const output = redactIn(format, new Redactor(ruleSet), input, cuts);

          expect(output).not.toContain(value);
          // The shape holds: the output parses and the field is still there, redacted.
          const redacted = plantedValue(
            format,
            parseOutput(format, output),
            name,
            format === 'csv' ? [] : wrappers,
          );
          expect(redacted).toMatch(/^\[[A-Z_]+\]$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never lets a password with escapes in it through, though decoding them would cut or shorten it', () => {
    // Seed 391896013 drew `%0aaaaaa`: its view, a line break and five letters, is no password.
    const escapeUnit = fc.constantFrom('%0a', '%0D', '%09', '%20', '%4a', '%2F', '&amp;', '&#64;', '&nbsp;');
    const plain = fc.string({ unit: fc.constantFrom(...'abcdkmnpqx0123456789!#$*'), maxLength: 6 });
    const escaped = fc
      .array(fc.oneof(escapeUnit, plain), { minLength: 2, maxLength: 8 })
      .map((parts) => parts.join(''))
      .filter((value) => value.length >= 6 && value.length <= 32 && validatorNamed('password')(value));
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        passName,
        escaped,
        fc.array(fc.nat(), { maxLength: 4 }),
        (format, name, value, cuts) => {
          const input = plantedDocument(format, name, value);
          const output = redactIn(format, new Redactor(ruleSet), input, cuts);
          expect(output).not.toContain(value);
          expect(plantedValue(format, parseOutput(format, output), name, [])).toBe('[PASSWORD]');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps booleans, numbers, short answers, masks and references under pass', () => {
    const kept = [
      'true',
      'false',
      'yes',
      'no',
      'N/A',
      '3',
      '12345678',
      '********',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable reference is the near miss
      '${DB_PASS}',
      'required',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        passName,
        fc.constantFrom(...kept),
        fc.array(fc.nat(), { maxLength: 4 }),
        (format, name, value, cuts) => {
          const input = plantedDocument(format, name, value);
          const output = redactIn(format, new Redactor(ruleSet), input, cuts);
          expect(parseOutput(format, output)).toEqual(parseOutput(format, input));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps JSON true, false and numbers under pass, and a password under a longer name holding pass', () => {
    const input = JSON.stringify({
      a: { pass: true },
      b: { Pass: false },
      c: { PASS: 3 },
      d: { pass: 12345678 },
      proxy_pass: 'backend01:8080',
      boarding_pass: 'BP-2024-XK8842',
      bypass: 'cache-k8s-2x',
      note: 'tests pass s3cr3t!x',
    });
    const stream = createJsonRedactor(new Redactor(ruleSet));
    expect(JSON.parse(stream.push(input) + stream.end())).toEqual(JSON.parse(input));
  });
});
