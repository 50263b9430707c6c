import type { CompiledFieldRule, CompiledRuleSet, FieldPath, Redactor } from '../redactor.ts';
import type { Scanner } from '../scanner.ts';
import { type BodySiblingRole, bodySiblingRole } from './encoded-body.ts';
import { literalPrint } from './json-scan-text.ts';
import { needsEscape } from './json-string-encoder.ts';
import { isNamedField, isNamingField } from './sibling-names.ts';

/** Paths remembered before the cache starts over (at the next top-level value). */
const MAX_NODES = 8192;

/** The one child shared by every array element when no rule names an index. */
const ANY_INDEX = Symbol('any index');

/** A path from the root; `rule` is known for paths that end in a key. */
export interface PathNode {
  /** The last segment: a key, an array index, or none for the root. */
  readonly key: string | undefined;
  readonly rule: CompiledFieldRule | undefined;
  /** The scanner for values at this path: the keys along it are context (see `Scanner.named`). */
  readonly scanner: Scanner;
  readonly children: Map<string | number | typeof ANY_INDEX, PathNode>;
  /**
   * A key that names its object's other members (`name`, …), or is named by one (`value`, …):
   * see `sibling-names.ts`; or a member of an object holding a base64 body (`text`,
   * `encoding`, `mimeType`): see `encoded-body.ts`.
   */
  readonly sibling: 'naming' | 'named' | BodySiblingRole | undefined;
  /**
   * The key needs no escape in JSON and holds no surrogate: a plain string literal (see
   * `PlainStrings`) that starts with its text and a quote is this key.
   */
  readonly isPlainKey: boolean;
  /** A plain key's first characters as the batch scan kernel writes a string's (see `literalPrint`). */
  readonly keyPrint: Int32Array | undefined;
  /** The key that came first in the object at this path last time (see `FieldRuleCache.follow`). */
  firstKey: PathNode | undefined;
  /** The key that followed this one in its object last time. */
  nextKey: PathNode | undefined;
  /**
   * The detectors found nothing in the key (with the scanner of the path it hangs from), so
   * they need not run on it again: a node stands for one key under one path.
   */
  isCleanKey: boolean;
}

/**
 * Remembers the field rule and the scanner of each path, as a tree keyed by path segment.
 * Records of one object repeat the same paths, and matching a path against every rule (names
 * folded, globs expanded) costs more than looking up one segment. Exact, as both depend on the
 * path only; elements of an array share one subtree unless a rule's path names an index.
 * Bounded: past `MAX_NODES` paths, new paths are looked up without being remembered until the
 * next top-level value starts a fresh tree.
 */
export class FieldRuleCache {
  private readonly redactor: Redactor;
  private root: PathNode;
  private size = 0;
  private readonly isIndexSensitive: boolean;
  private readonly isPathSensitive: boolean;
  /**
   * Without rules that have paths, what a key's node holds depends on the key and the scanner
   * of the path above it only: remembered by those for keys met under many paths (the fields of
   * records in a map keyed by ids, whose every record is a new path), and shared by the runs of
   * one rule set (see {@link KeyFactsMemo}).
   */
  private readonly keys: KeyFactsMemo;

  constructor(redactor: Redactor) {
    this.redactor = redactor;
    this.isIndexSensitive = redactor.ruleSet.fieldRules.some((rule) => rule.isIndexSensitive);
    this.isPathSensitive = redactor.ruleSet.fieldRules.some((rule) => rule.isPathSensitive);
    this.keys = keyFactsOf(redactor.ruleSet);
    this.root = this.newRoot();
  }

  /** The node of the empty path, for a new top-level value. */
  start(): PathNode {
    if (this.size >= MAX_NODES) {
      this.root = this.newRoot();
      this.size = 0;
    }
    return this.root;
  }

  private newRoot(): PathNode {
    return {
      key: undefined,
      rule: undefined,
      scanner: this.redactor.scanner,
      children: new Map(),
      sibling: undefined,
      isPlainKey: false,
      keyPrint: undefined,
      firstKey: undefined,
      nextKey: undefined,
      isCleanKey: false,
    };
  }

