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
  const seen = new Set<number>();
  const width = b.length + 1;
  // Depth-first over alignments (i, j); each star may absorb tokens of the other pattern.
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const id = i * width + j;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    if (x === '*') {
      stack.push([i + 1, j]);
      if (j < b.length) stack.push([i, j + 1]);
      continue;
    }
    if (y === '*') {
      stack.push([i, j + 1]);
      if (i < a.length) stack.push([i + 1, j]);
      continue;
    }
    if (x === undefined || y === undefined) continue;
    if (x === '?' || y === '?' || x === y) stack.push([i + 1, j + 1]);
  }
  return false;
}

/**
 * Whether every string `inner` matches is also matched by `outer`. Sound, not complete: `true` is
 * always right; a `false` may be a containment too subtle to prove here. Callers use it where a
 * wrong `false` errs on the side of reporting a risk (a deny that is not proven to cover a grant
 * does not remove it).
 */
export function patternCovers(outer: string, inner: string): boolean {
  const seen = new Set<number>();
  const width = inner.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const id = i * width + j;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === outer.length && j === inner.length) return true;
    const x = outer[i];
    const y = inner[j];
    if (x === '*') {
      // The outer star matches nothing more, or absorbs one more token of inner (a star included).
      stack.push([i + 1, j]);
      if (j < inner.length) stack.push([i, j + 1]);
      continue;
    }
    if (x === undefined || y === undefined || y === '*') continue;
    if (x === '?' || x === y) stack.push([i + 1, j + 1]);
  }
  return false;
}
