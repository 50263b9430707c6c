import { RuleValidationError } from '../errors.ts';
import { assertBoundedBacktracking } from './backtracking-check.ts';
import { createBlockMember } from './detectors/block-member.ts';
import { builtInDetectorIds } from './detectors/built-in-detectors.ts';
import { createPackMember, type PackMember, type PackMemberSpec } from './detectors/pack-member.ts';
import { createYamlScalarMember } from './detectors/yaml-scalar-member.ts';
import type { Likelihood } from './likelihood.ts';
import type { BuiltInReference, DetectorPack, PackDetector, PatternDetector } from './pack-schema.ts';
import { analyzePattern } from './pattern-analysis.ts';
import { type PatternFacts, type PatternFactsLookup, patternFactsOf } from './pattern-facts.ts';
import type { RuleFileText } from './rule-file.ts';
import type { RulePath } from './rule-path.ts';
import {
  checkDigitValidatorNames,
  issuerRuleValidatorNames,
  uncheckedValidatorNames,
} from './validators/validator-registry.ts';

/**
 * A detector of a pack, checked: a pattern or block detector that can make its member (a new
 * instance each time, for the likelihood the rule set asks; default `likely`), or a built-in
 * listed in the pack.
 */
export type CompiledPackEntry =
  | {
      readonly kind: 'member';
      readonly id: string;
      readonly label: string;
      readonly detector: Exclude<PackDetector, BuiltInReference>;
      /** True when a match spanning lines is replaced line by line (see `CompiledRuleSet.lineWiseDetectors`). */
      readonly isLineWise: boolean;
      createMember(likelihood?: Likelihood): PackMember;
    }
  | { readonly kind: 'built-in'; readonly id: string; readonly detector: BuiltInReference };

/** One pack file, validated and its patterns checked, ready for rule sets to enable. */
export interface CompiledPack {
  readonly name: string;
  readonly file: string;
  readonly pack: DetectorPack;
  readonly entries: readonly CompiledPackEntry[];
  /** `file:line:column` of the node at `path` of the pack file. */
  positionOf(path: RulePath): string;
}

/** A pack file's schema output and where its parts were written. */
export interface ValidatedPackFile {
  readonly pack: DetectorPack;
  positionOf(path: RulePath): string;
}

/**
 * Validates one pack file against the pack schema (`validatePackFile` of detector-pack.ts), or
 * takes the output a cache holds; throws RuleValidationError listing the file's problems.
 */
export type PackFileValidation = (source: RuleFileText) => ValidatedPackFile;

/**
 * Checks every pack file once `validate` gave its schema output, reporting the problems of all
 * of them at once: schema errors (`validate`'s, file:line:column), patterns that are unbounded,
 * can backtrack more than a constant per start, or start without one of their anchors, values
 * longer than `maxLength`, unknown built-ins, `withoutKeyword`, `withoutCheck` or `bareValue`
 * where the detector has nothing to do without (see {@link likelihoodProblems}), and pack names
 * or detector ids used twice (ids are unique across packs: rule sets name pack detectors by id).
 * `cachedFacts` gives the facts of patterns already checked (a cache built from the shipped
 * packs); the others are checked here. No zod: `validate` holds the schema, if it needs one.
 *
 * @throws RuleValidationError listing every problem, one per line.
 */
export function compilePacks(
  sources: readonly RuleFileText[],
  validate: PackFileValidation,
  cachedFacts?: PatternFactsLookup,
): CompiledPack[] {
  const problems: string[] = [];
  const packs: CompiledPack[] = [];
  for (const source of sources) {
    try {
      packs.push(compilePack(source.file, validate(source), cachedFacts));
    } catch (error) {
      if (!(error instanceof RuleValidationError)) throw error;
      problems.push(error.message);
    }
  }
  const names = new Map<string, CompiledPack>();
  const ids = new Map<string, { pack: CompiledPack; index: number }>();
  for (const pack of packs) {
    const first = names.get(pack.name);
    if (first !== undefined) {
      problems.push(
        `${pack.positionOf(['pack'])}: pack: "${pack.name}" is already defined at ${first.positionOf(['pack'])}; pack names must be unique`,
      );
    }
    names.set(pack.name, pack);
    pack.entries.forEach((entry, index) => {
      const seen = ids.get(entry.id);
      if (
        seen !== undefined &&
        !(entry.kind === 'built-in' && seen.pack.entries[seen.index]?.kind === 'built-in')
      ) {
        problems.push(
          `${pack.positionOf(['detectors', index, 'id'])}: detectors[${index}].id: "${entry.id}" is already used at ${seen.pack.positionOf(['detectors', seen.index, 'id'])}; pack detector ids must be unique across packs`,
        );
      }
      ids.set(entry.id, { pack, index });
    });
  }
  if (problems.length > 0) throw new RuleValidationError(problems.join('\n'));
  return packs;
}

/**
 * Checks one validated pack file (see {@link compilePacks}); `cachedFacts` as there.
 *
 * @throws RuleValidationError listing every problem of the file.
 */
