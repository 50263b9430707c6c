import { loadRuleCatalog } from '../../functions/adapters/local-rule-set-source.ts';
import type { CompiledRuleSet } from '../../functions/core/redaction/redactor.ts';
import { compileRegistry } from '../../functions/core/rule-registry.ts';
import { testTokenKeys } from '../unit/actions/test-token-keys.ts';

/** A rule set from the project's own `redaction-rules/`, compiled with fixed test keys. */
export async function shippedRuleSet(name = 'default'): Promise<CompiledRuleSet> {
  const registry = compileRegistry(await loadRuleCatalog('redaction-rules'), testTokenKeys('k1'));
  const compiled = registry.compiled.get(name);
  if (compiled === undefined) throw new Error(`no shipped rule set ${name}`);
  return compiled;
}
