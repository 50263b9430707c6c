import { isMap, isPair, isScalar, isSeq, type Node, type YAMLError } from 'yaml';
import { z } from 'zod';
import { RuleValidationError } from '../errors.ts';
import { ruleFilePositions } from './rule-file-positions.ts';
import { formatRulePath, formatRuleValue, type RulePath } from './rule-path.ts';
import { type RuleSetDocument, ruleSetSchema } from './rule-schema.ts';

/** The text of one rule file and the name it is reported under. */
export interface RuleFileText {
  readonly file: string;
  readonly text: string;
  /**
   * What YAML reads from `text` (no errors, aliases expanded), when a cache already holds it
   * (see `PARSED_RULES_FILE`): the text is then parsed only when a message needs a position.
   */
  readonly value?: unknown;
  /**
   * The schema's output for `value`, when a cache holds it (see `VALIDATED_RULES_FILE`): `value`
   * is then not validated again.
   */
  readonly output?: unknown;
}

/** Passed to `toJS`: a billion-laughs document stops at 100 aliases. */
export const RULE_YAML_MAX_ALIAS_COUNT = 100;

/**
 * One validated rule file. `document` is the schema's *input* shape (defaults not applied), so
 * `extends` can merge parent and child before defaults fill the gaps.
 */
export interface RuleFileDocument {
  readonly file: string;
  readonly document: RuleSetDocument;
  /** `file:line:column` of the node at `path`, or of its deepest existing ancestor. */
  positionOf(path: RulePath): string;
}

/**
 * Parses and validates one rule file.
 *
 * YAML syntax errors and duplicate keys are reported first (the schema is not checked on a
 * document YAML could not read); otherwise every schema problem is reported. Each problem is
 * one line: `file:line:column: path: the value given; what is allowed`.
 *
 * @throws RuleValidationError listing every problem found in the file.
 */
export function parseRuleFile(
  text: string,
  file: string,
  value?: unknown,
  output?: unknown,
): RuleFileDocument {
  const { document, positionOf } = parseYamlFile(text, file, ruleSetSchema, value, output);
  // The schema's output carries defaults; the merge in `extends` needs what the file wrote.
  return { file, document: document as RuleSetDocument, positionOf };
}

/**
 * Parses one YAML file and validates it against `schema`, reporting problems as
 * {@link parseRuleFile} does. Returns the value as written (defaults not applied), the schema's
 * output (defaults applied), and where each path of it was written. Given the `value` YAML reads from `text` (a cache), the value is
 * validated as it is and the text parsed only if a position is asked for: parsing is most of the
 * cost of loading rules at start (0.2 s of CPU for the shipped packs, before YAML is warm). Given
 * also the schema's output for that value (a cache of values known valid), it is not validated
 * again: validating the shipped files is most of what is left (~35 ms at the start of serve).
 *
 * @throws RuleValidationError listing every problem found in the file.
 */
