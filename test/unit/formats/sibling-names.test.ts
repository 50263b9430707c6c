import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { HeldValues, type HoldingObject } from '../../../functions/core/redaction/formats/held-values.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { compiledRuleSetOf, nameFieldRule, sampleDetectors } from '../support/compiled-rule-set.ts';
import { splitAt } from '../support/split-at.ts';

const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);

function redact(format: 'json' | 'ndjson' | 'csv', chunks: readonly string[]): string {
  const redactor = createFormatRedactor(format, new Redactor(compiled));
  return chunks.map((chunk) => redactor.push(chunk)).join('') + redactor.end();
}

/** How settings name their value: Kubernetes/ECS env lists, CloudFormation parameters, exports. */
const shapes = fc.constantFrom(
  ['name', 'value'],
  ['Name', 'Value'],
  ['key', 'value'],
  ['ParameterKey', 'ParameterValue'],
  ['variable', 'value'],
);
const credentialNames = fc.constantFrom(
  'AWS_SECRET_ACCESS_KEY',
  'DB_PASSWORD',
  'api_token',
  'SecretAccessKey',
  'client_secret',
  'GITHUB_TOKEN',
);
/** Secret values no detector knows by shape: only the sibling's name tells what they are. */
const secretValues = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_./-]{11,39}$/);

const settings = fc.array(fc.tuple(shapes, credentialNames, secretValues), { minLength: 1, maxLength: 4 });

