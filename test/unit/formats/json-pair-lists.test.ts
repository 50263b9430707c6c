import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import { splitAt } from '../support/split-at.ts';

let ruleSet: CompiledRuleSet;
beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
});

function redact(chunks: readonly string[], format: 'json' | 'ndjson' = 'json'): string {
  const redactor = createFormatRedactor(format, new Redactor(ruleSet));
  return chunks.map((chunk) => redactor.push(chunk)).join('') + redactor.end();
}

type Pair = [string, string];

/** Names the default rule set redacts the values of (field-secrets), as env lists and exports spell them. */
const secretNames = [
  'password',
  'DB_PASSWORD',
  'passwd',
  'api_token',
  'client_secret',
  'AWS_SECRET_ACCESS_KEY',
  'smtpPassword',
  'SessionToken',
];
/** Names of no rule, with values no detector takes. */
const plainPairs: readonly Pair[] = [
  ['HOME', '/root'],
  ['PATH', '/usr/local/bin:/usr/bin'],
  ['LANG', 'en_US.UTF-8'],
  ['SHELL', '/bin/bash'],
  ['TERM', 'xterm-256color'],
  ['mode', 'blue-green'],
  ['replicas', '3'],
  ['NODE_ENV', 'production'],
];

/** Secrets as people and generators write them: quotes, backslashes, spaces and symbols among them. */
const secret = fc.string({
  unit: fc.constantFrom(...'abcdefghkmnpqrstuvwxyz0123456789!"#$%&\'()*,-./:;<=>?@\\^_`{|}~ é'),
  minLength: 8,
  maxLength: 40,
});

/**
 * A pair list: distinct names, some of secrets holding planted values, the others plain, in any
 * order; `filler` pairs (`VAR_n`, long values) make it run past the window a table is decided in.
 */
const pairList = fc
  .tuple(
    fc.shuffledSubarray(secretNames, { minLength: 1, maxLength: 4 }),
    fc.shuffledSubarray([...plainPairs], { minLength: 0 }),
    fc.integer({ min: 0, max: 90 }),
    fc.integer({ min: 1, max: 400 }),
  )
  .chain(([names, plain, fillers, fillerLength]) =>
    fc
      .tuple(
        fc.array(secret, { minLength: names.length, maxLength: names.length }),
        fc.shuffledSubarray(
          [
            ...plain,
            ...Array.from({ length: fillers }, (_, i): Pair => [`VAR_${i}`, 'v'.repeat(fillerLength)]),
            ...names.map((_, i): Pair => [`#${i}`, '']),
          ],
          { minLength: plain.length + fillers + names.length },
        ),
      )
      .map(([values, order]) =>
        order.map((pair): { pair: Pair; planted?: string } => {
          if (!pair[0].startsWith('#')) return { pair };
          const i = Number(pair[0].slice(1));
          return { pair: [names[i] as string, values[i] as string], planted: values[i] as string };
        }),
      ),
  );

/** Where a pair list sits: the whole document, an `env` member, deeper, or an element of an array. */
const placements: readonly ((pairs: Pair[]) => unknown)[] = [
  (pairs) => pairs,
  (pairs) => ({ env: pairs }),
  (pairs) => ({ spec: { containers: [{ name: 'app', env: pairs }] } }),
  (pairs) => [{ id: 1, vars: pairs }, 'after'],
];
const pairsAt = (placement: number, document: unknown): Pair[] => {
  if (placement === 0) return document as Pair[];
  if (placement === 1) return (document as { env: Pair[] }).env;
  if (placement === 2)
    return (document as { spec: { containers: [{ env: Pair[] }] } }).spec.containers[0].env;
  return (document as [{ vars: Pair[] }])[0].vars;
};

