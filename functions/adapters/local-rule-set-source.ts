import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuleSetSource } from '../core/ports/rule-set-source.ts';
import { compilePacks } from '../core/redaction/compiled-pack.ts';
import { addKnownAnchorFacts } from '../core/redaction/detectors/anchor-facts.ts';
import { addKnownAutomata } from '../core/redaction/detectors/anchor-search.ts';
import type { DetectorPack } from '../core/redaction/pack-schema.ts';
import {
  type PatternFactsLookup,
  patternFactsFromJson,
  patternFactsKey,
} from '../core/redaction/pattern-facts.ts';
import type { RuleFileDocument, RuleFileText } from '../core/redaction/rule-file.ts';
import { ruleFilePositions } from '../core/redaction/rule-file-positions.ts';
import type { RuleSet, RuleSetDocument } from '../core/redaction/rule-schema.ts';
import { type ResolvedRuleSet, resolveRuleSetFiles } from '../core/redaction/rule-set-resolution.ts';

export { DEFAULT_RULES_DIR } from './default-rules-dir.ts';

/** Where detector packs live, relative to the rule set directory. */
export const PACKS_SUBDIR = 'packs';

/**
 * The file beside this module, in the CLI bundle (bin/cli-bundle.js writes it), that holds what
 * YAML reads from each shipped rule and pack file, by the SHA-256 of its text. A file whose text
 * it holds is validated without being parsed; any other file, or every file where it is absent
 * (from source, in a Lambda bundle), is parsed.
 */
export const PARSED_RULES_FILE = 'parsed-rules.json';

/**
 * The file beside this module, in the CLI bundle (bin/cli-bundle.js writes it), that holds the
 * facts of the shipped packs' patterns (`patternFactsOf`), by `patternFactsKey`: a pack
 * pattern it holds is not checked again. Absent, every pattern is checked.
 */
export const PATTERN_FACTS_FILE = 'pattern-facts.json';

/**
 * The file beside this module, in the CLI bundle (bin/cli-bundle.js writes it), that holds the
 * `compileCheckKey` of each shipped rule set the bundle's own code compiled without a problem
 * (functions/cli/shipped-rule-set-checks.ts). Absent, every rule set is compiled at start.
 */
export const COMPILED_RULE_SETS_FILE = 'compiled-rule-sets.json';

/**
 * The file beside this module, in the CLI bundle (bin/cli-bundle.js writes it), that holds the
 * schema's output for each shipped rule file (`rules`) and pack file (`packs`) whose value in
 * {@link PARSED_RULES_FILE} is valid, by the same hash: such a file is not validated again; and
 * for each shipped rule set with `extends` merged (`ruleSets`), by {@link validatedRuleSetKey}
 * of the merged document: such a rule set is not validated again. Absent, every file and rule
 * set is validated.
 */
export const VALIDATED_RULES_FILE = 'validated-rules.json';

/**
 * The file beside this module, in the CLI bundle (bin/cli-bundle.js writes it), that holds the
 * anchor automata the build made compiling the shipped rule sets (`builtAutomata` of
 * functions/core/redaction/detectors/anchor-search.ts), their transitions in
 * {@link ANCHOR_AUTOMATA_TRANSITIONS_FILE}: a rule set whose packs have the same anchors takes
 * them instead of building them. Absent, every automaton is built.
 */
export const ANCHOR_AUTOMATA_FILE = 'anchor-automata.json';

/** The bytes of the transitions of the automata of {@link ANCHOR_AUTOMATA_FILE}. */
export const ANCHOR_AUTOMATA_TRANSITIONS_FILE = 'anchor-automata.bin';

/**
 * The file beside this module, in the CLI bundle (bin/cli-bundle.js writes it), that holds the
 * anchor facts the build worked out compiling the shipped rule sets (`builtAnchorFacts` of
 * functions/core/redaction/detectors/anchor-facts.ts): a pack member with the same pattern and
 * anchors takes them instead of working them out. Absent, all are worked out.
 */
export const ANCHOR_FACTS_FILE = 'anchor-facts.json';

/** Which schema a file is read with: a rule set's or a detector pack's. */
export type RuleFileKind = 'rules' | 'packs';

