import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { compilePackFile } from '../../../functions/core/redaction/detector-pack.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { resolveRuleSets } from '../../../functions/core/redaction/rule-catalog.ts';
import { parseRuleFile } from '../../../functions/core/redaction/rule-file.ts';
import type { ResolvedRuleSet } from '../../../functions/core/redaction/rule-set-resolution.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';

const acmeText = [
  'pack: acme',
  'description: Acme ids and keys.',
  'detectors:',
  '  - id: acme-id',
  '    label: ACME_ID',
  '    description: Acme ids',
  "    anchors: ['ACME-']",
  "    pattern: 'ACME-[0-9]{4}'",
  '    maxLength: 9',
  "    examples: [{ input: 'ACME-1234', output: '[ACME_ID]' }, { survives: 'ACME-12' }]",
  '  - id: acme-key',
  '    label: ACME_KEY',
  '    description: Acme keys',
  "    pattern: '[a-f0-9]{12}'",
  '    maxLength: 12',
  '    keywords: [acme_key]',
  "    examples: [{ input: 'acme_key=0123456789ab', output: 'acme_key=[ACME_KEY]' }, { survives: '0123456789ab' }]",
  '',
].join('\n');
const acme = compilePackFile(acmeText, 'packs/acme.yaml');

function catalog(...files: [string, string][]): Map<string, ResolvedRuleSet> {
  return resolveRuleSets(
    files.map(([name, text]) => parseRuleFile(text, `rules/${name}.yaml`)),
    [acme],
  );
}

function redact(resolved: ResolvedRuleSet, text: string): string {
  const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);
  return new Redactor(compiled).redactText(text);
}

const sample = 'id ACME-1234 acme_key=0123456789ab';

describe('rule sets with packs', () => {
  it('redact with every detector of an enabled pack, each with its own label', () => {
    const resolved = catalog(['base', 'name: base\npacks: [acme]\n']).get('base') as ResolvedRuleSet;

    expect(redact(resolved, sample)).toBe('id [ACME_ID] acme_key=[ACME_KEY]');
  });

  it('count each pack detector under its own id', () => {
    const resolved = catalog(['base', 'name: base\npacks: [acme]\n']).get('base') as ResolvedRuleSet;
    const redactor = new Redactor(
      compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs),
    );
    redactor.redactText(`${sample} ACME-0001`);

    expect(Object.fromEntries(redactor.counts)).toEqual({ 'acme-id': 2, 'acme-key': 1 });
  });

  it('apply a pack action to all its detectors and leave out the ones under except', () => {
    const resolved = catalog([
      'base',
      'name: base\npacks:\n  - pack: acme\n    action: { type: mask, keepLast: 2 }\n    except: [acme-key]\n',
    ]).get('base') as ResolvedRuleSet;

    expect(redact(resolved, sample)).toBe('id ****-**34 acme_key=0123456789ab');
  });

  it('let a detectors entry with a pack detector id set its action', () => {
    const resolved = catalog([
      'base',
      'name: base\npacks: [acme]\ndetectors:\n  - id: acme-key\n    action: { type: redact, label: KEY }\n',
    ]).get('base') as ResolvedRuleSet;

    expect(redact(resolved, sample)).toBe('id [ACME_ID] acme_key=[KEY]');
  });

  it('let a detectors entry with a pack detector id require context words', () => {
    const resolved = catalog([
      'base',
      'name: base\npacks: [acme]\ndetectors:\n  - id: acme-id\n    context: [badge]\n    contextWindow: 8\n',
    ]).get('base') as ResolvedRuleSet;

    expect(redact(resolved, 'badge ACME-1234, order ACME-5678')).toBe('badge [ACME_ID], order ACME-5678');
  });

  it('merge packs through extends by name: a child removes an inherited pack', () => {
    const resolved = catalog(
      ['base', 'name: base\npacks: [acme]\n'],
      ['child', 'name: child\nextends: base\npacks:\n  - { pack: acme, enabled: false }\n'],
    );

    expect(redact(resolved.get('child') as ResolvedRuleSet, sample)).toBe(sample);
    expect(redact(resolved.get('base') as ResolvedRuleSet, sample)).toBe('id [ACME_ID] acme_key=[ACME_KEY]');
  });

  it('fails on a pack no pack file defines, naming file, line and column', () => {
    expect(() => catalog(['base', 'name: base\npacks:\n  - acme\n  - nope\n'])).toThrow(
      new RuleValidationError(
        'rules/base.yaml:4:5: packs[1]: got "nope"; no pack has that name; packs (packs/*.yaml beside the rule files): acme',
      ),
    );
  });

  it('fails on except naming no detector of the pack', () => {
    const resolved = catalog(['base', 'name: base\npacks:\n  - { pack: acme, except: [acme-nope] }\n']).get(
      'base',
    ) as ResolvedRuleSet;

    expect(() =>
      compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs),
    ).toThrow(/pack "acme" has no detector "acme-nope"/);
  });

  it('version a rule set by the content of the packs it enables', () => {
    const relabelled = compilePackFile(
      acmeText.replace('label: ACME_KEY', 'label: ACME_SECRET'),
      'packs/acme.yaml',
    );
    const versionWith = (pack: typeof acme) => {
      const resolved = resolveRuleSets(
        [parseRuleFile('name: base\npacks: [acme]\n', 'rules/base.yaml')],
        [pack],
      ).get('base') as ResolvedRuleSet;
      return compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs)
        .versionHash;
    };

    expect(versionWith(relabelled)).not.toBe(versionWith(acme));
    expect(versionWith(acme)).toBe(versionWith(acme));
  });
});
