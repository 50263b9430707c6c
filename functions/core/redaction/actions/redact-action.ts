import { oneByteText } from '../one-byte-text.ts';
import type { ValueAction } from '../redactor.ts';
import type { Action } from '../rule-schema.ts';

/** The `redact` action as configured in a rule file. */
export type RedactAction = Extract<Action, { type: 'redact' }>;

/**
 * Replaces every value with its typed label, `[LABEL]`: the action's label, else the rule's.
 *
 * @example
 * ```ts
 * redactAction({ type: 'redact' }, { label: 'EMAIL' })('alice@example.com'); // '[EMAIL]'
 * ```
 */
export function redactAction(action: RedactAction, rule: { label: string }): ValueAction {
  // Labels are read from rule files: see `oneByteText`.
  const replacement = oneByteText(`[${action.label ?? rule.label}]`);
  return Object.assign(() => replacement, { constant: replacement });
}