describe('JSON members named by a sibling member', () => {
  it('redacts a value whose sibling names a credential, before or after it, scalar or compound, in any layout, format and chunking (generated)', () => {
    // The secret as the value itself, or inside an object or array value (`data`, `instances`).
    const wraps = fc.constantFrom<((secret: string) => unknown)[]>(
      (secret) => secret,
      (secret) => ({ v: secret }),
      (secret) => [secret],
      (secret) => [{ attributes: { result: secret, length: 24 } }],
      (secret) => ({ a: [1, { b: secret, value: 'x', name: 'color' }], c: {} }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.array(wraps, { minLength: 4, maxLength: 4 }),
        settings,
        fc.constantFrom('json', 'ndjson'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (orders, wrapped, entries, format, isPretty, cuts) => {
          const objects = entries.map(([[naming, named], name, secret], i) => {
            const value = (wrapped[i] as (secret: string) => unknown)(secret);
            return orders[i]
              ? { [naming]: name, [named]: value }
              : // Key-sorted writers (`jq -S`, `sort_keys=True`) put `value` before `variable`.
                { [named]: value, note: 'between', [naming]: name };
          });
          const text =
            format === 'ndjson'
              ? objects.map((object) => `${JSON.stringify(object)}\n`).join('')
              : JSON.stringify({ env: objects }, null, isPretty ? 2 : undefined);
          const output = redact(format, splitAt(text, cuts));

          for (const [, , secret] of entries) expect(output).not.toContain(secret);
          if (format === 'json') expect(() => JSON.parse(output)).not.toThrow();
        },
      ),
      { numRuns: 600 },
    );
  });

  it('gives an object the same members and rule counts whichever order they come in, scalar or compound, in any format and chunking (generated)', () => {
    const ruleSet = ruleSetSchema.parse({
      name: 'test',
      detectors: [{ id: 'email' }, { id: 'us-ssn' }],
      fields: [
        { id: 'field-password', names: ['password'], action: { type: 'drop' } },
        { id: 'field-token', names: ['token'], action: { type: 'tokenize' } },
        { id: 'field-apikey', names: ['apikey'], action: { type: 'hash' } },
        { id: 'field-pin', names: ['pin'], action: { type: 'mask', keepLast: 2 } },
        { id: 'field-color', names: ['color'], action: { type: 'keep' } },
      ],
    });
    const rules = compileRuleSet(ruleSet, testTokenKeys('k1'));
    const run = (format: 'json' | 'ndjson', objects: readonly unknown[], cuts: readonly number[]) => {
      const redactor = new Redactor(rules);
      const text =
        format === 'json'
          ? JSON.stringify(objects)
          : objects.map((object) => `${JSON.stringify(object)}\n`).join('');
      const formatRedactor = createFormatRedactor(format, redactor);
      const output =
        splitAt(text, cuts)
          .map((chunk) => formatRedactor.push(chunk))
          .join('') + formatRedactor.end();
      const values =
        format === 'json'
          ? (JSON.parse(output) as unknown[])
          : output.split('\n').flatMap((line) => (line === '' ? [] : [JSON.parse(line) as unknown]));
      return { values, counts: Object.fromEntries(redactor.counts) };
    };
    const ruledNames = fc.constantFrom(
      'password',
      'token',
      'apikey',
      'pin',
      'color',
      'plain',
      'jane@example.com',
    );
    const scalar = fc.oneof(
      fc.constantFrom(
        'jane@example.com',
        'call 123-45-6789',
        'plain words',
        '{"password":"x","v":"a@b.io"}',
        '--password',
        'Authorization',
        'Basic dXNlcjpwYXNz',
      ),
      ruledNames,
      fc.integer(),
      fc.constantFrom(true, false, null),
    );
    // Values of named members: objects and arrays nesting named (`value`, `data`) and naming
    // (`name`, `type`) members of their own, keys with field rules and keys the detectors change,
    // JSON texts in strings, command-line flags and header names before the next element.
    const { value } = fc.letrec<{ value: unknown; object: object; array: unknown[] }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, scalar, tie('object'), tie('array')),
      object: fc.dictionary(
        fc.constantFrom(
          'value',
          'data',
          'name',
          'type',
          'password',
          'token',
          'apikey',
          'color',
          'x',
          'jane@example.com',
        ),
        tie('value'),
        { maxKeys: 4 },
      ),
      array: fc.array(tie('value'), { maxLength: 3 }),
    }));
    const member = fc.oneof(
      fc.tuple(fc.constantFrom('value', 'data', 'secret', 'ParameterValue', 'instances'), value),
      fc.tuple(fc.constantFrom('note', 'kind'), value),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('json', 'ndjson') as fc.Arbitrary<'json' | 'ndjson'>,
        fc.constantFrom('name', 'type'),
        ruledNames,
        fc.uniqueArray(member, { selector: ([key]) => key, maxLength: 5 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (format, namingKey, name, members, at, cuts) => {
          const naming: [string, unknown] = [namingKey, name];
          const first = Object.fromEntries([naming, ...members]);
          const position = at % (members.length + 1);
          const anywhere = Object.fromEntries([
            ...members.slice(0, position),
            naming,
            ...members.slice(position),
          ]);

          const expected = run(format, [first, first], []);
          const actual = run(format, [anywhere, anywhere], cuts);
          expect(actual).toEqual(expected);
          // Member by member, the same text: inner keys in the same order too.
          for (const [i, object] of actual.values.entries()) {
            for (const [key, got] of Object.entries(object as object)) {
              expect(JSON.stringify(got)).toBe(
                JSON.stringify((expected.values[i] as Record<string, unknown>)[key]),
              );
            }
          }
        },
      ),
      { numRuns: 800 },
    );
  });

  it('lets a held value go once its object has written more than a record of output after it', () => {
    const redactor = new Redactor(compiledRuleSetOf(sampleDetectors(), [], { maxRecordBytes: 1024 }));
    const json = createFormatRedactor('json', redactor);
    const items = JSON.stringify(Array.from({ length: 400 }, (_, i) => i));

    const first = json.push(`{"value":"kept","items":${items}`);

    expect(first).toContain('"value":"kept"');
    expect(first + json.push(',"name":"color"}') + json.end()).toBe(
      `{"value":"kept","items":${items},"name":"color"}`,
    );
  });

  it('lets a held object or array go once its object has written more than a record of output after it', () => {
    const redactor = new Redactor(compiledRuleSetOf(sampleDetectors(), [], { maxRecordBytes: 1024 }));
    const json = createFormatRedactor('json', redactor);
    const items = JSON.stringify(Array.from({ length: 400 }, (_, i) => i));

    const first = json.push(`{"data":{"v":"kept","items":${items}}`);

    expect(first).toContain('"data":{"v":"kept"');
    expect(first + json.push(',"name":"password"}') + json.end()).toBe(
      `{"data":{"v":"kept","items":${items}},"name":"password"}`,
    );
  });

  it('lets a held value go once its object has written more than a record of output after it, a table among it', () => {
    const redactor = new Redactor(compiledRuleSetOf(sampleDetectors(), [], { maxRecordBytes: 1024 }));
    const json = createFormatRedactor('json', redactor);
    const rows = JSON.stringify(Array.from({ length: 400 }, (_, i) => [`k${i}`, `v${i}`]));

    // Inside the table's window the held value waits; past the window, and a record, it goes.
    const inWindow = json.push(`{"value":"kept","rows":${rows.slice(0, 40)}`);
    const first = inWindow + json.push(rows.slice(40));

    expect(inWindow).toBe('{');
    expect(first).toContain('"value":"kept"');
    expect(first + json.push(',"name":"color"}') + json.end()).toBe(
      `{"value":"kept","rows":${rows},"name":"color"}`,
    );
  });

  it('lets a held object go, as its inner rules left it, once it has read more than a record that they dropped', () => {
    const fieldRules = [nameFieldRule('password', ['password'], () => undefined)];
    const redactor = new Redactor(compiledRuleSetOf(sampleDetectors(), fieldRules, { maxRecordBytes: 1024 }));
    const json = createFormatRedactor('json', redactor);
    const members = Array.from({ length: 100 }, (_, i) => `"password":"dropped-${i}"`).join(',');

    const first = json.push(`{"data":{"v":"kept",${members}}`);

    expect(first).toBe('{"data":{"v":"kept"}');
    expect(json.push(',"name":"password"}') + json.end()).toBe(',"name":"password"}');
  });

  it('redacts every attribute of a Terraform state resource whose type names a secret (generated)', () => {
    // Terraform writes `type` before `instances`; attribute names such as `result` or `length`
    // say nothing, the resource type says what the whole instance is.
    const secretTypes = fc.constantFrom(
      'random_password',
      'aws_iam_access_key',
      'tls_private_key',
      'azurerm_key_vault_secret',
    );
    fc.assert(
      fc.property(
        secretTypes,
        secretValues,
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (type, secret, isPretty, isSorted, cuts) => {
          const state = {
            version: 4,
            resources: [
              {
                mode: 'managed',
                type: 'aws_instance',
                name: 'web',
                instances: [{ attributes: { ami: 'ami-0abc1234' } }],
              },
              {
                mode: 'managed',
                type,
                name: 'x',
                instances: [{ schema_version: 3, attributes: { result: secret, length: 24 } }],
              },
            ],
          };
          // `jq -S` puts `instances` before `type`.
          const text = JSON.stringify(isSorted ? sortedKeys(state) : state, null, isPretty ? 2 : undefined);
          const output = redact('json', splitAt(text, cuts));
          expect(output).not.toContain(secret);
          expect(output).toContain('"ami":"ami-0abc1234"');
          expect(JSON.parse(output).resources[1].type).toBe(type);
        },
      ),
    );
  });

  it('leaves values whose sibling names a plain setting, whichever member comes first', () => {
    const output = redact('json', [
      '[{"name":"region","value":"eu-west-1"},{"value":"kept-before-name","name":"color"}]',
    ]);

    expect(output).toContain('"value":"eu-west-1"');
    expect(output).toContain('"value":"kept-before-name"');
  });

  // Found by the member-order property (seed 1641856898): while `value` waited for `name`, the
  // object's other members were read as no table, so `["password",0]` stayed raw in one order.
  const tablesBeside: readonly (readonly [string, string])[] = [
    ['[{"x":[["password",0]]}]', '[{"x":[["password","[SECRET]"]]}]'],
    ['[["password",0]]', '[["password","[SECRET]"]]'],
    ['[["name","ssn"],["Jane Doe","hello"]]', '[["name","ssn"],["[NAME]","[SSN]"]]'],
    [
      '{"columns":["ssn","who"],"rows":[["x1","Jane Doe"],["y2","John Roe"]]}',
      '{"columns":["ssn","who"],"rows":[["[SSN]","[NAME]"],["[SSN]","[NAME]"]]}',
    ],
  ];

  it('reads a pair list, a header-row table or a column list beside a value held for its name as when nothing is held, in every member order and chunking', () => {
    for (const [note, expected] of tablesBeside) {
      for (const name of ['password', 'color']) {
        const orders = [
          `{"value":{},"note":${note},"name":"${name}"}`,
          `{"value":"s3cr3t-value","note":${note},"name":"${name}"}`,
          `{"name":"${name}","value":{},"note":${note}}`,
          `{"value":{},"name":"${name}","note":${note}}`,
        ];
        for (const text of orders) {
          for (let cut = 0; cut <= text.length; cut++) {
            const output = JSON.parse(redact('json', splitAt(text, [cut, cut + 7])));

            expect(JSON.stringify(output.note)).toBe(expected);
          }
        }
        const heldFirst = JSON.parse(
          redact('json', [`{"value":"s3cr3t-value","note":${note},"name":"${name}"}`]),
        );
        expect(heldFirst.value).toBe(name === 'password' ? '[SECRET]' : 's3cr3t-value');
      }
    }
  });

  it('reads a pair list, a header-row table or a column list inside a value held for its name as it does once named, in every member order and chunking', () => {
    for (const [note, expected] of tablesBeside) {
      for (const name of ['password', 'color']) {
        const nameFirst = redact('json', [`{"name":"${name}","value":{"note":${note}}}`]);
        const text = `{"value":{"note":${note}},"name":"${name}"}`;
        for (let cut = 0; cut <= text.length; cut++) {
          const output = redact('json', splitAt(text, [cut, cut + 5]));

          expect(JSON.parse(output)).toEqual(JSON.parse(nameFirst));
          if (name === 'color') expect(JSON.stringify(JSON.parse(output).value.note)).toBe(expected);
          else expect(output).not.toMatch(/Jane|John|x1|y2/);
        }
      }
    }
  });
});

