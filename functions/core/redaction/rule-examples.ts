import { compileRuleSet } from './compile-rule-set.ts';
import type { CompiledPack } from './compiled-pack.ts';
import type { Likelihood } from './likelihood.ts';
import { type CompiledRuleSet, Redactor } from './redactor.ts';
import { type RuleExample, type RuleSet, ruleSetSchema } from './rule-schema.ts';

/** One example that did not hold. Examples are operator-written sample data, so they are shown. */
export interface ExampleFailure {
  readonly ruleId: string;
  readonly index: number;
  readonly message: string;
}

export interface ExampleReport {
  readonly passed: number;
  readonly failures: ExampleFailure[];
}

/**
 * Runs the examples written on a rule set's rules. Detector examples go through the whole rule
 * set's detectors as a text object would (its field rules take values assigned to the keys they
 * name: `name: Jane`); field examples through their field rule alone. An
 * example with a `field` is the value of a field of that name, as in a JSON object or a CSV
 * column: the first field rule naming it applies, else the detectors with the name as context.
 */
export function runRuleExamples(ruleSet: RuleSet, compiled: CompiledRuleSet): ExampleReport {
  let passed = 0;
  const failures: ExampleFailure[] = [];
  function check(
    ruleId: string,
    examples: readonly RuleExample[] | undefined,
    apply: (text: string) => string,
  ) {
    examples?.forEach((example, index) => {
      const input = 'survives' in example ? example.survives : example.input;
      const expected = 'survives' in example ? example.survives : example.output;
      const actual = example.field === undefined ? apply(input) : redactField(compiled, example.field, input);
      if (actual === expected) passed++;
      else
        failures.push({
          ruleId,
          index,
          message: `${JSON.stringify(input)} became ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
        });
    });
  }
  for (const rule of ruleSet.detectors) {
    if (rule.enabled) {
      check(rule.id, rule.examples, (text) => {
        const redactor = new Redactor(compiled);
        return redactor.redactText(text, redactor.textScanner);
      });
    }
  }
  for (const rule of ruleSet.fields) {
    const fieldRule = compiled.fieldRules.find((candidate) => candidate.id === rule.id);
    if (fieldRule === undefined) continue;
    check(rule.id, rule.examples, (text) => new Redactor(compiled).applyField(fieldRule, text) ?? '');
  }
  return { passed, failures };
}

/**
 * Runs the examples written on a pack's detectors through the pack alone, every detector
 * redacting with its label, at the example's likelihood (default `likely`): the inputs must
 * become their outputs, the near misses survive.
 */
export function runPackExamples(pack: CompiledPack): ExampleReport {
  const compiledAt = new Map<Likelihood, CompiledRuleSet>();
  const compiledFor = (likelihood: Likelihood): CompiledRuleSet => {
    let compiled = compiledAt.get(likelihood);
    if (compiled === undefined) {
      const ruleSet = ruleSetSchema.parse({
        name: `pack-${pack.name}`,
        packs: [{ pack: pack.name, likelihood }],
      });
      compiled = compileRuleSet(
        ruleSet,
        // `redact` needs no key.
        { currentKeyId: 'none', keys: new Map() },
        pack.positionOf,
        new Map([[pack.name, pack]]),
      );
      compiledAt.set(likelihood, compiled);
    }
    return compiled;
  };
  let passed = 0;
  const failures: ExampleFailure[] = [];
  for (const entry of pack.entries) {
    entry.detector.examples.forEach((example, index) => {
      const input = 'survives' in example ? example.survives : example.input;
      const expected = 'survives' in example ? example.survives : example.output;
      const compiled = compiledFor(example.likelihood ?? 'likely');
      const redactor = new Redactor(compiled);
      const actual =
        example.field === undefined
          ? redactor.redactText(input)
          : redactor.redactText(input, compiled.scanner.named(example.field));
      if (actual === expected) passed++;
      else
        failures.push({
          ruleId: entry.id,
          index,
          message: `${JSON.stringify(input)} became ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
        });
    });
  }
  return { passed, failures };
}

/** `value` as the value of the field `name`, redacted by the whole rule set. */
function redactField(compiled: CompiledRuleSet, name: string, value: string): string {
  const redactor = new Redactor(compiled);
  const rule = redactor.fieldRule([name]);
  if (rule === undefined) return redactor.redactText(value, compiled.scanner.named(name));
  return rule.isKeep ? value : (redactor.applyField(rule, value) ?? '');
}
