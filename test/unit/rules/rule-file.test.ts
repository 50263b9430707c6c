import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import { normalizeFieldName } from '../../../functions/core/redaction/field-matcher.ts';
import {
  parseRuleFile,
  parseRuleFiles,
  parseYamlFile,
  RULE_YAML_MAX_ALIAS_COUNT,
} from '../../../functions/core/redaction/rule-file.ts';
import { RULE_YAML_OPTIONS } from '../../../functions/core/redaction/rule-file-positions.ts';
import type { RulePath } from '../../../functions/core/redaction/rule-path.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { validatorNames } from '../../../functions/core/redaction/validators/validator-registry.ts';
import { conventions, fieldName } from '../../support/planted-fields.ts';

const file = 'redaction-rules/acme.yaml';

/** The error message of parsing `text`, one problem per line. */
function problems(text: string): string[] {
  try {
    parseRuleFile(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleValidationError);
    return (error as RuleValidationError).message.split('\n');
  }
  throw new Error('expected the rule file to be rejected');
}

describe('parseRuleFile', () => {
  it('returns the document as written, without defaults', () => {
    const parsed = parseRuleFile('name: acme\ndetectors:\n  - id: email\n', file);

    expect(parsed.file).toBe(file);
    expect(parsed.document).toEqual({ name: 'acme', detectors: [{ id: 'email' }] });
  });

  it('names the file, line and column of a path', () => {
    const parsed = parseRuleFile(
      'name: acme\ndetectors:\n  - id: email\n  - id: phone\n    label: TEL\n',
      file,
    );

    expect(parsed.positionOf(['detectors', 1, 'label'])).toBe(`${file}:5:12`);
    expect(parsed.positionOf(['detectors', 1, 'action'])).toBe(`${file}:4:5`);
  });

  it('rejects a YAML syntax error with its line and column', () => {
    const [problem, ...rest] = problems('name: acme\ndetectors: [ { id: email\n');

    expect(problem).toMatch(new RegExp(`^${file}:\\d+:\\d+: YAML syntax error: `));
    expect(rest.every((line) => line.startsWith(`${file}:`))).toBe(true);
  });

  it('rejects a duplicate key naming its path', () => {
    expect(problems('name: acme\ndetectors:\n  - id: email\n    id: phone\n')).toEqual([
      `${file}:4:5: detectors[0].id: duplicate key "id"; each key may appear once in a mapping`,
    ]);
  });

  it('rejects an unknown key listing the allowed keys', () => {
    const [problem] = problems('name: acme\ndetectors:\n  - id: email\n    lable: EMAIL\n');

    expect(problem).toBe(
      `${file}:4:5: detectors[0].lable: unknown key; allowed keys: id, enabled, pattern, flags, label, context, contextWindow, validator, action, examples`,
    );
  });

  it('rejects an unknown key in an action listing the keys of that action type', () => {
    const [problem] = problems(
      'name: acme\ndetectors:\n  - id: email\n    action: { type: mask, last: 4 }\n',
    );

    expect(problem).toBe(
      `${file}:4:27: detectors[0].action.last: unknown key; allowed keys: type, char, keepFirst, keepLast, keepSeparators`,
    );
  });

  it('rejects a value of the wrong type with the value given', () => {
    expect(problems('name: acme\npriority: high\n')).toEqual([
      `${file}:2:11: priority: got "high"; expected number, received string`,
    ]);
  });

  it('rejects a bad action type listing the allowed types', () => {
    const [problem] = problems(
      'name: acme\ndetectors:\n  - id: email\n  - id: phone\n  - id: iban\n    action:\n      type: erase\n',
    );

    expect(problem).toBe(
      `${file}:7:13: detectors[2].action.type: got "erase"; allowed: "redact", "mask", "hash", "tokenize", "drop", "keep"`,
    );
  });

  it('rejects a bad label saying what a label looks like', () => {
    expect(
      problems('name: acme\nfields:\n  - id: field-email\n    names: [email]\n    label: e-mail\n'),
    ).toEqual([
      `${file}:5:12: fields[0].label: got "e-mail"; expected an upper-case label such as "EMAIL" (A-Z, 0-9, _)`,
    ]);
  });

  it('rejects a bad id saying what an id looks like', () => {
    expect(problems('name: acme\ndetectors:\n  - id: Employee_ID\n    pattern: EMP-[0-9]{6}\n')).toEqual([
      `${file}:3:9: detectors[0].id: got "Employee_ID"; expected a kebab-case id such as "us-ssn" or "employee-id"`,
    ]);
  });

  it('rejects an enum value listing the allowed values', () => {
    expect(problems('name: acme\ndetectors:\n  - id: email\n    validator: crc\n')).toEqual([
      `${file}:4:16: detectors[0].validator: got "crc"; allowed: ${[...validatorNames, 'none'].map((name) => `"${name}"`).join(', ')}`,
    ]);
  });

  it('rejects a missing required key at its parent', () => {
    expect(problems('name: acme\ndetectors:\n  - label: EMAIL\n')).toEqual([
      `${file}:3:5: detectors[0].id: missing; required (string)`,
    ]);
  });

  it('truncates a long offending value', () => {
    const [problem] = problems(`name: acme\ndescription: [${'x'.repeat(200)}]\n`);

    const shown = /got (.*?); expected/.exec(problem ?? '')?.[1];
    expect(shown).toMatch(/^\["x+…$/);
    expect(shown).toHaveLength(60);
  });

  it('reports every problem of a file, one per line, in file order', () => {
    const lines = problems(
      'name: Acme\nfoo: 1\ndetectors:\n  - id: email\n    action: { type: erase }\npriority: x\n',
    );

    expect(lines.map((line) => line.split(': ')[0])).toEqual([
      `${file}:1:7`,
      `${file}:2:1`,
      `${file}:5:21`,
      `${file}:6:11`,
    ]);
  });

  it('rejects an empty file', () => {
    expect(problems('')).toEqual([`${file}:1:1: (document): got null; expected object, received null`]);
  });
});

/** What parsing a rule file gives: its document and positions, or its error message. */
function outcome(text: string, value: unknown, paths: readonly RulePath[]): unknown {
  try {
    const parsed = parseRuleFile(text, file, value);
    return { document: parsed.document, positions: paths.map((path) => parsed.positionOf(path)) };
  } catch (error) {
    expect(error).toBeInstanceOf(RuleValidationError);
    return { error: (error as Error).message };
  }
}

describe('parseRuleFile with the value a cache holds for its text', () => {
  const detector = fc.record(
    {
      id: fc.constantFrom('email', 'phone', 'Bad Id', 'employee-id', 42),
      label: fc.constantFrom('EMAIL', 'x', ''),
      pattern: fc.constantFrom('EMP-[0-9]{6}', ''),
      lable: fc.constant('typo'),
      action: fc.constantFrom({ type: 'redact' }, { type: 'mask', last: 4 }, { type: 'nope' }),
    },
    { requiredKeys: ['id'] },
  );
  const ruleFile = fc.record(
    {
      name: fc.constantFrom('acme', 'Not A Name', ''),
      description: fc.string({ maxLength: 20 }),
      detectors: fc.array(detector, { maxLength: 4 }),
      packs: fc.array(fc.constantFrom('secrets', 'financial', 7), { maxLength: 2 }),
    },
    { requiredKeys: ['name'] },
  );

  it('validates and reports exactly as parsing the text does, positions included (property)', () => {
    fc.assert(
      fc.property(ruleFile, fc.boolean(), (document, isFlow) => {
        const text = stringify(document, isFlow ? { collectionStyle: 'flow' } : {});
        const value = parseDocument(text, RULE_YAML_OPTIONS).toJS({
          maxAliasCount: RULE_YAML_MAX_ALIAS_COUNT,
        });
        const paths: RulePath[] = [
          ['name'],
          ['detectors', 0, 'id'],
          ['detectors', 1, 'action', 'type'],
          ['packs', 0],
        ];
        expect(outcome(text, value, paths)).toEqual(outcome(text, undefined, paths));
      }),
    );
  });

  it("takes the schema's output a cache holds with the value as it is, without validating again, positions still from the text", () => {
    const text = 'name: acme\ndetectors:\n  - id: email\n';
    const value = { name: 'acme', detectors: [{ id: 'email' }] };
    const output = parseYamlFile(text, file, ruleSetSchema, value).output;
    // The check is the cache's: what it holds is returned, even where validating would refuse it.
    const trusted = parseYamlFile(text, file, ruleSetSchema, { name: 'Not A Name' }, output);

    expect(trusted.output).toBe(output);
    expect(trusted.document).toEqual({ name: 'Not A Name' });
    expect(trusted.positionOf(['detectors', 0])).toBe(`${file}:3:5`);
    expect(() => parseYamlFile(text, file, ruleSetSchema, { name: 'Not A Name' })).toThrow(
      RuleValidationError,
    );
  });
});

describe('parseRuleFiles', () => {
  it('fails with the problems of every file together', () => {
    const parse = () =>
      parseRuleFiles([
        { file: 'a.yaml', text: 'name: a\nfoo: 1\n' },
        { file: 'b.yaml', text: 'name: b\n' },
        { file: 'c.yaml', text: 'name: C\n' },
      ]);

    expect(parse).toThrow(RuleValidationError);
    expect(parse).toThrow(/^a\.yaml:2:1: foo: unknown key.*\nc\.yaml:1:7: name: got "C"/s);
  });

  describe('csv', () => {
    it('accepts column names that differ, each with a letter or digit, in any script', () => {
      const words = fc.array(fc.constantFrom('first', 'last', 'name', 'email', 'phone', 'dob', 'id', '2'), {
        minLength: 1,
        maxLength: 3,
      });
      fc.assert(
        fc.property(
          fc.uniqueArray(fieldName(words), { minLength: 1, maxLength: 8, selector: normalizeFieldName }),
          fc.constantFrom('detect', 'absent', undefined),
          (columns, header) => {
            const text = stringify({ name: 'acme', csv: { columns: [...columns, '名前'], header } });
            expect(parseRuleFile(text, file).document.csv).toEqual({ columns: [...columns, '名前'], header });
          },
        ),
      );
    });

    it('rejects a column named like an earlier one, at the second, naming the first', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.constantFrom('first name', 'email', 'phone number', 'date of birth'), {
            minLength: 1,
          }),
          fc.nat(),
          fc.constantFrom(...Object.values(conventions)),
          (names, pick, convention) => {
            const first = pick % names.length;
            const columns = [...names, convention((names[first] as string).split(' '))];
            const text = `name: acme\ncsv:\n  columns:\n${columns.map((name) => `    - ${name}\n`).join('')}`;
            expect(problems(text)).toEqual([
              `${file}:${4 + names.length}:7: csv.columns[${names.length}]: got ${JSON.stringify(columns.at(-1))}; the same name as columns[${first}] (names compare ignoring case, spaces, _ and -); each column is named once`,
            ]);
          },
        ),
      );
    });

    it('rejects empty, letterless and non-string column names with their line and column', () => {
      expect(problems("name: acme\ncsv:\n  columns: [name, '', 3, '--', null]\n")).toEqual([
        `${file}:3:19: csv.columns[1]: got ""; expected a column name with a letter or digit, such as "email"`,
        `${file}:3:23: csv.columns[2]: got 3; expected string, received number`,
        `${file}:3:26: csv.columns[3]: got "--"; expected a column name with a letter or digit, such as "email"`,
        `${file}:3:32: csv.columns[4]: got null; expected string, received null`,
      ]);
    });

    it('rejects csv without columns unless the header is present, and columns with a present header', () => {
      expect(problems('name: acme\ncsv: { header: absent }\n')).toEqual([
        `${file}:2:6: csv.columns: missing; header absent needs columns: the names of the columns of the objects without a header row`,
      ]);
      expect(problems('name: acme\ncsv: {}\n')).toEqual([
        `${file}:2:6: csv.columns: missing; header detect needs columns: the names of the columns of the objects without a header row`,
      ]);
      expect(problems('name: acme\ncsv: { header: present, columns: [email] }\n')).toEqual([
        `${file}:2:34: csv.columns: got ["email"]; header present reads every object's own header: leave columns out, or say header detect or absent`,
      ]);
      expect(problems('name: acme\ncsv: { header: maybe, columns: [email] }\n')).toEqual([
        `${file}:2:16: csv.header: got "maybe"; allowed: "detect", "absent", "present"`,
      ]);
    });
  });
});