describe('lists of [name, value] pairs in JSON', () => {
  it('gives each value the rule its name names, past the window, at any depth, layout and chunking (generated)', () => {
    fc.assert(
      fc.property(
        pairList,
        fc.nat(placements.length - 1),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (list, placement, isPretty, cuts) => {
          const pairs = list.map(({ pair }) => pair);
          const document = (placements[placement] as (pairs: Pair[]) => unknown)(pairs);
          const input = JSON.stringify(document, null, isPretty ? 2 : undefined);

          const output = redact(splitAt(input, cuts));

          expect(output).toBe(redact([input]));
          const redacted = pairsAt(placement, JSON.parse(output));
          expect(redacted).toHaveLength(pairs.length);
          list.forEach(({ pair, planted }, i) => {
            if (planted === undefined) expect(redacted[i]).toEqual(pair);
            else expect(redacted[i]).toEqual([pair[0], '[SECRET]']);
          });
          for (const { planted } of list) if (planted !== undefined) expect(output).not.toContain(planted);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a first pair whose value has words a rule names as a pair, not a header (a planted secret CI drew)', () => {
    // `p!wd:aaaa` names the secrets rule by its words, but no column is named so: were the first
    // line a header, its value would stay as written.
    const pairs: Pair[] = [
      ['DB_PASSWORD', 'p!wd:aaaa'],
      ['HOME', '/root'],
      ['SessionToken', 'aaaaaaaa'],
    ];
    const expected = [
      ['DB_PASSWORD', '[SECRET]'],
      ['HOME', '/root'],
      ['SessionToken', '[SECRET]'],
    ];
    const ndjson = redact([pairs.map((pair) => JSON.stringify(pair)).join('\n')], 'ndjson');
    expect(ndjson.split('\n').map((line) => JSON.parse(line))).toEqual(expected);
    expect(JSON.parse(redact([JSON.stringify(pairs)]))).toEqual(expected);
  });

  it('gives each NDJSON line of a pair the rule its name names, whatever the line endings and chunking (generated)', () => {
    fc.assert(
      fc.property(
        pairList,
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 8 }),
        (list, eol, cuts) => {
          const input = list.map(({ pair }) => JSON.stringify(pair)).join(eol) + eol;

          const output = redact(splitAt(input, cuts), 'ndjson');

          expect(output).toBe(redact([input], 'ndjson'));
          const lines = output
            .split(/\r?\n/)
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as Pair);
          list.forEach(({ pair, planted }, i) => {
            expect(lines[i]).toEqual(planted === undefined ? pair : [pair[0], '[SECRET]']);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('redacts the pairs of the reported leaks', () => {
    expect(
      redact([
        JSON.stringify([
          ['password', 'hunter2'],
          ['user', 'jane'],
        ]),
      ]),
    ).toBe('[["password","[SECRET]"],["user","jane"]]');
    expect(
      redact([
        JSON.stringify({
          env: [
            ['DB_PASSWORD', 'x9!kq'],
            ['HOME', '/root'],
          ],
        }),
      ]),
    ).toBe('{"env":[["DB_PASSWORD","[SECRET]"],["HOME","/root"]]}');
    // A lone pair: were it a header row, it would head no values.
    expect(redact([JSON.stringify({ env: [['DB_PASSWORD', 'x9!kq']] })])).toBe(
      '{"env":[["DB_PASSWORD","[SECRET]"]]}',
    );
  });

  it('keeps tables with a header row, rows of other widths, lists of field names and header lists as before', () => {
    const stays = (document: unknown) => {
      const input = JSON.stringify(document);
      expect(redact([input])).toBe(input);
    };
    // A header whose cells both name rules heads a table: its later rows are values.
    expect(
      JSON.parse(
        redact([
          JSON.stringify([
            ['email', 'password'],
            ['ana', 'hunter2'],
            ['bob', 'letmein1'],
          ]),
        ]),
      ),
    ).toEqual([
      ['email', 'password'],
      ['[EMAIL]', '[SECRET]'],
      ['[EMAIL]', '[SECRET]'],
    ]);
    stays({ fields: [['password', 'email']] });
    stays({ rows: [['password', 'hunter2', 'x']] });
    // A credentials header's value is ruled by its shape (header-tuples.test.ts), not by its name.
    stays({
      headers: [
        ['Authorization', 'required'],
        ['Accept', '*/*'],
      ],
    });
  });
});
