import { phraseStopWords } from './passphrase.ts';

/**
 * Words of six letters or more that, ending a sentence such as `the password is …`, say what the
 * password is like rather than what it is (lower case; see {@link isProseDescription}): its
 * strength and kind (`secure`, `complex`, `numeric`), how it is kept or shown (`plaintext`,
 * `visible`), how it compares (`longer`, `different`), and words of time and degree
 * (`always`, `already`). Participles and adverbs (`rotated`, `expiring`, `usually`) and
 * adjectives in -able and -ible (`readable`, `visible`) are told by their endings.
 */
const proseDescriptions: ReadonlySet<string> = new Set([
  'secure',
  'insecure',
  'unsafe',
  'plaintext',
  'cleartext',
  'temporary',
  'permanent',
  'lowercase',
  'uppercase',
  'numeric',
  'alphanumeric',
  'complex',
  'longer',
  'shorter',
  'weaker',
  'stronger',
  'different',
  'identical',
  'unique',
  'common',
  'private',
  'public',
  'static',
  'fixed',
  'always',
  'already',
  'anymore',
  'enough',
  'itself',
  'instead',
  'unset',
]);

/** Endings of participles, adverbs and -able / -ible adjectives (`rotated`, `expiring`, `usually`, `readable`). */
const describingEnding = /(?:ed|ing|ly|able|ible)$/i;

/**
 * True for a word that, after `the password is` or `pw:` in prose, describes the password
 * rather than being it, beyond the words that describe one in assignments
 * (`passwordDescriptions`, which the `password` validator checks): a word above (`secure`,
 * `plaintext`), a participle, adverb or -able / -ible adjective (`rotated`, `expiring`,
 * `usually`, `readable`), or a function word or word of messages (`phraseStopWords`: `cannot`,
 * `characters`). Words people choose as passwords (`sunshine`, `letmein`) and values holding
 * more than letters (`hunter2`) are none.
 *
 * @example
 * isProseDescription('rotated'); // true
 * isProseDescription('sunshine'); // false
 */
export function isProseDescription(value: string): boolean {
  if (!/^[A-Za-z]+$/.test(value)) return false;
  const word = value.toLowerCase();
  return proseDescriptions.has(word) || phraseStopWords.has(word) || describingEnding.test(word);
}