/** The entry of {@link VALIDATED_RULES_FILE} that holds merged rule sets. */
export const VALIDATED_RULE_SETS_KIND = 'ruleSets';

let parsedRules: Promise<ReadonlyMap<string, unknown>> | undefined;
let patternFacts: Promise<ReadonlyMap<string, unknown>> | undefined;
let validatedRules: Promise<ReadonlyMap<string, Readonly<Record<string, unknown>>>> | undefined;
let anchorCaches: Promise<void> | undefined;

/**
 * A rule set source reading every `*.yaml` and `*.yml` file directly in `dir` (not its
 * subdirectories), in name order, and the detector packs in `dir/packs/` the same way (none
 * when that directory does not exist). Files are reported by their path as given
 * (`dir/name.yaml`). The schemas, and zod with them, are loaded only for a file whose schema
 * output {@link VALIDATED_RULES_FILE} does not hold: ~30 ms of a `serve` start with the shipped
 * rules.
 */
export function createLocalRuleSetSource(dir: string): RuleSetSource {
  return {
    async load() {
      const files = await readYamlFiles(dir, 'rules');
      if (!files.every(isValidated)) {
        return (await import('../core/redaction/rule-file.ts')).parseRuleFiles(files);
      }
      // What parseRuleFiles gives for a file whose output the cache holds, without the schema.
      return files.map(
        ({ file, text, value }): RuleFileDocument => ({
          file,
          document: value as RuleSetDocument,
          positionOf: ruleFilePositions(text, file).positionOf,
        }),
      );
    },
    async loadPacks() {
      const files = await readYamlFiles(join(dir, PACKS_SUBDIR), 'packs', { isOptional: true });
      const cachedFacts = await loadCachedPatternFacts();
      const validate = files.every(isValidated)
        ? ({ file, text, output }: RuleFileText) => ({
            pack: output as DetectorPack,
            positionOf: ruleFilePositions(text, file).positionOf,
          })
        : (await import('../core/redaction/detector-pack.ts')).validatePackFile;
      return compilePacks(files, validate, cachedFacts);
    },
  };
}

/** Whether the cache holds what YAML reads from a file and the schema's output for it. */
function isValidated(file: RuleFileText): boolean {
  return file.value !== undefined && file.output !== undefined;
}