export function compilePack(
  file: string,
  { pack, positionOf }: ValidatedPackFile,
  cachedFacts?: PatternFactsLookup,
): CompiledPack {
  const problems: string[] = [];
  const entries: CompiledPackEntry[] = [];
  pack.detectors.forEach((detector, index) => {
    if ('builtIn' in detector) {
      if (builtInDetectorIds.includes(detector.id))
        entries.push({ kind: 'built-in', id: detector.id, detector });
      else
        problems.push(
          `${positionOf(['detectors', index])}: detectors[${index}]: "${detector.id}" is no built-in detector; built-ins are ${builtInDetectorIds.join(', ')}`,
        );
      return;
    }
    if ('block' in detector) {
      const { id, label, block, maxLength } = detector;
      if ('yamlScalarOfKeys' in block) {
        const spec = { id, label, keyEndings: block.yamlScalarOfKeys, maxLength };
        entries.push({
          kind: 'member',
          id,
          label,
          detector,
          isLineWise: true,
          createMember: () => createYamlScalarMember(spec),
        });
        return;
      }
      const spec = {
        id,
        label,
        begin: block.begin,
        end: block.end,
        isThroughEndOfLine: block.throughEndOfLine,
        maxLength,
      };
      entries.push({
        kind: 'member',
        id,
        label,
        detector,
        isLineWise: false,
        createMember: () => createBlockMember(spec),
      });
      return;
    }
    const declared = likelihoodProblems(detector, cachedFacts);
    if (declared.length > 0) {
      for (const { key, problem } of declared) {
        problems.push(
          `${positionOf(['detectors', index, key])}: detectors[${index}] "${detector.id}": ${key}: ${problem}`,
        );
      }
      return;
    }
    try {
      const spec = specOf(
        detector,
        cachedFacts?.(detector.pattern, detector.flags) ?? patternFactsOf(detector.pattern, detector.flags),
      );
      entries.push({
        kind: 'member',
        id: detector.id,
        label: detector.label,
        detector,
        isLineWise: false,
        createMember: (likelihood) => createPackMember(spec, likelihood),
      });
    } catch (error) {
      problems.push(
        `${positionOf(['detectors', index, 'pattern'])}: detectors[${index}] "${detector.id}": ${(error as Error).message}`,
      );
    }
  });
  if (problems.length > 0) throw new RuleValidationError(problems.join('\n'));
  return { name: pack.pack, file, pack, entries, positionOf };
}

/**
 * Why a detector may not declare what it declares of likelihoods, by key. `withoutKeyword`: a
 * detector without keywords needs none already, one whose keywords are field names
 * (`keywordScope: field-name`) never looks at text; at `possible` a bare value must pass a check
 * digit, and at `unlikely` a rule of its issuer (a range, a birth date, prefix letters) or a
 * stricter `bareValue` of the detector's own, since a broad shape alone (a passport's six to nine
 * letters and digits) is as often something else. `withoutCheck`: the validator must have a form
 * without its check. `bareValue`: only for values taken without a keyword, and as safe as a
 * pattern (bounded, backtracking at most a constant per start); one whose facts `cachedFacts`
 * holds passed those checks when they were worked out.
 */
function likelihoodProblems(
  detector: PatternDetector,
  cachedFacts?: PatternFactsLookup,
): { key: string; problem: string }[] {
  const problems: { key: string; problem: string }[] = [];
  const { withoutKeyword, withoutCheck, bareValue, validator } = detector;
  if (withoutKeyword !== undefined) {
    const checks: readonly string[] = checkDigitValidatorNames;
    const rules: readonly string[] = issuerRuleValidatorNames;
    if (detector.keywords.length === 0) {
      problems.push({ key: 'withoutKeyword', problem: 'the detector has no keywords to do without' });
    } else if (detector.keywordScope === 'field-name') {
      problems.push({
        key: 'withoutKeyword',
        problem: 'a detector with keywordScope: field-name finds values under its field names only',
      });
    } else if (withoutKeyword === 'possible' && (validator === undefined || !checks.includes(validator))) {
      problems.push({
        key: 'withoutKeyword',
        problem: `possible needs a validator with a check digit (${checkDigitValidatorNames.join(', ')}); got ${validator ?? 'none'}`,
      });
    } else if (
      withoutKeyword === 'unlikely' &&
      bareValue === undefined &&
      (validator === undefined || !rules.includes(validator))
    ) {
      problems.push({
        key: 'withoutKeyword',
        problem: `unlikely needs a validator of an issuer rule (${issuerRuleValidatorNames.join(', ')}) or a bareValue pattern; got ${validator ?? 'no validator'}`,
      });
    }
  }
  if (withoutCheck !== undefined) {
    const unchecked: readonly string[] = uncheckedValidatorNames;
    if (validator === undefined || !unchecked.includes(validator)) {
      problems.push({
        key: 'withoutCheck',
        problem: `needs a validator that has a form without its check (${uncheckedValidatorNames.join(', ')}); got ${validator ?? 'none'}`,
      });
    }
  }
  if (bareValue !== undefined) {
    if (withoutKeyword === undefined) {
      problems.push({ key: 'bareValue', problem: 'only for a detector that declares withoutKeyword' });
    } else if (cachedFacts?.(bareValue, detector.flags) === undefined) {
      // Facts a cache holds were worked out by patternFactsOf, whose checks include these.
      try {
        analyzePattern(bareValue, detector.flags);
        assertBoundedBacktracking(bareValue, detector.flags);
      } catch (error) {
        problems.push({ key: 'bareValue', problem: (error as Error).message });
      }
    }
  }
  return problems;
}

