import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { compiledRuleSetOf, nameFieldRule } from '../support/compiled-rule-set.ts';
import { splitAt } from '../support/split-at.ts';

const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);

function redact(chunks: readonly string[], format: 'json' | 'ndjson' = 'json'): string {
  const redactor = createFormatRedactor(format, new Redactor(compiled));
  return chunks.map((chunk) => redactor.push(chunk)).join('') + redactor.end();
}

type Table = readonly (readonly (string | number | boolean | null)[])[];

/** Where a table sits: the whole document, a member of nested objects, an element of an array. */
const placements: readonly ((table: Table) => unknown)[] = [
  (table) => table,
  (table) => ({ values: table }),
  (table) => ({ report: { range: 'Sheet1!A1:F9', sheet: { rows: table } } }),
  (table) => [{ id: 1, rows: table }, 'after'],
];
const tableAt = (placement: number, document: unknown): Table => {
  if (placement === 0) return document as Table;
  if (placement === 1) return (document as { values: Table }).values;
  if (placement === 2) return (document as { report: { sheet: { rows: Table } } }).report.sheet.rows;
  return (document as [{ rows: Table }])[0].rows;
};

/** Passwords a table's column holds: distinct, so no row repeats another's. */
const PASSWORDS = [
  'hunter2',
  'letmein1',
  'Tr0ub4dor&3',
  'p4ssw0rd!',
  's3cr3tpass',
  'qwerty123',
  'dragon99x',
  'monkey!7',
];

