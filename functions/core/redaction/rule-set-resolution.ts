import { RuleValidationError } from '../errors.ts';
import type { CompiledPack } from './compiled-pack.ts';
import type { RuleFileDocument } from './rule-file.ts';
import { formatRulePath, formatRuleValue, type RulePath } from './rule-path.ts';
import type { RuleSet, RuleSetDocument } from './rule-schema.ts';

/** A rule set with `extends` resolved and defaults applied, still able to say where each part was written. */
export interface ResolvedRuleSet {
  readonly ruleSet: RuleSet;
  /** The files it was built from, the furthest ancestor first. */
  readonly files: readonly string[];
  /** `file:line:column` where the part of `ruleSet` at `path` was written (e.g. `['detectors', 3]`). */
  positionOf(path: RulePath): string;
  /** The packs `ruleSet.packs` enables, by name. */
  readonly packs: ReadonlyMap<string, CompiledPack>;
}

/** What the rule set schema says of a merged document: its output, or its issues. */
export type RuleSetValidation =
  | { readonly ruleSet: RuleSet }
  | { readonly issues: readonly { readonly path: RulePath; readonly message: string }[] };

/**
 * Validates a merged rule set document against the schema (`validateRuleSet` of rule-catalog.ts),
 * or takes the output a cache of documents known valid holds (see `VALIDATED_RULES_FILE`).
 * `undefined`: this validator cannot tell (a cache alone, without the schema, which loads zod).
 */
export type RuleSetValidator = (document: RuleSetDocument) => RuleSetValidation | undefined;

type Entry = { readonly id: string; readonly enabled?: boolean | undefined };
type ListKey = 'detectors' | 'fields' | 'packs';

/** A merged document plus, for each key and list entry, the file and path it came from. */
interface Merged {
  readonly document: RuleSetDocument;
  readonly files: readonly string[];
  readonly origins: Map<string, { source: RuleFileDocument; path: RulePath }>;
}

const listKeys: readonly ListKey[] = ['detectors', 'fields', 'packs'];

/** A list entry's key for merging: a detector or field rule id, a pack name. */
function keyOf(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  const { id, pack } = entry as { id?: string; pack?: string };
  return id ?? pack ?? '';
}

/**
 * Resolves a catalog of rule files into rule sets by name, with the detector packs they enable.
 *
 * `extends` merges parent first: the child's top-level keys replace the parent's when given
 * (`scope`, `geo`, `rateLimit`, `limits`, `passthrough` and `csv` as a whole); `detectors` and `fields`
 * merge by `id` and `packs` by pack name, a child entry replacing the parent's entry of the same
 * id in place and new ids appended; then entries with `enabled: false` are removed. Defaults
 * apply to the merged result.
 *
 * The catalog is all or nothing: duplicate rule set names, an unknown or cyclic `extends`, ids
 * repeated within a file or shared between a detector and a field rule, and packs not among
 * `packs` are all reported together.
 *
 * `validate` checks each merged document against the schema (or finds it in a cache of documents
 * known valid). When it cannot tell for one, the resolution stops there and gives `undefined`:
 * the caller resolves again with a validator that can (the problems found so far are found again
 * then). This module does not load zod: with a cache that holds every rule set, as the CLI
 * bundle's does for the shipped ones, `serve` starts without it.
 *
 * @throws RuleValidationError listing every problem, one per line, each naming file:line:column.
 */
export function resolveRuleSetFiles(
  files: readonly RuleFileDocument[],
  packs: readonly CompiledPack[],
  validate: RuleSetValidator,
): Map<string, ResolvedRuleSet> | undefined {
  const packsByName = new Map(packs.map((pack) => [pack.name, pack] as const));
  const problems: string[] = [];
  const byName = new Map<string, RuleFileDocument>();
  for (const source of files) {
    const first = byName.get(source.document.name);
    if (first) {
      problems.push(
        `${source.positionOf(['name'])}: name: rule set "${source.document.name}" is already defined at ${first.positionOf(['name'])}; names must be unique`,
      );
    } else {
      byName.set(source.document.name, source);
    }
    problems.push(...duplicateIds(source));
  }
  for (const source of byName.values()) {
    const parent = source.document.extends;
    if (parent !== undefined && !byName.has(parent)) {
      const known = [...byName.keys()].filter((name) => name !== source.document.name).sort();
      problems.push(
        `${source.positionOf(['extends'])}: extends: got ${formatRuleValue(parent)}; no rule set has that name; known: ${known.join(', ') || '(none)'}`,
      );
    }
  }
  problems.push(...cycles(byName));
  if (problems.length > 0) throw new RuleValidationError(problems.join('\n'));

  const merged = new Map<string, Merged>();
  const resolve = (source: RuleFileDocument): Merged => {
    const done = merged.get(source.document.name);
    if (done) return done;
    const parentName = source.document.extends;
    const parent = parentName === undefined ? undefined : byName.get(parentName);
    const result = merge(parent ? resolve(parent) : undefined, source);
    merged.set(source.document.name, result);
    return result;
  };

  const resolved = new Map<string, ResolvedRuleSet>();
  for (const source of byName.values()) {
    const { document, files: chain, origins } = resolve(source);
    const positionOf = (path: RulePath): string => {
      const [head, index, ...rest] = path;
      const entry = typeof index === 'number' ? origins.get(`${String(head)}[${index}]`) : undefined;
      if (entry) return entry.source.positionOf([...entry.path, ...rest]);
      return (origins.get(String(head))?.source ?? source).positionOf(path);
    };
    const collisions = idCollisions(document, positionOf);
    if (collisions.length > 0) {
      problems.push(...collisions);
      continue;
    }
    const used = new Map<string, CompiledPack>();
    (document.packs ?? []).forEach((use, i) => {
      const name = keyOf(use);
      const pack = packsByName.get(name);
      if (pack !== undefined) {
        used.set(name, pack);
        return;
      }
      const known = [...packsByName.keys()].sort();
      problems.push(
        `${positionOf(['packs', i])}: packs[${i}]: got ${formatRuleValue(name)}; no pack has that name; packs (packs/*.yaml beside the rule files): ${known.join(', ') || '(none)'}`,
      );
    });
    const result = validate(document);
    if (result === undefined) return undefined;
    if ('issues' in result) {
      for (const { path, message } of result.issues) {
        problems.push(`${positionOf(path)}: ${formatRulePath(path)}: ${message} (after merging extends)`);
      }
      continue;
    }
    resolved.set(document.name, { ruleSet: result.ruleSet, files: chain, positionOf, packs: used });
  }
  // A collision inherited from a parent is reported once, not once per child.
  if (problems.length > 0) throw new RuleValidationError([...new Set(problems)].join('\n'));
  return resolved;
}

