import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { splitAt } from '../support/split-at.ts';

const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);

function redact(chunks: readonly string[], format: 'json' | 'ndjson' = 'json', rules = compiled): string {
  const redactor = createFormatRedactor(format, new Redactor(rules as CompiledRuleSet));
  return chunks.map((chunk) => redactor.push(chunk)).join('') + redactor.end();
}

type Cell = string | number | boolean | null;

/** Column names the default rule set rules, in the spellings exporters write, and what their values become. */
const ruledColumns: readonly (readonly [string, string])[] = [
  ['first_name', '[NAME]'],
  ['firstName', '[NAME]'],
  ['Last Name', '[NAME]'],
  ['email', '[EMAIL]'],
  ['e_mail', '[EMAIL]'],
  ['password', '[SECRET]'],
  ['pwd', '[SECRET]'],
  ['ssn', '[SSN]'],
  ['SSN', '[SSN]'],
  ['dob', '[DATE_OF_BIRTH]'],
  ['phone', '[PHONE]'],
];
/** Column names of no rule (pandas' `Unnamed: 0` and `level_0` among them). */
const plainColumns = ['city', 'color', 'qty', 'status', 'sku', 'note', 'Unnamed: 0', 'level_0'];
/** Values of plain columns that no detector takes and no column shape names. */
const plainCell: fc.Arbitrary<Cell> = fc.oneof(
  fc.constantFrom('red', 'green', 'blue', 'paris', 'oslo', 'active', 'pending', ''),
  fc.integer({ min: 0, max: 999 }),
  fc.boolean(),
  fc.constant(null),
);
/** Values planted under ruled columns: nothing but their column says what they are. */
const planted = fc.stringMatching(/^Pv[a-z0-9]{6,12}$/);

const listKeys = [
  'columns',
  'fields',
  'header',
  'headers',
  'column_names',
  'columnNames',
  'colnames',
  'names',
  'keys',
];
const rowsKeys = ['data', 'rows', 'values', 'records'];

interface Generated {
  readonly document: Record<string, unknown>;
  readonly listKey: string;
  readonly rowsKey: string;
  /** Per column: the label a ruled column's values become, none for a plain column. */
  readonly labels: readonly (string | undefined)[];
  readonly rows: readonly (readonly Cell[])[];
  readonly planted: readonly string[];
}

/**
 * A table as a list of column names before its rows: ruled and plain columns in any order, the
 * names as strings or (under `columns`/`fields`) as column descriptions, 0 to 80 rows (past the
 * 64 a table window holds), and other members (pandas' `index`) before, between and after.
 */
const table: fc.Arbitrary<Generated> = fc
  .tuple(
    fc.shuffledSubarray([...ruledColumns], { minLength: 1, maxLength: 5 }),
    fc.shuffledSubarray(plainColumns, { maxLength: 4 }),
  )
  .chain(([ruled, plain]) => {
    const all = [
      ...ruled.map(([name, label]) => ({ name, label: label as string | undefined })),
      ...plain.map((name) => ({ name, label: undefined })),
    ];
    return fc.tuple(
      fc.shuffledSubarray(all, { minLength: all.length }),
      fc.constantFrom(...listKeys),
      fc.constantFrom(...rowsKeys),
      fc.integer({ min: 0, max: 80 }),
    );
  })
  .chain(([columns, listKey, rowsKey, rowCount]) => {
    const isSchema = listKey === 'columns' || listKey === 'fields';
    const row = fc.tuple(...columns.map(({ label }) => (label === undefined ? plainCell : planted)));
    return fc
      .tuple(
        fc.array(row, { minLength: rowCount, maxLength: rowCount }),
        fc.array(fc.boolean(), { minLength: columns.length, maxLength: columns.length }),
        fc.constantFrom('before', 'between', 'after', 'none'),
      )
      .map(([rows, described, indexAt]): Generated => {
        const list = columns.map(({ name }, i) =>
          isSchema && described[i] === true ? { name, type: 'string' } : name,
        );
        const index = rows.map((_, i) => i);
        const document: Record<string, unknown> = {};
        if (indexAt === 'before') document.index = index;
        document[listKey] = list;
        if (indexAt === 'between') document.index = index;
        document[rowsKey] = rows;
        if (indexAt === 'after') document.index = index;
        return {
          document,
          listKey,
          rowsKey,
          labels: columns.map(({ label }) => label),
          rows,
          planted: rows.flatMap((cells) =>
            cells.filter((_, i) => columns[i]?.label !== undefined).map((cell) => cell as string),
          ),
        };
      });
  });

/** Where the table sits in a JSON document. */
const placements: readonly ((table: unknown) => unknown)[] = [
  (table) => table,
  (table) => ({ result: { table } }),
  (table) => [{ id: 1, payload: table }, 'after'],
];
const tableAt = (placement: number, document: unknown): Record<string, unknown> => {
  if (placement === 0) return document as Record<string, unknown>;
  if (placement === 1) return (document as { result: { table: Record<string, unknown> } }).result.table;
  return (document as [{ payload: Record<string, unknown> }])[0].payload;
};