describe('JSON held values in a long push', () => {
  it('rewrites only the output of the held object, however much output came before it in the push', () => {
    const rewritten: number[] = [];
    const applyRule = HeldValues.prototype.applyRule;
    HeldValues.prototype.applyRule = function (this: HeldValues<HoldingObject>, out, object, rule) {
      rewritten.push(out.length);
      return applyRule.call(this, out, object, rule);
    };
    try {
      const member = '{"value":"hunter2hunter2","name":"DB_PASSWORD"}';
      const input = `[${Array.from({ length: 400 }, () => member).join(',')}]`;
      const output = JSON.parse(redact('json', [input])) as { value: string }[];
      expect(output.every(({ value }) => value !== 'hunter2hunter2')).toBe(true);
      expect(rewritten).toHaveLength(400);
      // One object's output and its comma, not the 400 objects' before it.
      expect(Math.max(...rewritten)).toBeLessThanOrEqual(member.length + 1);
    } finally {
      HeldValues.prototype.applyRule = applyRule;
    }
  });
});

/** `value` with the keys of every object sorted, as `jq -S` and `sort_keys=True` write it. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => [key, sortedKeys(inner)]),
  );
}

describe('CSV cells named by a cell of their record', () => {
  it('redacts a value cell whose name cell names a credential, whatever the delimiter, quoting or chunking (generated)', () => {
    fc.assert(
      fc.property(
        settings,
        fc.constantFrom(',', ';', '\t', '|'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (entries, delimiter, isQuoted, cuts) => {
          const [[naming, named]] = entries[0] as [[string, string], string, string];
          const cell = (value: string) => (isQuoted ? `"${value}"` : value);
          const rows = entries.map(([, name, secret]) => [cell(name), cell(secret), 'x'].join(delimiter));
          const text = `${[naming, named, 'note'].join(delimiter)}\n${rows.join('\n')}\nregion${delimiter}eu-west-1${delimiter}y\n`;
          const output = redact('csv', splitAt(text, cuts));

          for (const [, , secret] of entries) expect(output).not.toContain(secret);
          expect(output).toContain(`eu-west-1${delimiter}y`);
          expect(output.split('\n')).toHaveLength(text.split('\n').length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
