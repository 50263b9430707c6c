import { randomBytes } from 'node:crypto';
import { loadRuleCatalog } from '../../functions/adapters/local-rule-set-source.ts';
import { RuleValidationError } from '../../functions/core/errors.ts';
import { TOKEN_MASTER_KEY_BYTES } from '../../functions/core/ports/token-keyring.ts';
import { compileRegistry } from '../../functions/core/rule-registry.ts';

/**
 * Loads and compiles every rule set in `dir` exactly as the functions do at cold start, so a
 * broken rule fails `cdk synth` (with its file and line) instead of the deployed function.
 * The token keys are throwaway: compiling checks the rules, not the keys the functions will use.
 *
 * @returns the names of the rule sets found.
 * @throws RuleValidationError when a rule file is invalid or the directory holds no rule set.
 */
export async function validateRuleDirectory(dir: string): Promise<string[]> {
  const catalog = await loadRuleCatalog(dir);
  if (catalog.size === 0) throw new RuleValidationError(`no rule sets (*.yaml, *.yml) in ${dir}`);
  compileRegistry(catalog, {
    currentKeyId: 'synth',
    keys: new Map([['synth', new Uint8Array(randomBytes(TOKEN_MASTER_KEY_BYTES))]]),
  });
  return [...catalog.keys()];
}
