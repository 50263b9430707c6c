import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFieldMatcher, splitFieldName } from '../../functions/core/redaction/field-matcher.ts';
import { fieldRuleSchema } from '../../functions/core/redaction/rule-schema.ts';
import { conventions, fieldName, flat } from '../support/planted-fields.ts';

const neutral = fc.constantFrom('db', 'user', 'prod', 'x', 'raw', 'value', 'new', '2');

describe('splitFieldName', () => {
  it('splits snake, kebab, spaced, dotted, camel and Pascal case, acronyms and digits into words', () => {
    expect(splitFieldName('AWSSecretAccessKey_2')).toEqual(['aws', 'secret', 'access', 'key', '2']);
    expect(splitFieldName('aws_secret_access_key')).toEqual(['aws', 'secret', 'access', 'key']);
    expect(splitFieldName('X-Auth-Token')).toEqual(['x', 'auth', 'token']);
    expect(splitFieldName('Session Token')).toEqual(['session', 'token']);
    expect(splitFieldName('sessionToken')).toEqual(['session', 'token']);
    expect(splitFieldName('address.line1')).toEqual(['address', 'line', '1']);
    expect(splitFieldName('APIKey')).toEqual(['api', 'key']);
    expect(splitFieldName('--')).toEqual([]);
  });
});

describe('createFieldMatcher words', () => {
  it('matches an entry as words in a row anywhere in a name, in every case convention', () => {
    const matches = createFieldMatcher({ words: ['session token', 'password'] });
    fc.assert(
      fc.property(
        fieldName(
          fc
            .tuple(
              fc.array(neutral, { maxLength: 2 }),
              fc.constantFrom(['session', 'token'], ['password']),
              fc.array(neutral, { maxLength: 2 }),
            )
            .map(([before, entry, after]) => [...before, ...entry, ...after]),
        ),
        (name) => {
          expect(matches([name])).toBe(true);
          expect(matches(['outer', 3, name])).toBe(true);
        },
      ),
    );
  });

  it('matches an entry written without separators as one word, and one word as the entry', () => {
    const matches = createFieldMatcher({ words: ['session token', 'api key', 'customerName'] });
    for (const name of [
      'sessiontoken',
      'SESSIONTOKEN',
      'apikey',
      'x_apikey',
      'customer_name',
      'CustomerName',
    ]) {
      expect(matches([name]), name).toBe(true);
    }
  });

  it('does not match words that only start or end like an entry, or entries out of order', () => {
    const matches = createFieldMatcher({ words: ['token', 'secret', 'auth'] });
    for (const name of ['tokenizer_version', 'detokenize', 'secretary', 'author', 'TokenizerVersion']) {
      expect(matches([name]), name).toBe(false);
    }
    const inOrder = createFieldMatcher({ words: ['session token'] });
    for (const name of ['token_session', 'session_id_token', 'sessions'])
      expect(inOrder([name]), name).toBe(false);
  });

  it('lets one lower-case word go on past the entry where it has a *', () => {
    const matches = createFieldMatcher({ words: ['*password*', '*token', 'pass*'] });
    expect(matches(['dbpassword'])).toBe(true);
    expect(matches(['passwordhash'])).toBe(true);
    expect(matches(['accesstoken'])).toBe(true);
    expect(matches(['passphrase'])).toBe(true);
    expect(matches(['tokenizer'])).toBe(false);
    expect(matches(['compass'])).toBe(false);
    expect(matches([flat(['db', 'password', 'hash'])])).toBe(true);
  });

  it('does not match a name whose last word, after the words matched, is an except-last word', () => {
    const matches = createFieldMatcher({
      words: ['password', 'access key', '*token'],
      exceptLastWords: ['id', 'enabled', 'count'],
    });
    for (const convention of Object.values(conventions)) {
      const spell = (...words: string[]) => convention(words);
      expect(matches([spell('password', 'enabled')]), spell('password', 'enabled')).toBe(false);
      expect(matches([spell('access', 'key', 'id')]), spell('access', 'key', 'id')).toBe(false);
      expect(matches([spell('nexttoken', 'count')]), spell('nexttoken', 'count')).toBe(false);
      expect(matches([spell('password', 'hash')]), spell('password', 'hash')).toBe(true);
      expect(matches([spell('user', 'password')]), spell('user', 'password')).toBe(true);
    }
    // The last word counts when it is part of the match.
    expect(createFieldMatcher({ words: ['user id'], exceptLastWords: ['id'] })(['user_id'])).toBe(true);
    // One word is never only a description.
    expect(createFieldMatcher({ words: ['id'], exceptLastWords: ['id'] })(['id'])).toBe(true);
  });

  it('keeps names whole: a name entry matches neither a longer name nor a part of one', () => {
    const matches = createFieldMatcher({ names: ['name'] });
    expect(matches(['Name'])).toBe(true);
    expect(matches(['file_name'])).toBe(false);
  });
});

describe('fieldRuleSchema words', () => {
  it('accepts a field rule that has only words', () => {
    expect(fieldRuleSchema.safeParse({ id: 'field-x', words: ['token'] }).success).toBe(true);
  });

  it('rejects a * on an entry of several words or with capitals, and an except-last word that is not one word', () => {
    for (const words of [['*api key'], ['*apiKey'], ['pass*word'], ['*']]) {
      expect(fieldRuleSchema.safeParse({ id: 'field-x', words }).success, words[0]).toBe(false);
    }
    expect(
      fieldRuleSchema.safeParse({ id: 'field-x', words: ['a'], exceptLastWords: ['last used'] }).success,
    ).toBe(false);
  });
});

describe('field names with accents', () => {
  const ACCENTED: Record<string, readonly string[]> = {
    a: ['à', 'á', 'â', 'ä'],
    c: ['ç'],
    e: ['é', 'è', 'ê', 'ë'],
    i: ['í', 'î', 'ï'],
    n: ['ñ'],
    o: ['ó', 'ô', 'ö'],
    u: ['ú', 'ù', 'û', 'ü'],
  };
  /** The name with some of its letters accented, precomposed or as a combining mark. */
  const accented = (name: string) =>
    fc
      .array(fc.tuple(fc.boolean(), fc.nat(), fc.boolean()), {
        minLength: name.length,
        maxLength: name.length,
      })
      .map((choices) =>
        [...name]
          .map((letter, i) => {
            const [isAccented, pick, isCombining] = choices[i] as [boolean, number, boolean];
            const options = ACCENTED[letter.toLowerCase()];
            let out = letter;
            if (isAccented && options !== undefined) {
              const precomposed = options[pick % options.length] as string;
              out = isCombining ? precomposed.normalize('NFD') : precomposed;
            }
            return out;
          })
          .join(''),
      );

  it('match as their spelling without accents, whole or by words, in lower or upper case (generated)', () => {
    const matcher = createFieldMatcher({
      names: ['telephone'],
      words: ['securite sociale', 'seguridad social', '*password*'],
    });
    const names = fc.constantFrom(
      'Numero de securite sociale',
      'numero_seguridad_social',
      'telephone',
      'Telephone',
      'user password',
      'note',
      'securite',
      'social',
    );
    fc.assert(
      fc.property(
        names.chain((name) => fc.tuple(fc.constant(name), accented(name), fc.boolean())),
        ([name, withAccents, isUpper]) => {
          const cased = (text: string) => (isUpper ? text.toUpperCase() : text);
          expect(matcher([cased(withAccents)])).toBe(matcher([cased(name)]));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds the French social security header of the default rules', () => {
    expect(splitFieldName('Numéro de sécurité sociale')).toEqual(['numero', 'de', 'securite', 'sociale']);
  });
});
