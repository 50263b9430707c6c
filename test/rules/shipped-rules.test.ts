import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadRuleCatalog } from '../../functions/adapters/local-rule-set-source.ts';
import {
  packSchemaFile,
  renderPackSchema,
  renderRuleSetSchema,
  renderRulesReadme,
  rulesReadmeFile,
  schemaFile,
} from '../../functions/cli/generate-schema.ts';
import { compileRuleSet } from '../../functions/core/redaction/compile-rule-set.ts';
import { runRuleExamples } from '../../functions/core/redaction/rule-examples.ts';
import { chooseRuleSet } from '../../functions/core/redaction/scope-match.ts';

const rulesDir = 'redaction-rules';

describe('shipped rule sets', () => {
  it('parses and resolves every file in redaction-rules/', async () => {
    const files = (await readdir(rulesDir)).filter((name) => /\.ya?ml$/.test(name));
    const catalog = await loadRuleCatalog(rulesDir);

    expect(catalog.size).toBe(files.length);
  });

  it('points every rule file at the published schema on its first line', async () => {
    for (const name of (await readdir(rulesDir)).filter((file) => /\.ya?ml$/.test(file))) {
      const text = await readFile(`${rulesDir}/${name}`, 'utf8');
      expect(text.split('\n')[0], name).toBe('# yaml-language-server: $schema=./schema.json');
    }
  });

  it('has a default rule set covering every request with every built-in detector', async () => {
    const catalog = await loadRuleCatalog(rulesDir);
    const ruleSets = [...catalog.values()].map((resolved) => resolved.ruleSet);
    const chosen = chooseRuleSet(ruleSets, {
      bucket: 'any-bucket',
      key: 'any/key.txt',
      caller: { id: 'anyone' },
    });

    expect(chosen?.name).toBe('default');
    expect(chosen?.detectors.map((rule) => rule.id)).toEqual([
      'email',
      'phone',
      'payment-card',
      'us-ssn',
      'iban',
      'ipv4',
      'ipv6',
      'aws-access-key-id',
      'aws-secret-access-key',
      'jwt',
      'github-token',
      'slack-token',
      'stripe-key',
      'pem-private-key',
    ]);
  });

  it('compiles every rule set and holds every example written on its rules', async () => {
    const keys = { currentKeyId: 'test', keys: new Map([['test', new Uint8Array(32).fill(7)]]) };
    const catalog = await loadRuleCatalog(rulesDir);
    let passed = 0;
    for (const { ruleSet, positionOf, packs } of catalog.values()) {
      const report = runRuleExamples(ruleSet, compileRuleSet(ruleSet, keys, positionOf, packs));
      expect(report.failures, ruleSet.name).toEqual([]);
      passed += report.passed;
    }

    expect(passed).toBeGreaterThan(0);
  });

  it('keeps schema.json in step with the rule schema (npm run schema)', async () => {
    expect(await readFile(schemaFile, 'utf8')).toBe(renderRuleSetSchema());
  });

  it('keeps packs/schema.json in step with the pack schema (npm run schema)', async () => {
    expect(await readFile(packSchemaFile, 'utf8')).toBe(renderPackSchema());
  });

  it('keeps the README table of pack detectors in step with the pack files (npm run schema)', async () => {
    expect(await readFile(rulesReadmeFile, 'utf8')).toBe(await renderRulesReadme());
  });
});
