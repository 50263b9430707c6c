import { createHash } from 'node:crypto';
import { RuleValidationError } from '../errors.ts';
import type { TokenKeys } from '../ports/token-keyring.ts';
import { bindAction } from './actions/bind-action.ts';
import type { Detector } from './detector.ts';
import { builtInDetectorIds, createBuiltInDetector } from './detectors/built-in-detectors.ts';
import { createCustomDetector } from './detectors/custom-detector.ts';
import { withContext } from './detectors/with-context.ts';
import { createFieldMatcher, namesArrayIndex } from './field-matcher.ts';
import type { CompiledFieldRule, CompiledRuleSet, ValueAction } from './redactor.ts';
import type { DetectorRule, RuleSet } from './rule-schema.ts';
import { Scanner } from './scanner.ts';

/** Names a place in a rule set for error messages, e.g. `redaction-rules/acme.yaml:12:5`. */
export type RulePosition = (path: readonly (string | number)[]) => string;

/**
 * Compiles a resolved rule set: detectors merged into one scanner, actions bound to the token
 * keys. Throws `RuleValidationError` for an unknown built-in or an unsafe custom pattern, so a
 * rule set that fails here is never partly applied.
 *
 * @example
 * const compiled = compileRuleSet(ruleSet, keys);
 * const redactor = new Redactor(compiled);
 * redactor.redactText('mail jane@example.com'); // 'mail [EMAIL]'
 */
export function compileRuleSet(
  ruleSet: RuleSet,
  keys: TokenKeys,
  positionOf: RulePosition = (path) => `rule set "${ruleSet.name}" ${path.join('.')}`,
): CompiledRuleSet {
  const detectors: Detector[] = [];
  const detectorIds: string[] = [];
  const detectorActions: ValueAction[] = [];
  ruleSet.detectors.forEach((rule, index) => {
    if (!rule.enabled) return;
    const detector = createDetector(rule, positionOf(['detectors', index]));
    detectors.push(detector);
    detectorIds.push(rule.id);
    detectorActions.push(bindAction(rule.action, { id: rule.id, label: rule.label ?? detector.label }, keys));
  });
  const fieldRules: CompiledFieldRule[] = ruleSet.fields
    .filter((rule) => rule.enabled)
    .map((rule) => ({
      id: rule.id,
      isKeep: rule.action.type === 'keep',
      isIndexSensitive: namesArrayIndex(rule.paths),
      apply: bindAction(rule.action, { id: rule.id, label: rule.label ?? labelOf(rule.id) }, keys),
      matches: createFieldMatcher(rule),
    }));
  return {
    name: ruleSet.name,
    versionHash: createHash('sha256').update(JSON.stringify(ruleSet)).digest('hex').slice(0, 12),
    scanner: new Scanner(detectors),
    detectorIds,
    detectorActions,
    fieldRules,
    limits: ruleSet.limits,
  };
}

function createDetector(rule: DetectorRule, where: string): Detector {
  if (rule.pattern !== undefined) return createCustomDetector(rule, where);
  const builtIn = createBuiltInDetector(rule.id);
  if (builtIn === undefined) {
    throw new RuleValidationError(
      `${where}: unknown built-in detector "${rule.id}"; built-ins are ${builtInDetectorIds.join(', ')}; a custom detector needs a pattern`,
    );
  }
  return rule.context ? withContext(builtIn, rule.context, rule.contextWindow) : builtIn;
}

function labelOf(id: string): string {
  return id.toUpperCase().replaceAll('-', '_');
}
