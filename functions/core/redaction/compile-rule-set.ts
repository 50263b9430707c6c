import { createHash } from 'node:crypto';
import { RuleValidationError } from '../errors.ts';
import type { TokenKeys } from '../ports/token-keyring.ts';
import { bindAction } from './actions/bind-action.ts';
import type { CompiledPack, CompiledPackEntry } from './compiled-pack.ts';
import type { Detector } from './detector.ts';
import { builtInDetectorIds, createBuiltInDetector } from './detectors/built-in-detectors.ts';
import { createCustomDetector } from './detectors/custom-detector.ts';
import { createDetectorGroup } from './detectors/detector-group.ts';
import { createFieldAssignmentDetector } from './detectors/field-assignment-detector.ts';
import type { PackMember } from './detectors/pack-member.ts';
import { withContext } from './detectors/with-context.ts';
import { createFieldMatcher, namesArrayIndex } from './field-matcher.ts';
import type { Likelihood } from './likelihood.ts';
import type { CompiledFieldRule, CompiledRuleSet, ValueAction } from './redactor.ts';
import type { Action, DetectorRule, RuleSet } from './rule-schema.ts';
import { ruleSetJson, updateWithRuleSetJson } from './rule-set-json.ts';
import { Scanner } from './scanner.ts';

/** Names a place in a rule set for error messages, e.g. `redaction-rules/acme.yaml:12:5`. */
export type RulePosition = (path: readonly (string | number)[]) => string;

/** A pack detector a rule set runs, with the action and likelihood the rule set gives it. */
interface PackDetectorUse {
  readonly entry: CompiledPackEntry;
  readonly action: Action;
  readonly likelihood: Likelihood;
  readonly label?: string | undefined;
}

/**
 * Compiles a resolved rule set: detectors merged into one scanner, actions bound to the token
 * keys. The detectors listed under `detectors` come first, in order; then the detectors of the
 * enabled `packs`, the pattern ones run as one detector group (one anchor search for all), each
 * at its pack entry's likelihood. A `detectors` entry with a pack detector's id sets that
 * detector's action or label. Throws
 * `RuleValidationError` for an unknown built-in, pack or pack detector, or an unsafe custom
 * pattern, so a rule set that fails here is never partly applied.
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
  packs: ReadonlyMap<string, CompiledPack> = new Map(),
): CompiledRuleSet {
  const detectors: Detector[] = [];
  const detectorIds: string[] = [];
  const detectorActions: ValueAction[] = [];
  const lineWiseDetectors = new Set<number>();
  const packDetectors = packDetectorsOf(ruleSet, packs, positionOf);
  const overridden = new Set<string>();
  ruleSet.detectors.forEach((rule, index) => {
    if (!rule.enabled) return;
    const packDetector = rule.pattern === undefined ? packDetectors.get(rule.id) : undefined;
    if (packDetector?.entry.kind === 'member' && rule.context === undefined) {
      packDetectors.set(rule.id, { ...packDetector, action: rule.action, label: rule.label });
      overridden.add(rule.id);
      return;
    }
    // Only a problem needs the position: working it out reads the file's YAML.
    const detector = createDetector(rule, () => positionOf(['detectors', index]), packDetector);
    packDetectors.delete(rule.id);
    if (packDetector?.entry.kind === 'member' && packDetector.entry.isLineWise)
      lineWiseDetectors.add(detectorIds.length);
    detectors.push(detector);
    detectorIds.push(rule.id);
    detectorActions.push(bindAction(rule.action, { id: rule.id, label: rule.label ?? detector.label }, keys));
  });
  const members: PackMember[] = [];
  const memberActions: ValueAction[] = [];
  const lineWiseMembers: number[] = [];
  for (const { entry, action, likelihood, label } of packDetectors.values()) {
    if (entry.kind === 'built-in') {
      const detector = createBuiltInDetector(entry.id) as Detector;
      detectors.push(detector);
      detectorIds.push(entry.id);
      detectorActions.push(bindAction(action, { id: entry.id, label: label ?? detector.label }, keys));
      continue;
    }
    if (entry.isLineWise) lineWiseMembers.push(members.length);
    members.push(entry.createMember(likelihood));
    memberActions.push(bindAction(action, { id: entry.id, label: label ?? entry.label }, keys));
  }
  if (members.length > 0) {
    for (const member of lineWiseMembers) lineWiseDetectors.add(detectorIds.length + member);
    detectors.push(createDetectorGroup(members));
    detectorIds.push(...members.map((member) => member.id));
    detectorActions.push(...memberActions);
  }
  const fieldRules: CompiledFieldRule[] = ruleSet.fields
    .filter((rule) => rule.enabled)
    .map((rule) => ({
      id: rule.id,
      isKeep: rule.action.type === 'keep',
      isInText: rule.inText,
      isIndexSensitive: namesArrayIndex(rule.paths),
      isPathSensitive: rule.paths.length > 0,
      apply: bindAction(rule.action, { id: rule.id, label: rule.label ?? labelOf(rule.id) }, keys),
      matches: createFieldMatcher(rule),
    }));
  const usedPacks = [...packs.values()].map((pack) => pack.pack);
  const scanner = new Scanner(detectors);
  const textScanner = textScannerOf(scanner, detectorIds.length, fieldRules);
  if (textScanner !== scanner) {
    detectorIds.push(...fieldRules.map((rule) => rule.id));
    detectorActions.push(...fieldRules.map((rule) => rule.apply));
  }
  return {
    name: ruleSet.name,
    versionHash: (usedPacks.length === 0
      ? createHash('sha256').update(ruleSetJson(ruleSet))
      : updateWithRuleSetJson(createHash('sha256'), ruleSet, usedPacks)
    )
      .digest('hex')
      .slice(0, 12),
    scanner,
    ...(textScanner !== scanner ? { textScanner } : {}),
    detectorIds,
    detectorActions,
    ...(lineWiseDetectors.size > 0 ? { lineWiseDetectors } : {}),
    fieldRules,
    limits: ruleSet.limits,
    csv: ruleSet.csv,
    origin: { ruleSet, keys, packs: [...packs.values()].map(({ file, pack }) => ({ file, pack })) },
  };
}

/**
 * The scanner for plain text: `scanner`'s detectors after the detector of values assigned to
 * keys that field rules name (`name: Jane`, `dob=1985-03-12`), whose kinds take the rule
 * indices after `ruleCount` (one per field rule, in order). It comes first so that of two
 * matches of the same value the field rule's wins, as a field rule takes a JSON value whatever
 * the detectors find in it. `scanner` itself when no field rule binds values.
 */
