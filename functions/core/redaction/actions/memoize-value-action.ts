import type { ValueAction } from '../redactor.ts';

/** Longest value remembered: names, ids and emails fit; longer values rarely repeat. */
const MAX_VALUE_CHARS = 64;
/** Characters of values and results remembered per action (about 1 MiB as UTF-16). */
const MAX_MEMO_CHARS = 512 * 1024;
/**
 * Values of a batch looked up before the rest are: when none is remembered, the rest are not
 * looked up. Four misses in a row leave little chance of many hits after them, and each probe of
 * a column that never repeats is paid on every batch.
 */
const PROBE_VALUES = 4;

/**
 * Wraps a deterministic keyed action (`hash`, `tokenize`) with a bounded memo of its results.
 * Columns such as names repeat a few thousand values millions of times, and a lookup costs far
 * less than an HMAC or AES-SIV. Once full the memo stops taking values instead of evicting, so
 * a column that never repeats (uuids) costs one failed lookup per value and no churn, and a
 * batch of them (`many`, which every memoized action has) hardly any lookup.
 * Remembered values are copied, so they do not keep alive the chunk they were sliced from.
 *
 * @example
 * ```ts
 * const apply = memoizeValueAction(hashAction({ type: 'hash', bytes: 8 }, hmacKey));
 * apply('alice') === apply('alice'); // true; the second call does not hash
 * ```
 */
export function memoizeValueAction(action: ValueAction): ValueAction {
  const memo = new Map<string, string>();
  let chars = 0;
  function remember(value: string, result: string | undefined): void {
    if (result !== undefined && chars + value.length + result.length <= MAX_MEMO_CHARS) {
      memo.set(copyOf(value), result);
      chars += value.length + result.length;
    }
  }
  const apply = (value: string): string | undefined => {
    if (value.length > MAX_VALUE_CHARS) return action(value);
    const known = memo.get(value);
    if (known !== undefined) return known;
    const result = action(value);
    remember(value, result);
    return result;
  };
  // An action without a `many` of its own takes the values not remembered one at a time: a CSV
  // column then still comes as a batch (see csv-ruled-cells.ts).
  const many = action.many ?? ((values: readonly string[]) => values.map((value) => action(value)));
  return Object.assign(apply, {
    // The values not remembered go to the action's own `many` together. When the memo is full
    // and the first lookups of a batch all fail (a column of unique ids), the whole batch goes
    // there without more lookups: one (hashing a fresh slice, ~360 ns for a uuid) costs more
    // than the HMAC of a value in a batch (~240 ns), and such a column would pay it for nothing.
    many(values: readonly string[]): (string | undefined)[] {
      const results = new Array<string | undefined>(values.length);
      const missed: string[] = [];
      const missedAt: number[] = [];
      // Full: no room left for a value and result of the longest remembered length.
      const isFull = chars + 2 * MAX_VALUE_CHARS > MAX_MEMO_CHARS;
      for (let i = 0; i < values.length; i++) {
        if (isFull && i === PROBE_VALUES && missed.length === PROBE_VALUES) return many(values);
        const value = values[i] as string;
        const known = value.length > MAX_VALUE_CHARS ? undefined : memo.get(value);
        if (known !== undefined) {
          results[i] = known;
        } else {
          missed.push(value);
          missedAt.push(i);
        }
      }
      if (missed.length === 0) return results;
      const computed = many(missed);
      for (let i = 0; i < missed.length; i++) {
        const value = missed[i] as string;
        const result = computed[i];
        results[missedAt[i] as number] = result;
        if (value.length <= MAX_VALUE_CHARS) remember(value, result);
      }
      return results;
    },
  });
}

/** A string with its own storage: V8 may represent a slice as a view on its parent. */
function copyOf(value: string): string {
  return Buffer.from(value, 'utf16le').toString('utf16le');
}
