import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { RulePath } from './rule-path.ts';

/** How rule and pack files are read: the same options give the same value for the same text. */
export const RULE_YAML_OPTIONS = { prettyErrors: false, uniqueKeys: true } as const;

/** Where the parts of one rule or pack file were written; the text is parsed on the first question. */
export interface RuleFilePositions {
  /** The text parsed with {@link RULE_YAML_OPTIONS}, once. */
  parsed(): { readonly yaml: Document.Parsed; readonly lineCounter: LineCounter };
  /** `file:line:column` of a character offset of the text. */
  at(offset: number): string;
  /** The offset of the node at `path`, or of its deepest existing ancestor; with `wantKey`, of the last segment's key. */
  offsetOf(path: RulePath, wantKey?: boolean): number;
  /** `file:line:column` of the node at `path`, or of its deepest existing ancestor. */
  positionOf(path: RulePath): string;
}

/**
 * The positions in `text`, reported under `file`. Nothing is parsed until a position is asked
 * for: a file whose value and schema output a cache holds (`RuleFileText`) is loaded without
 * YAML, and a message that names a place parses it then.
 */
export function ruleFilePositions(text: string, file: string): RuleFilePositions {
  let parsed: { yaml: Document.Parsed; lineCounter: LineCounter } | undefined;
  const parse = () => {
    if (parsed !== undefined) return parsed;
    const lineCounter = new LineCounter();
    parsed = { yaml: parseDocument(text, { lineCounter, ...RULE_YAML_OPTIONS }), lineCounter };
    return parsed;
  };
  const at = (offset: number): string => {
    const { line, col } = parse().lineCounter.linePos(offset);
    return `${file}:${Math.max(line, 1)}:${col}`;
  };
  const offsetOf = (path: RulePath, wantKey = false): number =>
    locate(parse().yaml.contents, path, wantKey)?.range?.[0] ?? 0;
  return { parsed: parse, at, offsetOf, positionOf: (path) => at(offsetOf(path)) };
}

/** The deepest YAML node along `path`; with `wantKey`, the key node of the last segment when present. */
function locate(root: unknown, path: RulePath, wantKey: boolean): Node | undefined {
  let current = root as Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    let next: Node | undefined;
    if (isMap(current)) {
      const pair = current.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair && wantKey && i === path.length - 1) return pair.key as Node;
      next = (pair?.value ?? pair?.key) as Node | undefined;
    } else if (isSeq(current) && typeof segment === 'number') {
      next = current.items[segment] as Node | undefined;
    }
    if (next === undefined) return current;
    current = next;
  }
  return current;
}
