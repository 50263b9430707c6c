import type { Detector, Match } from '../../../functions/core/redaction/detector.ts';
import type {
  CompiledFieldRule,
  CompiledRuleSet,
  FieldPath,
} from '../../../functions/core/redaction/redactor.ts';
import { limitsSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { Scanner } from '../../../functions/core/redaction/scanner.ts';

/** A detector from a global regex, for unit tests of the engine (built-ins live in detectors/). */
export function regexDetector(id: string, pattern: RegExp, maxLength: number): Detector {
  const regex = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  return {
    id,
    label: id.toUpperCase().replaceAll('-', '_'),
    minLength: 1,
    maxLength,
    lookbehind: 1,
    lookahead: 1,
    findFrom(text: string, from: number): Match | undefined {
      regex.lastIndex = from;
      const found = regex.exec(text);
      return found ? { start: found.index, end: found.index + found[0].length } : undefined;
    },
  };
}

/** A field rule matching key names (case-insensitive) at any depth, replacing values with `[ID]`. */
export function nameFieldRule(
  id: string,
  names: string[],
  apply?: (value: string) => string | undefined,
): CompiledFieldRule {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  return {
    id,
    isKeep: false,
    isIndexSensitive: false,
    isPathSensitive: false,
    apply: apply ?? (() => `[${id.toUpperCase()}]`),
    matches(path: FieldPath): boolean {
      const last = path[path.length - 1];
      return typeof last === 'string' && wanted.has(last.toLowerCase());
    },
  };
}

/** A compiled rule set whose detectors replace matches with `[LABEL]`. */
export function compiledRuleSetOf(
  detectors: Detector[],
  fieldRules: CompiledFieldRule[] = [],
  limits: Partial<ReturnType<typeof limitsSchema.parse>> = {},
): CompiledRuleSet {
  return {
    name: 'test',
    versionHash: 'test',
    scanner: new Scanner(detectors),
    detectorIds: detectors.map((d) => d.id),
    detectorActions: detectors.map((d) => () => `[${d.label}]`),
    fieldRules,
    limits: limitsSchema.parse(limits),
  };
}

/** Email, SSN and 16-digit card stand-ins, enough to exercise formats before the built-ins. */
export function sampleDetectors(): Detector[] {
  return [
    regexDetector('email', /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}/, 280),
    regexDetector('us-ssn', /(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)/, 11),
    regexDetector('payment-card', /(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?!\d)/, 19),
  ];
}
