import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../core/redaction/compile-rule-set.ts';
import { compileCheckKey } from '../core/rule-registry.ts';

/** Token keys for the check alone: any keys bind the actions alike. */
const CHECK_KEYS = { currentKeyId: 'check', keys: new Map([['check', new Uint8Array(32)]]) };

/**
 * The shipped rule sets that compile without a problem, by `compileCheckKey` (the value names
 * the rule set, for a reader): what bin/cli-bundle.js writes to COMPILED_RULE_SETS_FILE, run from
 * a bundle of this module beside the CLI's chunks, so with their shipped-rule files and the very
 * code `serve` compiles with. Rules that do not load, and rule sets that do not compile, are left
 * out, whatever the error: they are compiled, and reported, at start.
 */
export async function shippedRuleSetChecks(rulesDir = DEFAULT_RULES_DIR): Promise<Record<string, string>> {
  const checks: Record<string, string> = {};
  let catalog: Awaited<ReturnType<typeof loadRuleCatalog>>;
  try {
    catalog = await loadRuleCatalog(rulesDir);
  } catch {
    return checks;
  }
  for (const [name, resolved] of catalog) {
    try {
      compileRuleSet(resolved.ruleSet, CHECK_KEYS, (path) => resolved.positionOf(path), resolved.packs);
    } catch {
      continue;
    }
    checks[compileCheckKey(resolved)] = name;
  }
  return checks;
}