  /**
   * The node of `path`, which is `parent`'s path plus `segment`; the rule is looked up, and the
   * scanner named, for keys.
   */
  child(parent: PathNode, segment: string | number, path: FieldPath): PathNode {
    const slot = typeof segment === 'number' && !this.isIndexSensitive ? ANY_INDEX : segment;
    const known = parent.children.get(slot);
    if (known !== undefined) return known;
    const facts = typeof segment === 'string' ? this.keyFacts(parent.scanner, segment, path) : undefined;
    const node: PathNode = {
      key: facts?.key,
      rule: facts?.rule,
      scanner: facts?.scanner ?? parent.scanner,
      children: new Map(),
      sibling: facts?.sibling,
      isPlainKey: facts?.isPlainKey ?? false,
      keyPrint: facts?.keyPrint,
      firstKey: undefined,
      nextKey: undefined,
      isCleanKey: false,
    };
    if (this.size < MAX_NODES) {
      parent.children.set(slot, node);
      this.size++;
    }
    return node;
  }

  /** The rule, scanner and role of `key` at `path`, under a path whose scanner is `scanner`. */
  private keyFacts(scanner: Scanner, key: string, path: FieldPath): KeyFacts {
    const known = this.isPathSensitive ? undefined : this.keys.byScanner.get(scanner)?.get(key);
    if (known !== undefined) return known;
    const isPlainKey = !needsEscape(key);
    const facts: KeyFacts = {
      key,
      rule: this.redactor.fieldRule(path),
      scanner: scanner.named(key),
      sibling: siblingRole(key),
      isPlainKey,
      keyPrint: isPlainKey ? literalPrint(key) : undefined,
    };
    if (this.isPathSensitive) return facts;
    const memo = this.keys;
    if (memo.count >= MAX_NODES) {
      memo.byScanner.clear();
      memo.count = 0;
    }
    let byKey = memo.byScanner.get(scanner);
    if (byKey === undefined) {
      byKey = new Map();
      memo.byScanner.set(scanner, byKey);
    }
    byKey.set(key, facts);
    memo.count++;
    return facts;
  }

  /**
   * The key expected next in the object at `parent`, after the key `previous` (none: the
   * first): the one that came there last time. Records of one shape repeat their keys in the
   * same order, so a caller that finds the expected name in its text takes this node instead
   * of cutting the name out and looking it up. Remember what came with {@link follow}.
   */
  expected(parent: PathNode, previous: PathNode | undefined): PathNode | undefined {
    return previous === undefined ? parent.firstKey : previous.nextKey;
  }

  /** Remembers that `key` came after `previous` (none: first) in the object at `parent`. */
  follow(parent: PathNode, previous: PathNode | undefined, key: PathNode): void {
    if (previous === undefined) parent.firstKey = key;
    else previous.nextKey = key;
  }
}

/** What a key's node holds besides its place in the tree. */
type KeyFacts = Pick<PathNode, 'key' | 'rule' | 'scanner' | 'sibling' | 'isPlainKey' | 'keyPrint'>;

/**
 * The facts of keys by the scanner of the path above them and the key, at most `MAX_NODES`
 * (cleared past that). They depend on the rule set only, so the runs of one rule set (one per
 * object) share them: each object no longer names a scanner for every key of its records again.
 */
interface KeyFactsMemo {
  readonly byScanner: Map<Scanner, Map<string, KeyFacts>>;
  count: number;
}

const keyFactsByRuleSet = new WeakMap<CompiledRuleSet, KeyFactsMemo>();

function keyFactsOf(ruleSet: CompiledRuleSet): KeyFactsMemo {
  let memo = keyFactsByRuleSet.get(ruleSet);
  if (memo === undefined) {
    memo = { byScanner: new Map(), count: 0 };
    keyFactsByRuleSet.set(ruleSet, memo);
  }
  return memo;
}

function siblingRole(key: string): PathNode['sibling'] {
  if (isNamingField(key)) return 'naming';
  return isNamedField(key) ? 'named' : bodySiblingRole(key);
}