function merge(parent: Merged | undefined, source: RuleFileDocument): Merged {
  const origins = new Map<string, { source: RuleFileDocument; path: RulePath }>();
  const document: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parent?.document ?? {})) {
    if (!(listKeys as readonly string[]).includes(key)) {
      document[key] = value;
      const origin = parent?.origins.get(key);
      if (origin) origins.set(key, origin);
    }
  }
  for (const [key, value] of Object.entries(source.document)) {
    if (!(listKeys as readonly string[]).includes(key)) {
      document[key] = value;
      origins.set(key, { source, path: [key] });
    }
  }
  for (const key of listKeys) {
    const entries: { entry: Entry; origin: { source: RuleFileDocument; path: RulePath } }[] = [];
    const inherited = (parent?.document[key] ?? []) as readonly Entry[];
    inherited.forEach((entry, i) => {
      const origin = parent?.origins.get(`${key}[${i}]`) ?? { source, path: [key, i] };
      entries.push({ entry, origin });
    });
    const own = (source.document[key] ?? []) as readonly Entry[];
    own.forEach((entry, i) => {
      const item = { entry, origin: { source, path: [key, i] } };
      const replaced = entries.findIndex((existing) => keyOf(existing.entry) === keyOf(entry));
      if (replaced >= 0) entries[replaced] = item;
      else entries.push(item);
    });
    const kept = entries.filter(({ entry }) => entry.enabled !== false);
    document[key] = kept.map(({ entry }) => entry);
    kept.forEach(({ origin }, i) => {
      origins.set(`${key}[${i}]`, origin);
    });
  }
  return {
    document: document as RuleSetDocument,
    files: [...(parent?.files ?? []), source.file],
    origins,
  };
}

function duplicateIds(source: RuleFileDocument): string[] {
  const problems: string[] = [];
  for (const key of listKeys) {
    const seen = new Map<string, number>();
    ((source.document[key] ?? []) as readonly Entry[]).forEach((entry, i) => {
      const id = keyOf(entry);
      const first = seen.get(id);
      if (first === undefined) {
        seen.set(id, i);
        return;
      }
      const at: RulePath = key === 'packs' ? [key, i] : [key, i, 'id'];
      const firstAt: RulePath = key === 'packs' ? [key, first] : [key, first, 'id'];
      problems.push(
        `${source.positionOf(at)}: ${formatRulePath(at)}: got ${formatRuleValue(id)}; already used by ${formatRulePath([key, first])} at ${source.positionOf(firstAt)}; ${key === 'packs' ? 'a pack is enabled once' : 'ids must be unique'}`,
      );
    });
  }
  return problems;
}

/** Detector and field rule ids share one namespace: both appear as rule ids in counts and logs. */
function idCollisions(document: RuleSetDocument, positionOf: (path: RulePath) => string): string[] {
  const detectorIds = new Map((document.detectors ?? []).map((rule, i) => [rule.id, i] as const));
  const problems: string[] = [];
  (document.fields ?? []).forEach((rule, i) => {
    const detector = detectorIds.get(rule.id);
    if (detector === undefined) return;
    problems.push(
      `${positionOf(['fields', i, 'id'])}: fields[${i}].id: got ${formatRuleValue(rule.id)}; rule set "${document.name}" already has a detector with that id at ${positionOf(['detectors', detector, 'id'])}; detector and field rule ids must differ (e.g. "field-${rule.id}")`,
    );
  });
  return problems;
}

/** One problem per `extends` cycle, reported at the `extends` of its alphabetically first member. */
function cycles(byName: ReadonlyMap<string, RuleFileDocument>): string[] {
  const problems: string[] = [];
  const reported = new Set<string>();
  for (const start of [...byName.keys()].sort()) {
    const chain: string[] = [];
    let name: string | undefined = start;
    while (name !== undefined && !chain.includes(name) && !reported.has(name)) {
      chain.push(name);
      name = byName.get(name)?.document.extends;
    }
    if (name === undefined || reported.has(name)) continue;
    const loop = chain.slice(chain.indexOf(name));
    for (const member of loop) reported.add(member);
    const first = [...loop].sort()[0] as string;
    const rotated = [...loop.slice(loop.indexOf(first)), ...loop.slice(0, loop.indexOf(first)), first];
    const source = byName.get(first) as RuleFileDocument;
    problems.push(
      `${source.positionOf(['extends'])}: extends: cycle ${rotated.join(' → ')}; a rule set cannot extend itself`,
    );
  }
  return problems;
}