async function readYamlFiles(
  dir: string,
  kind: RuleFileKind,
  options: { isOptional?: boolean } = {},
): Promise<RuleFileText[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (options.isOptional && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const names = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  parsedRules ??= readBundleFile<unknown>(PARSED_RULES_FILE);
  validatedRules ??= readBundleFile<Readonly<Record<string, unknown>>>(VALIDATED_RULES_FILE);
  const [values, validated] = await Promise.all([parsedRules, validatedRules]);
  const outputs = validated.get(kind) ?? {};
  return Promise.all(
    names.map(async (name) => {
      const file = join(dir, name);
      const text = await readFile(file, 'utf8');
      const hash = createHash('sha256').update(text).digest('hex');
      const value = values.get(hash);
      if (value === undefined) return { file, text };
      return Object.hasOwn(outputs, hash)
        ? { file, text, value, output: outputs[hash] }
        : { file, text, value };
    }),
  );
}

/**
 * Whether a rule set, by its `compileCheckKey`, is one the CLI bundle's build compiled without a
 * problem ({@link COMPILED_RULE_SETS_FILE}): `compileRegistry` may then compile it on first use.
 * None is, outside the bundle.
 */
export async function loadCompiledRuleSetChecks(): Promise<(key: string) => boolean> {
  const checked = await readBundleFile<unknown>(COMPILED_RULE_SETS_FILE);
  return (key) => checked.has(key);
}

/** The bytes of a file beside this module, none when there is no such file. */
async function readBundleBytes(name: string): Promise<Uint8Array> {
  try {
    return await readFile(new URL(name, import.meta.url));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Uint8Array(0);
    throw error;
  }
}

/** The entries of a JSON object file beside this module, none when there is no such file. */
async function readBundleFile<T>(name: string): Promise<ReadonlyMap<string, T>> {
  let json: string;
  try {
    json = await readFile(new URL(name, import.meta.url), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  return new Map(Object.entries(JSON.parse(json) as Record<string, T>));
}

/** The facts of the shipped packs' patterns that {@link PATTERN_FACTS_FILE} holds, loaded once. */
export async function loadCachedPatternFacts(): Promise<PatternFactsLookup> {
  patternFacts ??= readBundleFile<unknown>(PATTERN_FACTS_FILE);
  const facts = await patternFacts;
  return (pattern, flags) => {
    const json = facts.get(patternFactsKey(pattern, flags));
    return json === undefined ? undefined : patternFactsFromJson(json);
  };
}

/**
 * Gives the anchor automata of {@link ANCHOR_AUTOMATA_FILE} to the anchor search, and the anchor
 * facts of {@link ANCHOR_FACTS_FILE} to the pack members, once, for the rule sets compiled next.
 */
export function loadAnchorCaches(): Promise<void> {
  anchorCaches ??= Promise.all([
    readBundleFile<unknown>(ANCHOR_AUTOMATA_FILE),
    readBundleBytes(ANCHOR_AUTOMATA_TRANSITIONS_FILE),
    readBundleFile<unknown>(ANCHOR_FACTS_FILE),
  ]).then(([automata, transitions, facts]) => {
    addKnownAutomata(Object.fromEntries(automata), transitions);
    addKnownAnchorFacts(Object.fromEntries(facts));
  });
  return anchorCaches;
}

/**
 * Loads and resolves the rule sets in `dir`, by name. A merged rule set whose schema output
 * {@link VALIDATED_RULES_FILE} holds is not validated again (the schema was ~15 ms of a `serve`
 * start for the two shipped rule sets), and when it holds every one, zod is not loaded. The
 * anchor automata of {@link ANCHOR_AUTOMATA_FILE} are given to the anchor search, once, for the
 * rule sets compiled next.
 *
 * @throws RuleValidationError when any file is invalid; the catalog is never partly loaded.
 */
export async function loadRuleCatalog(dir: string): Promise<Map<string, ResolvedRuleSet>> {
  const source = createLocalRuleSetSource(dir);
  validatedRules ??= readBundleFile<Readonly<Record<string, unknown>>>(VALIDATED_RULES_FILE);
  const [files, packs, validated] = await Promise.all([
    source.load(),
    source.loadPacks(),
    validatedRules,
    loadAnchorCaches(),
  ]);
  const outputs = validated.get(VALIDATED_RULE_SETS_KIND) ?? {};
  const cached = (document: RuleSetDocument): RuleSet | undefined => {
    const key = validatedRuleSetKey(document);
    return key !== undefined && Object.hasOwn(outputs, key) ? (outputs[key] as RuleSet) : undefined;
  };
  const fromCache = resolveRuleSetFiles(files, packs, (document) => {
    const ruleSet = cached(document);
    return ruleSet === undefined ? undefined : { ruleSet };
  });
  if (fromCache !== undefined) return fromCache;
  // A rule set the cache does not hold: resolved again with the schema, which loads zod.
  return (await import('../core/redaction/rule-catalog.ts')).resolveRuleSets(files, packs, cached);
}

/**
 * The key of a merged rule set document in {@link VALIDATED_RULES_FILE}: the SHA-256 of its JSON,
 * or `undefined` for a document JSON does not carry exactly (it is then always validated).
 */
export function validatedRuleSetKey(document: RuleSetDocument): string | undefined {
  return isJsonExact(document)
    ? createHash('sha256').update(JSON.stringify(document)).digest('hex')
    : undefined;
}

/**
 * Whether `JSON.parse(JSON.stringify(value))` deep-equals `value`: plain objects and dense arrays
 * of strings, finite numbers other than -0, booleans and null. (util.isDeepStrictEqual on the
 * round trip says the same, at ~8 ms for the two shipped rule sets at start, against well under one.)
 */
function isJsonExact(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || Object.getOwnPropertySymbols(value).length > 0) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || Object.keys(value).length !== value.length)
      return false;
    return value.every(isJsonExact);
  }
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isJsonExact);
}
