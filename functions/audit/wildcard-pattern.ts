/**
 * IAM wildcard patterns (`*` any run of characters, `?` one character), as in the `Action` and
 * `Resource` elements of a policy
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 * Both sides of `patternsIntersect` and `patternCovers` may be patterns, so a question such as "may
 * this key read some object of `arn:aws:s3:::b/*`" is answered without enumerating objects.
 */

/** Whether `pattern` matches the literal string `value`. */
export function wildcardMatches(pattern: string, value: string): boolean {
  // Iterative matcher with single backtrack point: linear in practice, never exponential.
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < value.length) {
    const token = pattern[p];
    if (token === '*') {
      starP = p++;
      starV = v;
    } else if (p < pattern.length && (token === '?' || token === value[v])) {
      p++;
      v++;
    } else if (starP >= 0) {
      p = starP + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether some string matches both `a` and `b`. */
export function patternsIntersect(a: string, b: string): boolean {
  // Each star may absorb tokens of the other pattern.
  return reachesBothEnds(a.length, b.length, (i, j) => {
    const x = a[i];
    const y = b[j];
    if (x === '*')
      return j < b.length
        ? [
            [i + 1, j],
            [i, j + 1],
          ]
        : [[i + 1, j]];
    if (y === '*')
      return i < a.length
        ? [
            [i, j + 1],
            [i + 1, j],
          ]
        : [[i, j + 1]];
    if (x === undefined || y === undefined) return [];
    return x === '?' || y === '?' || x === y ? [[i + 1, j + 1]] : [];
  });
}

/**
 * Whether every string `inner` matches is also matched by `outer`. Sound, not complete: `true` is
 * always right; a `false` may be a containment too subtle to prove here. Callers use it where a
 * wrong `false` errs on the side of reporting a risk (a deny that is not proven to cover a grant
 * does not remove it).
 */
export function patternCovers(outer: string, inner: string): boolean {
  return reachesBothEnds(outer.length, inner.length, (i, j) => {
    const x = outer[i];
    const y = inner[j];
    // The outer star matches nothing more, or absorbs one more token of inner (a star included).
    if (x === '*')
      return j < inner.length
        ? [
            [i + 1, j],
            [i, j + 1],
          ]
        : [[i + 1, j]];
    if (x === undefined || y === undefined || y === '*') return [];
    return x === '?' || x === y ? [[i + 1, j + 1]] : [];
  });
}

/**
 * Depth-first search over alignments (i, j) of two patterns of lengths `lengthA` and `lengthB`,
 * from (0, 0), each visited once, following `next`: true when it reaches both ends together.
 */
function reachesBothEnds(
  lengthA: number,
  lengthB: number,
  next: (i: number, j: number) => Array<[number, number]>,
): boolean {
  const seen = new Set<number>();
  const width = lengthB + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const id = i * width + j;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === lengthA && j === lengthB) return true;
    stack.push(...next(i, j));
  }
  return false;
}
