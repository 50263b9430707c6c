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

/**
 * `compiled` with its detectors alone in text: without the field rules that take the values
 * assigned to named keys there (`name: Jane`, `phone=555-0100`; see
 * test/unit/formats/text-fields.test.ts), so that a pack's tests see what the pack does.
 */
export function withoutTextFields(compiled: CompiledRuleSet): CompiledRuleSet {
  return { ...compiled, textScanner: undefined };
}