/**
 * Checks a pattern detector against the facts of its pattern (see `patternFactsOf`) and works
 * out its member; throws an `Error` naming the problem.
 */
export function specOf(detector: PatternDetector, facts: PatternFacts): PackMemberSpec {
  const { pattern, flags } = detector;
  const { bounds, valueGroup: group } = facts;
  const value =
    group === undefined
      ? { minLength: bounds.minLength, maxLength: bounds.maxLength, offsetMin: 0, offsetMax: 0 }
      : {
          minLength: group.minLength,
          maxLength: group.maxLength,
          offsetMin: group.startMin,
          offsetMax: group.startMax,
        };
  if (value.minLength === 0) throw new Error('its value group can match the empty string');
  if (value.maxLength > detector.maxLength) {
    throw new Error(`it can redact ${value.maxLength} characters, more than maxLength ${detector.maxLength}`);
  }
  if (detector.keywordPlacement === 'around' && detector.anchors.length === 0) {
    throw new Error('keywordPlacement: around needs anchors');
  }
  if (detector.keywordScope === 'yaml-document' && detector.anchors.length === 0) {
    throw new Error('keywordScope: yaml-document needs anchors');
  }
  // A field-name detector finds nothing in text: anchors would have it look there, and without
  // keywords no field names it.
  if (
    detector.keywordScope === 'field-name' &&
    (detector.anchors.length > 0 || detector.keywords.length === 0)
  ) {
    throw new Error('keywordScope: field-name needs keywords (the field names) and no anchors');
  }
  if (detector.anchors.length > 0) {
    const { prefixes } = facts;
    const uncovered =
      prefixes === undefined
        ? ['(a match can start with any of many characters)']
        : prefixes.filter(
            (prefix) =>
              !detector.anchors.some((anchor) =>
                prefix.startsWith(flags.includes('i') ? anchor.toLowerCase() : anchor),
              ),
          );
    if (uncovered.length > 0) {
      throw new Error(
        `a match can start without one of its anchors (${detector.anchors.map((anchor) => JSON.stringify(anchor)).join(', ')}): ${uncovered.map((prefix) => JSON.stringify(prefix)).join(', ')}; list anchors every match starts with`,
      );
    }
  }
  const anchors = detector.anchors.length > 0 ? detector.anchors : derivedAnchors(detector, facts);
  return {
    id: detector.id,
    label: detector.label,
    pattern,
    flags,
    anchors,
    shape: anchors.length > 0 ? undefined : facts.shape,
    start: facts.start,
    startLiteral: anchors.length > 0 ? undefined : facts.startLiteral,
    leadingRun: anchors.length > 0 ? undefined : facts.leadingRun,
    value,
    lookbehind: bounds.lookbehind,
    lookahead: bounds.lookahead,
    patternMaxLength: bounds.maxLength,
    validator: detector.validator,
    minEntropy: detector.minEntropy,
    keywords: detector.keywords,
    keywordWindow: detector.keywordWindow,
    keywordPlacement: detector.keywordPlacement,
    keywordScope: detector.keywordScope,
    keywordEdges: detector.keywordEdges,
    withoutKeyword: detector.withoutKeyword,
    isCheckOptional: detector.withoutCheck === 'unlikely',
    bareValue: detector.bareValue,
  };
}

/** Derived anchors are this long at least: shorter literals occur too often to be worth it. */
const minDerivedAnchorLength = 3;
/** More derived anchors than this and the pattern scans instead. */
const maxDerivedAnchors = 4;

/**
 * Anchors for a detector that declares none and has no keywords: the literal prefixes of its
 * pattern (`5019` of a Dankort pattern) when they are few, long enough and start with a visible
 * character, so that the detector group's one anchor search finds its candidates instead of a
 * scan of its own; else none.
 */
function derivedAnchors(detector: PatternDetector, { prefixes }: PatternFacts): readonly string[] {
  if (detector.keywords.length > 0) return [];
  const isUsable = (prefix: string): boolean =>
    prefix.length >= minDerivedAnchorLength &&
    /^[^\p{C}\p{Z}]/u.test(prefix) &&
    !/[\p{Cc}\p{Cs}]/u.test(prefix);
  return prefixes !== undefined && prefixes.length <= maxDerivedAnchors && prefixes.every(isUsable)
    ? prefixes
    : [];
}
