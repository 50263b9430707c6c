import { passwordDescriptions } from './password-descriptions.ts';

/**
 * Words that make a phrase under a password name a sentence about the password rather than a
 * passphrase (lower case, apostrophes dropped; see {@link isPassphrase}). Sentences need them
 * (`cannot be blank`, `must be 8 characters`, `stored in the vault`, `is too short`,
 * `doesn't match`, `enter your password`); a passphrase is words chosen to be remembered
 * (`correct horse battery staple`), which seldom holds one.
 *
 * - function words: articles and determiners, pronouns, prepositions, conjunctions, auxiliaries
 *   and modals, negations (contractions written without their apostrophe);
 * - what validation messages, forms and docs say around a password: `enter`, `characters`,
 *   `length`, `field`, `confirm`, `reset`, `login`, the names of the value (`password`), and
 *   when it happened (`last`, `ago`, `today`).
 */
export const phraseStopWords: ReadonlySet<string> = new Set([
  // Articles, determiners, quantifiers.
  'a',
  'an',
  'the',
  'this',
  'that',
  'these',
  'those',
  'each',
  'every',
  'any',
  'all',
  'some',
  'no',
  'none',
  'another',
  'other',
  'such',
  'same',
  'both',
  'either',
  'neither',
  'only',
  'just',
  'also',
  'very',
  'too',
  'so',
  'than',
  'then',
  'there',
  // Pronouns.
  'i',
  'me',
  'my',
  'you',
  'your',
  'he',
  'him',
  'his',
  'she',
  'her',
  'it',
  'its',
  'we',
  'us',
  'our',
  'they',
  'them',
  'their',
  'who',
  'whom',
  'whose',
  'which',
  'what',
  'where',
  'when',
  'why',
  'how',
  // Prepositions.
  'of',
  'to',
  'in',
  'on',
  'at',
  'by',
  'for',
  'from',
  'with',
  'without',
  'within',
  'into',
  'onto',
  'about',
  'above',
  'below',
  'over',
  'under',
  'after',
  'before',
  'between',
  'through',
  'during',
  'per',
  'via',
  'against',
  'since',
  'until',
  'upon',
  // Conjunctions (not and: salt and pepper is words to remember as well).
  'or',
  'but',
  'nor',
  'if',
  'unless',
  'because',
  'while',
  'whether',
  'though',
  'although',
  // Auxiliaries, modals, negations.
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'being',
  'am',
  'do',
  'does',
  'did',
  'done',
  'has',
  'have',
  'had',
  'having',
  'can',
  'cannot',
  'could',
  'will',
  'would',
  'shall',
  'should',
  'may',
  'might',
  'must',
  'need',
  'needs',
  'not',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'dont',
  'doesnt',
  'didnt',
  'cant',
  'wont',
  'shouldnt',
  'couldnt',
  'wouldnt',
  'hasnt',
  'havent',
  'aint',
  // What messages, forms and docs say around a password.
  'please',
  'enter',
  'type',
  'set',
  'use',
  'used',
  'using',
  'see',
  'ask',
  'contact',
  'check',
  'contain',
  'contains',
  'include',
  'includes',
  'match',
  'character',
  'characters',
  'chars',
  'letter',
  'letters',
  'digit',
  'digits',
  'symbol',
  'symbols',
  'length',
  'long',
  'short',
  'minimum',
  'maximum',
  'min',
  'max',
  'least',
  'most',
  'more',
  'less',
  'field',
  'value',
  'input',
  'format',
  'blank',
  'empty',
  'null',
  'password',
  'passwords',
  'passphrase',
  'passwd',
  'new',
  'old',
  'current',
  'confirm',
  'confirmation',
  'repeat',
  'retype',
  'reset',
  'forgot',
  'forgotten',
  'change',
  'login',
  'user',
  'username',
  'account',
  'error',
  'last',
  'next',
  'ago',
  'today',
  'yesterday',
]);

/** What stands for a value instead of being one: a template or format reference, a mask, a stand-in mark. */
const standIn = /\{\{|\$\{|%\{|<%|%[sd]\b|^\$|fake|dummy|placeholder|redacted|xxxx|\*{3}/i;

/** Most words a passphrase holds: more make a sentence. */
const maxWords = 8;

/**
 * True for a value of two to eight words assigned to a password name that can be a passphrase
 * (`correct horse battery staple`, `Two Words Here`) rather than a sentence about a password:
 * none of its words is a function word or a word of validation messages and forms
 * ({@link phraseStopWords}), its last word is no word that describes a password
 * (`passwordDescriptions`: a message puts its verdict last, `value missing`, `check failed`,
 * while a passphrase may start with one, as `correct horse battery staple` does), and it is no
 * template reference, mask or stand-in (`{{ .Values.password }}`, `*** hidden ***`,
 * `fake pass phrase`).
 *
 * @example
 * isPassphrase('correct horse battery staple'); // true
 * isPassphrase('cannot be blank'); // false
 */
export function isPassphrase(value: string): boolean {
  if (standIn.test(value)) return false;
  const words = value
    .split(/\s+/)
    .map((word) =>
      word
        .toLowerCase()
        .replace(/['’]/g, '')
        .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, ''),
    )
    .filter((word) => word !== '');
  if (words.length < 2 || words.length > maxWords) return false;
  if (words.some((word) => phraseStopWords.has(word))) return false;
  return !passwordDescriptions.has(words[words.length - 1] as string);
}
