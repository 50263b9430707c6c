import { parseArgs } from 'node:util';
import { createLocalRuleSetSource, loadRuleCatalog } from '../adapters/local-rule-set-source.ts';
import { runPackExamples, runRuleExamples } from '../core/redaction/rule-examples.ts';
import { loadRegistry, RULES_OPTIONS } from './load-rules.ts';
import { UsageError } from './usage-error.ts';

/**
 * `maskpoint rules validate|test`: checks every rule set and detector pack; `test` also runs
 * their examples (a pack's through the pack alone).
 */
export async function rulesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { rules: RULES_OPTIONS.rules },
  });
  const [action] = positionals;
  if ((action !== 'validate' && action !== 'test') || positionals.length > 1) {
    throw new UsageError('rules takes validate or test');
  }
  const registry = await loadRegistry(values.rules);
  if (action === 'validate') {
    process.stdout.write(
      `ok: ${registry.compiled.size} rule set(s) valid: ${[...registry.compiled.keys()].join(', ')}\n`,
    );
    return 0;
  }
  const catalog = await loadRuleCatalog(values.rules);
  let passed = 0;
  let failed = 0;
  for (const [name, resolved] of catalog) {
    const compiled = registry.compiled.get(name);
    if (compiled === undefined) continue;
    const report = runRuleExamples(resolved.ruleSet, compiled);
    passed += report.passed;
    failed += report.failures.length;
    for (const failure of report.failures) {
      process.stdout.write(
        `FAIL ${name} ${failure.ruleId} example ${failure.index + 1}: ${failure.message}\n`,
      );
    }
  }
  for (const pack of await createLocalRuleSetSource(values.rules).loadPacks()) {
    const report = runPackExamples(pack);
    passed += report.passed;
    failed += report.failures.length;
    for (const failure of report.failures) {
      process.stdout.write(
        `FAIL pack ${pack.name} ${failure.ruleId} example ${failure.index + 1}: ${failure.message}\n`,
      );
    }
  }
  process.stdout.write(`rule examples: ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
