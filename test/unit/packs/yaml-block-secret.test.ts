import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { compilePackFile } from '../../../functions/core/redaction/detector-pack.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { TextFormat } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { resolveRuleSets } from '../../../functions/core/redaction/rule-catalog.ts';
import { parseRuleFile } from '../../../functions/core/redaction/rule-file.ts';
import { shippedRuleSet, withoutTextFields } from '../../support/shipped-rules.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { alphanumerics, randomOver } from './shipped-text-redaction.ts';

// The pack alone decides in text: field-person-name would take `name: x` (text-fields.test.ts).
const compiled = withoutTextFields(await shippedRuleSet('default'));

function redact(text: string, format: TextFormat = 'text', chunk = text.length): string {
  const formatRedactor = createFormatRedactor(format, new Redactor(compiled));
  let out = '';
  for (let i = 0; i < text.length; i += Math.max(1, chunk))
    out += formatRedactor.push(text.slice(i, i + chunk));
  return out + formatRedactor.end();
}

/** Keys naming a secret, in the spellings YAML files use (plain and quoted). */
const key = fc.constantFrom(
  'password',
  'DB_PASSWORD',
  'adminPassword',
  '"smtp_passwd"',
  "'passphrase'",
  'client_secret',
  'auth-token',
  'ssh_private_key',
  'privateKey',
  'api_key',
  'credentials',
);

/**
 * Block scalar headers: node properties, style, indentation indicator (as a number of spaces or
 * none), chomping, a comment. No tag of 8 characters or more: secret-assignment takes one for
 * the value (`password: !!binary |` gives `password: [SECRET] |`, as before this member).
 */
const header = fc.record({
  properties: fc.constantFrom('', '!vault ', '!!str ', '&pw ', '!!str &pw '),
  style: fc.constantFrom('|', '>'),
  indicator: fc.constantFrom(0, 1, 2, 4),
  chomping: fc.constantFrom('', '-', '+'),
  isIndicatorFirst: fc.boolean(),
  comment: fc.constantFrom('', ' # set by ops', '   #note'),
});

/** Where the key sits: its indentation and whether it opens an entry of a list. */
const place = fc.record({ indent: fc.constantFrom(0, 2, 4, 6), isListEntry: fc.boolean() });

/**
 * Lines of a secret: random passwords, passphrases of words, base64 key lines. No % or &: the
 * detectors read escapes decoded (`%0A`, `&#10;`), and a line break decoded there is one to them.
 */
const secretLine = fc.oneof(
  randomOver(`${alphanumerics}!@#^*+=?`, 6, 40),
  fc
    .array(fc.constantFrom('correct', 'horse', 'battery', 'staple', 'purple', 'monkey', 'dishwasher'), {
      minLength: 2,
      maxLength: 5,
    })
    .map((words) => words.join(' ')),
  randomOver(`${alphanumerics}+/`, 64),
);

/** A YAML document holding a secret in a block scalar, the lines that are the secret, and the line after it. */
const document = fc
  .record({ key, header, place, lines: fc.array(secretLine, { minLength: 1, maxLength: 6 }) })
  .map(({ key, header, place, lines }) => {
    const prefix = `${' '.repeat(place.indent)}${place.isListEntry ? '- ' : ''}`;
    const column = prefix.length;
    const indicators =
      header.indicator === 0
        ? header.chomping
        : header.isIndicatorFirst
          ? `${header.indicator}${header.chomping}`
          : `${header.chomping}${header.indicator}`;
    const contentIndent = column + (header.indicator === 0 ? 2 : header.indicator);
    const body = lines.map((line) => `${' '.repeat(contentIndent)}${line}`);
    const text = [
      'config:',
      `${prefix}${key}: ${header.properties}${header.style}${indicators}${header.comment}`,
      ...body,
      `${' '.repeat(column)}next: value`,
      '',
    ].join('\n');
    return { text, lines, contentIndent };
  });

