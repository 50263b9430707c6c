import { RuleValidationError } from '../../errors.ts';
import type { Detector } from '../detector.ts';
import { analyzePattern, assertLinearTime } from '../pattern-analysis.ts';
import type { DetectorRule } from '../rule-schema.ts';
import { validatorNamed } from '../validators/validator-registry.ts';
import { createRegexDetector } from './regex-detector.ts';
import { withContext } from './with-context.ts';

/** Longest match a custom pattern may produce; it sizes the scan window of every object. */
export const maxCustomMatchLength = 4096;
/** Longest lookbehind or lookahead a custom pattern may use. */
export const maxCustomLookaround = 256;

const allowed =
  'allowed: an ECMAScript regex with flags from "imsu", bounded repeats ({1,64}, not + or *), ' +
  `a maximum match length of at most ${maxCustomMatchLength}, bounded lookarounds, no backreferences, ` +
  '^ and $ only with the m flag, not matching the empty string, and no catastrophic backtracking';

/**
 * Builds the detector for an operator rule with a `pattern`. The pattern must have a finite
 * maximum match length and be linear-time (checked with recheck); `validator` filters matches
 * (a check from the validator registry, such as `luhn` or `iban`); `context` requires a keyword within
 * `contextWindow` characters before a match. Throws `RuleValidationError` naming `where` (such
 * as `redaction-rules/acme.yaml:14:7`, or a function that works it out, called only for a
 * problem), the rule id, the pattern, the problem and what is allowed.
 *
 * @example
 * createCustomDetector(detectorRuleSchema.parse({ id: 'employee-id', pattern: 'EMP-[0-9]{6}' }), 'acme.yaml:14:7')
 */
export function createCustomDetector(rule: DetectorRule, where: string | (() => string)): Detector {
  const subject = () => `${typeof where === 'string' ? where : where()}: detector "${rule.id}"`;
  if (rule.pattern === undefined) {
    throw new RuleValidationError(`${subject()} has no pattern; a custom detector needs one (${allowed})`);
  }
  const flags = rule.flags ?? '';
  const shown = `/${rule.pattern}/${flags}`;
  let regex: RegExp;
  let bounds: ReturnType<typeof analyzePattern>;
  try {
    bounds = analyzePattern(rule.pattern, flags);
    if (bounds.maxLength > maxCustomMatchLength) {
      throw new Error(`it can match ${bounds.maxLength} characters, more than ${maxCustomMatchLength}`);
    }
    if (Math.max(bounds.lookbehind, bounds.lookahead) > maxCustomLookaround) {
      throw new Error(`its lookarounds reach more than ${maxCustomLookaround} characters outside the match`);
    }
    regex = new RegExp(rule.pattern, `${flags}g`);
    assertLinearTime(rule.pattern, flags);
  } catch (error) {
    throw new RuleValidationError(
      `${subject()}: pattern ${shown} is not allowed: ${(error as Error).message} (${allowed})`,
      {
        cause: error,
      },
    );
  }
  const detector = createRegexDetector(regex, {
    id: rule.id,
    label: rule.label ?? defaultLabel(rule.id),
    minLength: bounds.minLength,
    maxLength: bounds.maxLength,
    // With the u flag, whether a position is mid-pair depends on the code unit before it.
    lookbehind: flags.includes('u') ? Math.max(1, bounds.lookbehind) : bounds.lookbehind,
    lookahead: bounds.lookahead,
    isValid: validatorOf(rule.validator),
  });
  return rule.context !== undefined && rule.context.length > 0
    ? withContext(detector, rule.context, rule.contextWindow)
    : detector;
}

/** The label a rule gets when it names none: its id in upper case, `-` as `_`. */
function defaultLabel(id: string): string {
  return id.toUpperCase().replaceAll('-', '_');
}

function validatorOf(
  validator: DetectorRule['validator'],
): ((text: string, start: number, end: number) => boolean) | undefined {
  if (validator === undefined || validator === 'none') return undefined;
  const isValid = validatorNamed(validator);
  return (text, start, end) => isValid(text.slice(start, end));
}
