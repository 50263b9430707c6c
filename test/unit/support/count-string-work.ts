type Method = (this: unknown, ...args: unknown[]) => unknown;
type Cost = (self: unknown, args: unknown[], result: unknown) => number;

/** Characters from `from` to where the search stopped: at the match, or at the end. */
const searched: Cost = (self, [, from], found) =>
  ((found as number) < 0 ? (self as string).length : (found as number) + 1) -
  Math.max(0, (from as number) ?? 0);

/** Characters in the string made. */
const made: Cost = (_self, _args, result) => (result as string).length;

/**
 * Runs `run` and returns the characters it searched and copied through `String.prototype`'s
 * `indexOf`, `includes` and `slice` and `Array.prototype.join`: work that a test can bound
 * without timing anything. `+` only links strings (V8 joins them when they are searched, where
 * the search counts). The methods are restored before it returns, whatever `run` does.
 */
export function countStringWork(run: () => void): number {
  let work = 0;
  const counted: [Record<string, Method>, string, Cost][] = [
    [String.prototype as never, 'indexOf', searched],
    // At most the whole string: it stops at a match, it says not where.
    [String.prototype as never, 'includes', (self) => (self as string).length],
    [String.prototype as never, 'slice', made],
    [Array.prototype as never, 'join', made],
  ];
  const originals = counted.map(([owner, name]) => owner[name] as Method);
  counted.forEach(([owner, name, cost], i) => {
    const original = originals[i] as Method;
    owner[name] = function (this: unknown, ...args: unknown[]): unknown {
      const result = Reflect.apply(original, this, args);
      work += cost(this, args, result);
      return result;
    };
  });
  try {
    run();
  } finally {
    counted.forEach(([owner, name], i) => {
      owner[name] = originals[i] as Method;
    });
  }
  return work;
}