describe('yaml-block-secret', () => {
  it('redacts each line of a block scalar under a secret key, keeping lines and indentation (generated)', () => {
    fc.assert(
      fc.property(document, ({ text, lines }) => {
        const out = redact(text);
        const inputLines = text.split('\n');
        const outLines = out.split('\n');
        expect(outLines).toHaveLength(inputLines.length);
        for (const line of lines) expect(out).not.toContain(line);
        lines.forEach((_, i) => {
          const input = inputLines[2 + i] as string;
          const indentation = input.length - input.trimStart().length;
          expect(outLines[2 + i]).toMatch(new RegExp(`^ {${indentation}}\\[[A-Z_]+\\]$`));
        });
        expect(outLines.slice(0, 2)).toEqual(inputLines.slice(0, 2));
        expect(outLines.slice(2 + lines.length)).toEqual(inputLines.slice(2 + lines.length));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same output whatever the chunking of the text (generated)', () => {
    fc.assert(
      fc.property(document, fc.integer({ min: 1, max: 40 }), ({ text }, chunk) => {
        expect(redact(text, 'text', chunk)).toBe(redact(text));
      }),
      { numRuns: 100 },
    );
  });

  it('redacts the lines inside a JSON string value and keeps the JSON valid', () => {
    const out = redact(`${JSON.stringify({ msg: 'password: |\n  hunter2\n  again\n' })}\n`, 'ndjson');
    expect(JSON.parse(out)).toEqual({ msg: 'password: |\n  [SECRET]\n  [SECRET]\n' });
  });

  it('keeps CRLF line breaks and blank lines inside the scalar', () => {
    expect(redact('password: >+\r\n  correct horse\r\n\r\n  battery staple\r\nnext: 1\r\n')).toBe(
      'password: >+\r\n  [SECRET]\r\n\r\n  [SECRET]\r\nnext: 1\r\n',
    );
  });

  it('keeps scalars under other keys, scalars of template references, and a less indented line after the header', () => {
    for (const text of [
      'description: |\n  the password is rotated every 90 days\n',
      'password_policy: |\n  at least twelve characters long\n',
      'password: |\n  {{ .Values.password }}\n',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a variable reference is the near miss
      'password: |\n  ${DB_PASSWORD}\n',
      'password: |\nnext: value\n',
      '- password: |\n  name: x\n',
      '| key | password: | value |\n',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });

  it('applies any action to each line on its own, and leaves armored blocks one replacement', () => {
    const pack = compilePackFile(
      [
        'pack: tiny',
        'description: A YAML scalar member and an armored block member.',
        'detectors:',
        '  - id: tiny-yaml-secret',
        '    label: SECRET',
        '    description: YAML block scalars under a password key',
        '    block: { yamlScalarOfKeys: [password] }',
        '    maxLength: 4096',
        '    examples: [{ input: "password: |\\n  hunter2", output: "password: |\\n  [SECRET]" }, { survives: "password: hunter2" }]',
        '  - id: tiny-armor',
        '    label: ARMOR',
        '    description: armored blocks',
        "    block: { begin: '-----BEGIN TINY-----', end: '-----END TINY-----' }",
        '    maxLength: 4096',
        '    examples: [{ input: "-----BEGIN TINY-----\\nQUJD\\n-----END TINY-----", output: "[ARMOR]\\n\\n" }, { survives: "BEGIN TINY" }]',
        '',
      ].join('\n'),
      'packs/tiny.yaml',
    );
    const resolved = resolveRuleSets(
      [
        parseRuleFile(
          'name: hashed\npacks: [{ pack: tiny, action: { type: hash, bytes: 4 } }]\n',
          'rules/hashed.yaml',
        ),
      ],
      [pack],
    ).get('hashed');
    if (resolved === undefined) throw new Error('the rule set did not resolve');
    const redactor = new Redactor(
      compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs),
    );
    const hashed = redactor.redactText('password: >-\n  correct horse\n\n    battery staple\nnext: 1');
    const [key, first, blank, second, next] = hashed.split('\n');
    expect([key, blank, next]).toEqual(['password: >-', '', 'next: 1']);
    expect(first).toMatch(/^ {2}[0-9a-f]{8}$/);
    expect(second).toMatch(/^ {4}[0-9a-f]{8}$/);
    expect(first?.trim()).not.toBe(second?.trim());
    expect(redactor.redactText('password: |\n  hunter2\n  hunter2')).toMatch(
      /^password: \|\n {2}([0-9a-f]{8})\n {2}\1$/,
    );
    expect(redactor.redactText('-----BEGIN TINY-----\nQUJD\n-----END TINY-----')).toMatch(
      /^[0-9a-f]{8}\n\n$/,
    );
    expect(Object.fromEntries(redactor.counts)).toEqual({ 'tiny-yaml-secret': 2, 'tiny-armor': 1 });
  });
});
