import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../adapters/local-rule-set-source.ts';
import { createLocalTokenKeyring } from '../adapters/local-token-keyring.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { RuleValidationError } from '../core/errors.ts';
import { compileRuleSet } from '../core/redaction/compile-rule-set.ts';
import type { CompiledRuleSet } from '../core/redaction/redactor.ts';
import { compileRegistry, type RuleRegistry } from '../core/rule-registry.ts';

/** `--rules DIR` and `--ruleset NAME`, shared by the commands that redact. */
export const RULES_OPTIONS = {
  rules: { type: 'string', default: DEFAULT_RULES_DIR },
  ruleset: { type: 'string', default: 'default' },
} as const;

/** Loads, resolves and compiles every rule set in `dir`, with the local token keys. */
export async function loadRegistry(dir: string): Promise<RuleRegistry> {
  const catalog = await loadRuleCatalog(dir);
  const keys = await createLocalTokenKeyring(resolveMaskpointHome()).load();
  return compileRegistry(catalog, keys);
}

/**
 * The compiled rule set named by `--ruleset` from the rules in `--rules`. Only that set is
 * compiled: another set's custom patterns would start the linear-time check (recheck) for
 * nothing, tens of MiB and up to seconds; `rules validate` compiles them all.
 */
export async function loadRules(options: { rules: string; ruleset: string }): Promise<CompiledRuleSet> {
  const catalog = await loadRuleCatalog(options.rules);
  const resolved = catalog.get(options.ruleset);
  if (resolved === undefined) {
    const names = [...catalog.keys()].join(', ');
    throw new RuleValidationError(
      `no rule set named "${options.ruleset}" in ${options.rules} (found: ${names})`,
    );
  }
  const keys = await createLocalTokenKeyring(resolveMaskpointHome()).load();
  return compileRuleSet(resolved.ruleSet, keys, (path) => resolved.positionOf(path), resolved.packs);
}