const pad = (value: number, width: number) => String(value).padStart(width, '0');
/** Values no detector takes alone: only the column they stand in says what they are. */
const kinds = {
  name: fc.constantFrom('Jane Doe', 'John Roe', 'Mary Major', 'Richard Miles', 'Ana Lima', 'Zoe Van Dyke'),
  ssn: fc
    .tuple(
      fc.integer({ min: 1, max: 665 }),
      fc.integer({ min: 1, max: 99 }),
      fc.integer({ min: 1, max: 9999 }),
    )
    .map(([area, group, serial]) => `${pad(area, 3)}${pad(group, 2)}${pad(serial, 4)}`),
  password: fc.constantFrom(...PASSWORDS),
  dob: fc
    .tuple(
      fc.integer({ min: 1940, max: 2010 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
    )
    .chain(([year, month, day]) =>
      fc.constantFrom(`${year}-${pad(month, 2)}-${pad(day, 2)}`, `${pad(month, 2)}/${pad(day, 2)}/${year}`),
    ),
  phone: fc.integer({ min: 100, max: 199 }).map((line) => `555-0${line}`),
};
type Kind = keyof typeof kinds;
const kindNames = Object.keys(kinds) as Kind[];

/**
 * Rows of people, one column per kind, `rows` rows whose passwords differ. Not names alone: a
 * first row of names over a column of names is taken for a header, as in CSV.
 */
function people(minRows: number, maxRows: number): fc.Arbitrary<{ columns: Kind[]; table: string[][] }> {
  const someColumns = fc
    .shuffledSubarray(kindNames, { minLength: 1 })
    .filter((columns) => columns.some((kind) => kind !== 'name'));
  return someColumns.chain((columns) =>
    fc.integer({ min: minRows, max: maxRows }).chain((rows) =>
      fc
        .tuple(
          ...columns.map((kind) =>
            kind === 'password'
              ? fc.shuffledSubarray(PASSWORDS, {
                  minLength: Math.min(rows, PASSWORDS.length),
                  maxLength: Math.min(rows, PASSWORDS.length),
                })
              : fc.array(kinds[kind], { minLength: rows, maxLength: rows }),
          ),
        )
        .map((values) => ({
          columns,
          table: Array.from({ length: Math.min(rows, columns.includes('password') ? 8 : rows) }, (_, row) =>
            values.map((column) => column[row] as string),
          ),
        })),
    ),
  );
}

function serialize(document: unknown, isPretty: boolean): string {
  return JSON.stringify(document, null, isPretty ? 2 : undefined);
}

describe('tables in JSON (arrays of arrays of scalars)', () => {
  it('redacts every value of a column its values name (names, SSNs, passwords, dates, local phones) at any depth, layout and chunking (generated)', () => {
    fc.assert(
      fc.property(
        people(2, 8),
        fc.nat(placements.length - 1),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        ({ table }, placement, isPretty, cuts) => {
          const input = serialize((placements[placement] as (t: Table) => unknown)(table), isPretty);
          const output = redact(splitAt(input, cuts));
          expect(output).toBe(redact([input]));
          const rows = tableAt(placement, JSON.parse(output));
          expect(rows.map((row) => row.length)).toEqual(table.map((row) => row.length));
          table.forEach((row, r) => {
            row.forEach((value, c) => {
              const redacted = rows[r]?.[c];
              expect(typeof redacted).toBe('string');
              expect(redacted).not.toBe(value);
              expect(output).not.toContain(JSON.stringify(value));
            });
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('binds the field rules a first row of names names to the columns of the later rows, keeping that row as written (generated)', () => {
    // Not single words: two columns whose first holds distinct words are `[name, value]` pairs.
    const words = fc.constantFrom(
      'alpha one',
      'bravo two',
      'charlie three',
      'delta four',
      'echo five',
      'fox trot',
    );
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['name', 'ssn', 'password', 'email', 'phone', 'dob'], { minLength: 1 }),
        fc.integer({ min: 1, max: 80 }),
        fc.nat(placements.length - 1),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 0, max: 1 << 30 }),
        (named, rowCount, placement, cuts, seed) => {
          const header = [...named, 'status'];
          const body = Array.from({ length: rowCount }, (_, r) =>
            header.map(
              (_column, c) => fc.sample(words, { seed: seed + r * 31 + c, numRuns: 1 })[0] as string,
            ),
          );
          const input = serialize((placements[placement] as (t: Table) => unknown)([header, ...body]), false);
          const output = redact(splitAt(input, cuts));
          expect(output).toBe(redact([input]));
          const [first, ...rows] = tableAt(placement, JSON.parse(output));
          expect(first).toEqual(header);
          rows.forEach((row, r) => {
            expect(row).toHaveLength(header.length);
            row.forEach((value, c) => {
              const original = body[r]?.[c];
              if (c === header.length - 1) expect(value).toBe(original);
              else expect(value).not.toBe(original);
            });
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps a first row of plain words that name no rule as a header, naming its columns from the rows below (generated)', () => {
    fc.assert(
      fc.property(people(2, 8), fc.array(fc.nat(), { maxLength: 6 }), ({ columns, table }, cuts) => {
        const header = columns.map((kind) => `col ${kind}`);
        const input = JSON.stringify({ values: [header, ...table] });
        const output = redact(splitAt(input, cuts));
        const [first, ...rows] = (JSON.parse(output) as { values: string[][] }).values;
        expect(first).toEqual(header);
        rows.forEach((row, r) => {
          for (const [c, value] of row.entries()) expect(value).not.toBe(table[r]?.[c]);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('names the columns of a long table from its first 64 rows and redacts every later row too', () => {
    const rows = Array.from({ length: 300 }, (_, r) => [
      `Person ${String.fromCharCode(65 + (r % 26))}oe`,
      `555-0${100 + (r % 100)}`,
    ]);
    const input = JSON.stringify({ rows });
    const output = JSON.parse(redact(splitAt(input, [17, 4000, 9000]))) as { rows: string[][] };
    expect(output.rows).toHaveLength(300);
    for (const row of output.rows) expect(row).toEqual(['[NAME]', '[PHONE]']);
  });

  it('holds no more than the window of a table: the output of a long table streams', () => {
    const row = JSON.stringify(['Jane Doe', '555-0199', 'ok']);
    const redactor = createFormatRedactor('json', new Redactor(compiled));
    let out = redactor.push('{"rows":[');
    for (let i = 0; i < 2000; i++) out += redactor.push(`${i === 0 ? '' : ','}${row}`);
    // Everything but the row that may still be read on is out before the end.
    expect(out.length).toBeGreaterThan(1999 * '["[NAME]","[PHONE]","ok"]'.length);
    out += redactor.push(']}') + redactor.end();
    expect(out).toBe(`{"rows":[${Array(2000).fill('["[NAME]","[PHONE]","ok"]').join(',')}]}`);
  });

  it('removes the cells of a column whose rule drops them, in the held rows and later ones, first column or not', () => {
    const rules = [nameFieldRule('secret', ['secret'], () => undefined), nameFieldRule('name', ['name'])];
    const run = (input: string) => {
      const json = createFormatRedactor('json', new Redactor(compiledRuleSetOf([], rules)));
      return json.push(input) + json.end();
    };
    const rows = Array.from({ length: 70 }, (_, r) => `["s${r}","n${r}"]`).join(',');
    expect(run(`[["secret","name"],${rows}]`)).toBe(
      `[["secret","name"],${Array(70).fill('["[NAME]"]').join(',')}]`,
    );
    expect(run('[["name","secret"],["a","b"],["c","d"]]')).toBe('[["name","secret"],["[NAME]"],["[NAME]"]]');
    expect(run('{"t":[["secret"],["a"],["b"]]}')).toBe('{"t":[["secret"],[],[]]}');
  });

  describe('in NDJSON, lines of arrays as rows', () => {
    it('redacts every value of a column its values name, whatever the line endings and chunking (generated)', () => {
      fc.assert(
        fc.property(
          people(2, 8),
          fc.constantFrom('\n', '\r\n'),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 8 }),
          ({ table }, newline, hasFinalNewline, cuts) => {
            const input =
              table.map((row) => JSON.stringify(row)).join(newline) + (hasFinalNewline ? newline : '');
            const output = redact(splitAt(input, cuts), 'ndjson');
            expect(output).toBe(redact([input], 'ndjson'));
            const lines = output.split(newline);
            expect(lines).toHaveLength(input.split(newline).length);
            table.forEach((row, r) => {
              const redacted = JSON.parse(lines[r] as string) as string[];
              expect(redacted).toHaveLength(row.length);
              for (const [c, value] of row.entries()) expect(redacted[c]).not.toBe(value);
            });
          },
        ),
        { numRuns: 200 },
      );
    });

    it('binds a first line of names to the columns of the later lines, past the window', () => {
      const rows = Array.from({ length: 100 }, (_, r) => JSON.stringify([`user${r}`, 'alpha', r]));
      const input = `${JSON.stringify(['password', 'status', 'n'])}\n${rows.join('\n')}\n`;
      const lines = redact(splitAt(input, [5, 700, 1400]), 'ndjson').split('\n');
      expect(lines[0]).toBe('["password","status","n"]');
      for (const [r, line] of lines.slice(1, -1).entries()) expect(line).toBe(`["[SECRET]","alpha",${r}]`);
    });

    it('keeps lines of numbers and of enums, and lines of arrays among lines of objects', () => {
      const input = '[1,2,3]\n[4,5,6]\n["active","EUR"]\n{"a":1}\n["Jane Doe","123456789"]\n';
      expect(redact([input], 'ndjson')).toBe(input);
    });

    it('starts a table at the first line only: lines of arrays after an object line stay with the detectors', () => {
      const input = '{"a":1}\n["Jane Doe","123456789"]\n["John Roe","987654320"]\n';
      expect(redact([input], 'ndjson')).toBe(input);
    });
  });

  describe('near misses that stay as written', () => {
    const stays = (document: unknown) => {
      const input = JSON.stringify(document);
      expect(redact([input])).toBe(input);
    };

    it('reads no table under a member a sibling may name (value beside type or name), whichever member comes first', () => {
      // The rule of `value` may come from a `name` read after it: a table there would redact the
      // object one way in one member order and another way in the other.
      stays([{ type: 'plain', value: [['password'], ['Jane Doe']] }]);
      stays([{ value: [['password'], ['Jane Doe']], type: 'plain' }]);
    });

    it('keeps matrices of numbers, coordinates and arrays of numeric ids (generated)', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.array(fc.array(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 6 }), {
              minLength: 2,
              maxLength: 10,
            }),
            fc.array(
              // Degrees to six places, as GeoJSON writes them (an exponent's digits are another matter).
              fc.tuple(
                fc.integer({ min: -90e6, max: 90e6 }).map((n) => n / 1e6),
                fc.integer({ min: -180e6, max: 180e6 }).map((n) => n / 1e6),
              ),
              { minLength: 2, maxLength: 10 },
            ),
          ),
          (table) => stays({ type: 'Polygon', coordinates: table }),
        ),
        { numRuns: 200 },
      );
    });

    it('keeps arrays of arrays of enums and of ids that share one outline (generated)', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              fc.constantFrom('active', 'pending', 'closed', 'on hold'),
              fc.integer({ min: 1, max: 9999 }).map((n) => `ORD-${String(n).padStart(4, '0')}`),
              fc.constantFrom('EUR', 'USD', 'GBP'),
              fc.boolean(),
              fc.constant(null),
            ),
            { minLength: 3, maxLength: 20 },
          ),
          (table) => stays({ orders: table }),
        ),
        { numRuns: 200 },
      );
    });

    it('keeps the names of [name, value] pairs, and the values of names without a rule', () => {
      // `name` names the person-name rule, as a member `"name": "Widget"` would: only its value goes.
      expect(
        JSON.parse(
          redact([
            JSON.stringify({
              attrs: [
                ['name', 'Widget'],
                ['version', '1.2.3'],
                ['sku', 'SKU-123'],
              ],
            }),
          ]),
        ),
      ).toEqual({
        attrs: [
          ['name', '[NAME]'],
          ['version', '1.2.3'],
          ['sku', 'SKU-123'],
        ],
      });
      stays([
        ['User-Agent', 'curl/8.4.0'],
        ['Accept', '*/*'],
        ['X-Request-Id', 'a1b2c3d4e5'],
      ]);
    });

    it('keeps a single row and a list of field names, which are no table', () => {
      stays([['Jane Doe', '123456789', 'hunter2']]);
      stays({ columns: [['name', 'ssn', 'password']] });
      stays([['name', 'ssn'], 'name', 'ssn']);
      // A first row without a string heads a matrix, whatever follows it.
      stays([
        [1, 2],
        ['Jane Doe', '123456789'],
        ['John Roe', '987654320'],
      ]);
    });

    it('leaves a table whose rows hold objects or arrays to the detectors and field rules as before', () => {
      const input = JSON.stringify([
        ['Jane Doe', { ssn: '123456789' }],
        ['John Roe', { ssn: '987654320' }],
      ]);
      expect(redact([input])).toBe('[["Jane Doe",{"ssn":"[SSN]"}],["John Roe",{"ssn":"[SSN]"}]]');
    });
  });
});