/** Checks the table read back from the output against the one generated. */
function expectRedacted(output: Record<string, unknown>, generated: Generated): void {
  const { document, listKey, rowsKey, labels, rows } = generated;
  expect(Object.keys(output)).toEqual(Object.keys(document));
  expect(output[listKey]).toEqual(document[listKey]);
  expect(output.index).toEqual(document.index);
  const redacted = output[rowsKey] as Cell[][];
  expect(redacted).toHaveLength(rows.length);
  rows.forEach((row, r) => {
    expect(redacted[r]).toEqual(row.map((cell, c) => labels[c] ?? cell));
  });
}

describe('JSON tables whose column names are a sibling list', () => {
  it('gives each cell the rule its column name names, whatever the aliases, members, placement, layout and chunking (generated)', () => {
    fc.assert(
      fc.property(
        table,
        fc.nat(placements.length - 1),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (generated, placement, isPretty, cuts) => {
          const document = (placements[placement] as (table: unknown) => unknown)(generated.document);
          const input = JSON.stringify(document, null, isPretty ? 2 : undefined);

          const output = redact(splitAt(input, cuts));

          expect(output).toBe(redact([input]));
          expectRedacted(tableAt(placement, JSON.parse(output)), generated);
          for (const value of generated.planted) expect(output).not.toContain(value);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('binds the names inside each NDJSON line, whatever the line endings and chunking (generated)', () => {
    fc.assert(
      fc.property(
        fc.array(table, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 8 }),
        (tables, eol, cuts) => {
          const input = tables.map(({ document }) => JSON.stringify(document)).join(eol) + eol;

          const output = redact(splitAt(input, cuts), 'ndjson');

          expect(output).toBe(redact([input], 'ndjson'));
          const lines = output.split(eol);
          expect(lines).toHaveLength(tables.length + 1);
          tables.forEach((generated, i) => {
            expectRedacted(JSON.parse(lines[i] as string) as Record<string, unknown>, generated);
          });
          for (const { planted } of tables) for (const value of planted) expect(output).not.toContain(value);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('redacts the reported pandas orient="split" export', () => {
    const input =
      '{"columns":["first_name","last_name","ssn","password"],"index":[0,1],' +
      '"data":[["Jane","Doe","123456789","hunter2"],["John","Roe","987654320","s3cret!"]]}';
    expect(redact([input])).toBe(
      '{"columns":["first_name","last_name","ssn","password"],"index":[0,1],' +
        '"data":[["[NAME]","[NAME]","[SSN]","[SECRET]"],["[NAME]","[NAME]","[SSN]","[SECRET]"]]}',
    );
  });

  it('keeps column descriptions as written and redacts orient="table" records by their keys', () => {
    const input = JSON.stringify({
      schema: {
        fields: [
          { name: 'index', type: 'integer' },
          { name: 'first_name', type: 'string' },
          { name: 'ssn', type: 'string' },
        ],
        primaryKey: ['index'],
        pandas_version: '1.4.0',
      },
      data: [{ index: 0, first_name: 'Jane', ssn: '123456789' }],
    });
    expect(JSON.parse(redact([input]))).toEqual({
      schema: JSON.parse(input).schema,
      data: [{ index: 0, first_name: '[NAME]', ssn: '[SSN]' }],
    });
  });

  it('still names the other columns of rows outside held values by the shapes of their values', () => {
    const rows = [
      ['Jane Doe', 'Pvq81kd0z', 'oslo'],
      ['John Roe', 'Pvm20xa7t', 'paris'],
      ['Mary Major', 'Pvb55ce3w', 'rome'],
    ];
    const output = JSON.parse(redact([JSON.stringify({ fields: ['a', 'password', 'b'], rows })]));
    expect(output.rows).toEqual(rows.map(([, , city]) => ['[NAME]', '[SECRET]', city]));
  });

  it('leaves rows read before their column names as the detectors leave them: they are not held for names that may come gigabytes later', () => {
    const input = '{"data":[["Jane","Pvx7k2mq9"]],"columns":["first_name","password"]}';
    expect(redact([input])).toBe(input);
  });

  it('binds no keep rule: its column goes to the detectors', () => {
    const rules = compileRuleSet(
      ruleSetSchema.parse({
        name: 'test',
        detectors: [{ id: 'email' }],
        fields: [
          { id: 'field-password', names: ['password'], action: { type: 'redact' } },
          { id: 'field-color', names: ['color'], action: { type: 'keep' } },
        ],
      }),
      testTokenKeys('k1'),
    );
    const input = '{"columns":["color","password"],"rows":[["jane@example.com","x"],["red","y"]]}';
    expect(redact([input], 'json', rules)).toBe(
      '{"columns":["color","password"],"rows":[["[EMAIL]","[FIELD_PASSWORD]"],["red","[FIELD_PASSWORD]"]]}',
    );
  });

  it('gives a whole table the rule a naming member gives its member, before or after it', () => {
    for (const input of [
      '{"name":"password","columns":["first_name","city"],"data":[["Jane","oslo"]]}',
      '{"columns":["first_name","city"],"data":[["Jane","oslo"]],"name":"password"}',
    ]) {
      expect(JSON.parse(redact([input])).data).toEqual([['[SECRET]', '[SECRET]']]);
    }
  });
});
