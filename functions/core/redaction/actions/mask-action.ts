import type { ValueAction } from '../redactor.ts';
import type { Action } from '../rule-schema.ts';

/** The `mask` action as configured in a rule file (defaults applied). */
export type MaskAction = Extract<Action, { type: 'mask' }>;

const MASKABLE = /^[\p{L}\p{N}]$/u;

/**
 * Masks letters and digits with `char`, keeping the first `keepFirst` and last `keepLast` of them
 * (counted over letters and digits only). Other characters are kept when `keepSeparators`, else
 * masked too unless they lie inside the kept head or tail. Length in code points is preserved.
 *
 * Fails closed: when `keepFirst + keepLast` would reveal every letter and digit, all are masked.
 *
 * @example
 * ```ts
 * const mask = maskAction({ type: 'mask', char: '*', keepFirst: 0, keepLast: 4, keepSeparators: true });
 * mask('123-45-6789'); // '***-**-6789'
 * ```
 */
export function maskAction(action: MaskAction): ValueAction {
  return (value) => {
    const chars = Array.from(value);
    const maskable = chars.filter((char) => MASKABLE.test(char)).length;
    const revealsAll = action.keepFirst + action.keepLast >= maskable;
    const keepFirst = revealsAll ? 0 : action.keepFirst;
    const tailStart = revealsAll ? maskable : maskable - action.keepLast;
    let seen = 0;
    let out = '';
    for (const char of chars) {
      if (MASKABLE.test(char)) {
        seen++;
        out += seen <= keepFirst || seen > tailStart ? char : action.char;
      } else {
        out += action.keepSeparators || seen < keepFirst || seen > tailStart ? char : action.char;
      }
    }
    return out;
  };
}
