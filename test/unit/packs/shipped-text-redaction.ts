import fc from 'fast-check';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { hasPlaceholderRun } from '../../../functions/core/redaction/validators/placeholder-run.ts';
import { shippedRuleSet, withoutTextFields } from '../../support/shipped-rules.ts';

/** The shipped `default` rule set (the secrets pack among its packs), its detectors alone in text. */
const compiled = withoutTextFields(await shippedRuleSet('default'));

/** `text` redacted by the shipped default rules' detectors as a text object would be. */
export function redactAsText(text: string): string {
  const formatRedactor = createFormatRedactor('text', new Redactor(compiled));
  return formatRedactor.push(text) + formatRedactor.end();
}

export const alphanumerics = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const base64 = `${alphanumerics}+/`;

/** Marks of a stand-in for a secret (see `randomOver`). */
const STAND_IN_MARK = /fake|dummy|placeholder|redacted|changeme|xxxx/i;

/**
 * True when `value` is marked as a stand-in the way the shipped validators mark one (`fake`,
 * `dummy`, `placeholder`, `redacted`, `changeme`, `xxxx` or a placeholder run: see
 * `not-placeholder` and `password`). A value built from pieces must be checked whole: `F` and
 * `aKEaaa` were each clean, `FaKEaaa2!` is not.
 */
export function isStandIn(value: string): boolean {
  return STAND_IN_MARK.test(value) || hasPlaceholderRun(value);
}

/**
 * Uniform random strings over `alphabet` (no bias towards repeated characters, as real secrets),
 * none marked as a stand-in the way the shipped validators mark one (`fake`, `dummy`,
 * `placeholder`, `redacted`, `changeme`, `xxxx` or a placeholder run: see `not-placeholder` and
 * `password`): such a value is kept on purpose, so a property that a random secret is redacted
 * must not draw one (a password holding `FAKE` was drawn once in about 28,000 runs).
 */
export function randomOver(alphabet: string, minLength: number, maxLength = minLength): fc.Arbitrary<string> {
  return fc.noBias(
    fc
      .array(fc.integer({ min: 0, max: alphabet.length - 1 }), { minLength, maxLength })
      .map((indexes) => indexes.map((index) => alphabet.charAt(index)).join(''))
      .filter((value) => !isStandIn(value)),
  );
}

/** Shannon entropy of `value` in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / value.length) * Math.log2(count / value.length);
  return bits;
}