function textScannerOf(
  scanner: Scanner,
  ruleCount: number,
  fieldRules: readonly CompiledFieldRule[],
): Scanner {
  const assignments = createFieldAssignmentDetector(fieldRules);
  if (assignments === undefined) return scanner;
  const firstRule: number[] = [ruleCount];
  let rule = 0;
  for (const detector of scanner.detectors) {
    firstRule.push(rule);
    rule += detector.kinds ?? 1;
  }
  return new Scanner([assignments, ...scanner.detectors], { firstRule });
}

/** The detectors of the enabled packs by id, in pack order, with each pack's action and likelihood. */
function packDetectorsOf(
  ruleSet: RuleSet,
  packs: ReadonlyMap<string, CompiledPack>,
  positionOf: RulePosition,
): Map<string, PackDetectorUse> {
  const uses = new Map<string, PackDetectorUse>();
  ruleSet.packs.forEach((use, index) => {
    const {
      pack: name,
      action,
      except,
      enabled,
      likelihood = 'likely',
    } = typeof use === 'string' ? { pack: use, action: undefined, except: [], enabled: true } : use;
    if (!enabled) return;
    const pack = packs.get(name);
    if (pack === undefined) {
      throw new RuleValidationError(
        `${positionOf(['packs', index])}: unknown pack "${name}"; packs are ${[...packs.keys()].join(', ') || '(none)'}`,
      );
    }
    for (const id of except) {
      if (!pack.entries.some((entry) => entry.id === id)) {
        throw new RuleValidationError(
          `${positionOf(['packs', index, 'except'])}: pack "${name}" has no detector "${id}"; its detectors are ${pack.entries.map((entry) => entry.id).join(', ')}`,
        );
      }
    }
    for (const entry of pack.entries) {
      if (except.includes(entry.id) || uses.has(entry.id)) continue;
      uses.set(entry.id, { entry, action: action ?? { type: 'redact' }, likelihood });
    }
  });
  return uses;
}

function createDetector(
  rule: DetectorRule,
  where: () => string,
  packDetector: PackDetectorUse | undefined,
): Detector {
  if (rule.pattern !== undefined) return createCustomDetector(rule, where);
  const entry = packDetector?.entry;
  const detector =
    createBuiltInDetector(rule.id) ??
    (entry?.kind === 'member'
      ? createDetectorGroup([entry.createMember(packDetector?.likelihood)])
      : undefined);
  if (detector === undefined) {
    throw new RuleValidationError(
      `${where()}: unknown built-in detector "${rule.id}"; built-ins are ${builtInDetectorIds.join(', ')}; a custom detector needs a pattern; a detector of a pack needs the pack under packs`,
    );
  }
  return rule.context ? withContext(detector, rule.context, rule.contextWindow) : detector;
}

function labelOf(id: string): string {
  return id.toUpperCase().replaceAll('-', '_');
}
