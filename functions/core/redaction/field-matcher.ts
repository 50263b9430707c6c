import type { FieldPath } from './redactor.ts';

/** Folds a key or header for comparison: `First Name`, `first_name` and `firstName` are equal. */
export function normalizeFieldName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Builds the predicate of a field rule: `names` match the last key at any depth (or a CSV
 * header); `paths` match the whole path from the root, `*` one segment and `**` any number.
 */
export function createFieldMatcher(
  names: readonly string[],
  paths: readonly string[],
): (path: FieldPath) => boolean {
  const nameSet = new Set(names.map(normalizeFieldName));
  const patterns = paths.map((path) =>
    path
      .split('.')
      .map((segment) => (segment === '*' || segment === '**' ? segment : normalizeFieldName(segment))),
  );
  return (path) => {
    const last = path[path.length - 1];
    if (typeof last === 'string' && nameSet.has(normalizeFieldName(last))) return true;
    if (patterns.length === 0) return false;
    const segments = path.map((segment) =>
      typeof segment === 'number' ? String(segment) : normalizeFieldName(segment),
    );
    return patterns.some((pattern) => matchSegments(pattern, 0, segments, 0));
  };
}

/** True when a path pattern has a literal array index segment, such as `items.0.card`. */
export function namesArrayIndex(paths: readonly string[]): boolean {
  return paths.some((path) => path.split('.').some((segment) => /^[0-9]+$/.test(segment)));
}

function matchSegments(pattern: readonly string[], p: number, path: readonly string[], s: number): boolean {
  if (p === pattern.length) return s === path.length;
  const head = pattern[p];
  if (head === '**') {
    for (let skip = s; skip <= path.length; skip++)
      if (matchSegments(pattern, p + 1, path, skip)) return true;
    return false;
  }
  if (s === path.length) return false;
  return (head === '*' || head === path[s]) && matchSegments(pattern, p + 1, path, s + 1);
}
