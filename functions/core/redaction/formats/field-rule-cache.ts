import type { CompiledFieldRule, FieldPath, Redactor } from '../redactor.ts';

/** Paths remembered before the cache starts over (at the next top-level value). */
const MAX_NODES = 8192;

/** The one child shared by every array element when no rule names an index. */
const ANY_INDEX = Symbol('any index');

/** A path from the root; `rule` is known for paths that end in a key. */
export interface PathNode {
  readonly rule: CompiledFieldRule | undefined;
  readonly children: Map<string | number | typeof ANY_INDEX, PathNode>;
}

/**
 * Remembers the field rule of each path, as a tree keyed by path segment. Records of one
 * object repeat the same paths, and matching a path against every rule (names folded, globs
 * expanded) costs more than looking up one segment. Exact, as a rule's verdict depends on the
 * path only; elements of an array share one subtree unless a rule's path names an index. Bounded: past `MAX_NODES` paths, new paths are looked up without being
 * remembered until the next top-level value starts a fresh tree.
 */
export class FieldRuleCache {
  private readonly redactor: Redactor;
  private root: PathNode = { rule: undefined, children: new Map() };
  private size = 0;
  private readonly isIndexSensitive: boolean;

  constructor(redactor: Redactor) {
    this.redactor = redactor;
    this.isIndexSensitive = redactor.ruleSet.fieldRules.some((rule) => rule.isIndexSensitive);
  }

  /** The node of the empty path, for a new top-level value. */
  start(): PathNode {
    if (this.size >= MAX_NODES) {
      this.root = { rule: undefined, children: new Map() };
      this.size = 0;
    }
    return this.root;
  }

  /** The node of `path`, which is `parent`'s path plus `segment`; the rule is looked up for keys. */
  child(parent: PathNode, segment: string | number, path: FieldPath): PathNode {
    const slot = typeof segment === 'number' && !this.isIndexSensitive ? ANY_INDEX : segment;
    const known = parent.children.get(slot);
    if (known !== undefined) return known;
    const node: PathNode = {
      rule: typeof segment === 'string' ? this.redactor.fieldRule(path) : undefined,
      children: new Map(),
    };
    if (this.size < MAX_NODES) {
      parent.children.set(slot, node);
      this.size++;
    }
    return node;
  }
}