export function parseYamlFile<Schema extends z.ZodType>(
  text: string,
  file: string,
  schema: Schema,
  cachedValue?: unknown,
  cachedOutput?: unknown,
): { document: unknown; output: z.output<Schema>; positionOf(path: RulePath): string } {
  const { parsed, at, offsetOf, positionOf } = ruleFilePositions(text, file);
  if (cachedValue !== undefined && cachedOutput !== undefined) {
    return { document: cachedValue, output: cachedOutput as z.output<Schema>, positionOf };
  }
  let value = cachedValue;
  if (value === undefined) {
    const { yaml } = parsed();
    if (yaml.errors.length > 0) {
      throw new RuleValidationError(
        yaml.errors.map((error) => describeYamlError(error, yaml.contents, at)).join('\n'),
      );
    }
    try {
      value = yaml.toJS({ maxAliasCount: RULE_YAML_MAX_ALIAS_COUNT });
    } catch (cause) {
      throw new RuleValidationError(`${at(0)}: ${(cause as Error).message}`, { cause });
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues
      .flatMap((issue) => describeIssue(issue, value, offsetOf, schema))
      .sort((a, b) => a.offset - b.offset);
    throw new RuleValidationError(problems.map(({ offset, text }) => `${at(offset)}: ${text}`).join('\n'));
  }
  return { document: value, output: result.data, positionOf };
}

/**
 * Parses every rule file and reports the problems of all of them at once.
 *
 * @throws RuleValidationError listing every problem of every file, one per line.
 */
export function parseRuleFiles(sources: readonly RuleFileText[]): RuleFileDocument[] {
  const parsed: RuleFileDocument[] = [];
  const problems: string[] = [];
  for (const { file, text, value, output } of sources) {
    try {
      parsed.push(parseRuleFile(text, file, value, output));
    } catch (error) {
      if (!(error instanceof RuleValidationError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new RuleValidationError(problems.join('\n'));
  return parsed;
}

function describeYamlError(error: YAMLError, root: unknown, at: (offset: number) => string): string {
  const offset = error.pos[0];
  const path = pathAtOffset(root, offset);
  const where = path.length > 0 ? ` ${formatRulePath(path)}:` : '';
  if (error.code === 'DUPLICATE_KEY') {
    return `${at(offset)}:${where} duplicate key ${formatRuleValue(path.at(-1))}; each key may appear once in a mapping`;
  }
  return `${at(offset)}: YAML syntax error: ${error.message}`;
}

interface Problem {
  readonly offset: number;
  readonly text: string;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  root: unknown,
  offsetOf: (path: RulePath, wantKey?: boolean) => number,
  rootSchema: z.ZodType,
): Problem[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  const branch = issue.code === 'invalid_union' ? intendedBranch(issue) : undefined;
  if (branch !== undefined) {
    return branch.flatMap((inner) =>
      describeIssue({ ...inner, path: [...path, ...inner.path] }, root, offsetOf, rootSchema),
    );
  }
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path, root, rootSchema);
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const text = `${formatRulePath(keyPath)}: unknown key; allowed keys: ${allowed.join(', ')}`;
      return { offset: offsetOf(keyPath, true), text };
    });
  }
  const value = valueAt(root, path);
  const given = value === undefined ? 'missing' : `got ${formatRuleValue(value)}`;
  return [
    { offset: offsetOf(path), text: `${formatRulePath(path)}: ${given}; ${expectation(issue, value)}` },
  ];
}

/**
 * The issues of the one option of a union the value was meant for, if one stands out: of the
 * options whose type the value has, the one with the fewest issues (`likelihood: maybe` on a
 * `{ pack }` entry, not "a pack is its name, or …"). Else undefined: the union's own message.
 */
function intendedBranch(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  if (issue.discriminator !== undefined) return undefined;
  const candidates = issue.errors.filter(
    (issues) =>
      issues.length > 0 && !issues.some((inner) => inner.path.length === 0 && inner.code === 'invalid_type'),
  );
  const fewest = Math.min(...candidates.map((issues) => issues.length));
  const best = candidates.filter((issues) => issues.length === fewest);
  return best.length === 1 ? best[0] : undefined;
}

function expectation(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return `allowed: ${issue.values.map((v) => formatRuleValue(v)).join(', ')}`;
    case 'invalid_union': {
      // zod lists a discriminated union's values on the issue without typing them.
      const { options } = issue as { options?: unknown };
      if (issue.discriminator !== undefined && Array.isArray(options)) {
        return `allowed: ${options.map((v) => formatRuleValue(v)).join(', ')}`;
      }
      return issue.message;
    }
    case 'invalid_format':
      // The schema's own messages are noun phrases ("a kebab-case id such as …").
      return /^[A-Z]/.test(issue.message) ? issue.message : `expected ${issue.message}`;
    case 'invalid_type':
      return value === undefined
        ? `required (${issue.expected})`
        : issue.message.replace(/^Invalid input: /, '');
    default:
      return issue.message;
  }
}

/** The keys the schema accepts for the object at `path` (for a union, those of the matching option). */
function allowedKeys(path: RulePath, root: unknown, rootSchema: z.ZodType): string[] {
  let schemas: z.ZodType[] = [rootSchema];
  for (let i = 0; i <= path.length; i++) {
    const value = valueAt(root, path.slice(0, i));
    schemas = schemas.flatMap((schema) => unionOptions(unwrap(schema), value));
    if (i === path.length) break;
    const segment = path[i];
    schemas = schemas.flatMap((schema) => {
      if (schema instanceof z.ZodObject && typeof segment === 'string') {
        const child = (schema.shape as Record<string, z.ZodType>)[segment];
        return child ? [child] : [];
      }
      if (schema instanceof z.ZodArray && typeof segment === 'number') return [schema.element as z.ZodType];
      return [];
    });
  }
  const keys = new Set<string>();
  for (const schema of schemas)
    if (schema instanceof z.ZodObject) for (const key of Object.keys(schema.shape)) keys.add(key);
  return [...keys];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodNullable ||
    current instanceof z.ZodLazy
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function unionOptions(schema: z.ZodType, value: unknown): z.ZodType[] {
  if (!(schema instanceof z.ZodUnion)) return [schema];
  const options = (schema.options as readonly z.ZodType[]).map(unwrap);
  if (schema instanceof z.ZodDiscriminatedUnion && isRecord(value)) {
    const discriminator = schema.def.discriminator;
    const chosen = options.filter(
      (option) =>
        option instanceof z.ZodObject &&
        (option.shape as Record<string, z.ZodType>)[discriminator]?.safeParse(value[discriminator]).success,
    );
    if (chosen.length > 0) return chosen;
  }
  return options;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: RulePath): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current) && typeof segment === 'string') current = current[segment];
    else return undefined;
  }
  return current;
}

/** The path of the innermost map entry or sequence item whose source span holds `offset`. */
function pathAtOffset(root: unknown, offset: number): (string | number)[] {
  const path: (string | number)[] = [];
  const contains = (node: unknown): boolean => {
    const range = (node as Node | null | undefined)?.range;
    return (
      range !== undefined && range !== null && range[0] <= offset && offset < Math.max(range[2], range[0] + 1)
    );
  };
  let current = root;
  for (;;) {
    if (isMap(current)) {
      const pair = current.items.find((item) => isPair(item) && (contains(item.key) || contains(item.value)));
      if (!pair || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      if (contains(pair.key)) return path;
      current = pair.value;
    } else if (isSeq(current)) {
      const index = current.items.findIndex(contains);
      if (index < 0) return path;
      path.push(index);
      current = current.items[index];
    } else {
      return path;
    }
  }
}
