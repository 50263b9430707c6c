import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitFieldName } from '../../../functions/core/redaction/field-matcher.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { TextFormat } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import { entropy, isStandIn, randomOver } from './shipped-text-redaction.ts';

// Password under its name in other languages: field-secrets in default.yaml (JSON keys, CSV
// headers) and the secrets pack members that take values assigned to a password name.
const compiled = await shippedRuleSet('default');

function redact(text: string, format: TextFormat): string {
  const formatRedactor = createFormatRedactor(format, new Redactor(compiled));
  return formatRedactor.push(text) + formatRedactor.end();
}

/** The word for password in each language the rules know, as people spell it, accents and all. */
const words = [
  'passwort', // German
  'kennwort', // German
  'mot de passe', // French
  'contraseña', // Spanish
  'senha', // Portuguese
  'wachtwoord', // Dutch
  'lösenord', // Swedish
  'passord', // Norwegian
  'adgangskode', // Danish
  'salasana', // Finnish
  'heslo', // Czech, Slovak
  'jelszó', // Hungarian
  'şifre', // Turkish
  'kata sandi', // Indonesian
] as const;

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Key spellings of `word`: as written, capitalized, upper snake case, after a qualifier. */
function spellings(word: string): string[] {
  const snake = word.replace(/ /g, '_');
  const camel = word.replace(/ (.)/g, (_, letter: string) => letter.toUpperCase());
  return [
    word,
    capitalized(word),
    snake.toUpperCase(),
    `DB_${snake.toUpperCase()}`,
    `db_${snake}`,
    `user${capitalized(camel)}`,
  ];
}

const names = fc.constantFrom(...words.flatMap(spellings));
/** Names without spaces: what an .env line, a query string or a log's key=value pairs hold. */
const keyNames = fc.constantFrom(...words.flatMap(spellings).filter((name) => !name.includes(' ')));

/**
 * Passwords as people choose them: letters with a digit and a symbol, 6 to 24 characters, a
 * letter first, none of the characters that end a value in a CSV cell or a text assignment, and
 * none marked as a stand-in across its pieces (`FaKEaaa2!` was drawn once and kept, as it should).
 */
const password = fc
  .tuple(
    fc.constantFrom(...'bCdFgHJkLmNpQrStUvWxYz'),
    randomOver('abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789', 3, 21),
    fc.constantFrom(...'23456789'),
    fc.constantFrom(...'!@#^+?'),
  )
  .map(([first, middle, digit, symbol]) => `${first}${middle}${digit}${symbol}`)
  .filter((value) => !isStandIn(value));

describe('password names in other languages', () => {
  it('fold to one word each, the form the field rule lists', () => {
    expect(words.map((word) => splitFieldName(word).join(' '))).toEqual([
      'passwort',
      'kennwort',
      'mot de passe',
      'contrasena',
      'senha',
      'wachtwoord',
      'losenord',
      'passord',
      'adgangskode',
      'salasana',
      'heslo',
      'jelszo',
      'sifre',
      'kata sandi',
    ]);
    expect(splitFieldName('ŞİFRE')).toEqual(['sifre']);
    expect(splitFieldName('motDePasse')).toEqual(['mot', 'de', 'passe']);
  });

  it('redact a password under any of them as a JSON member, at the top and nested (property)', () => {
    fc.assert(
      fc.property(names, password, fc.boolean(), (name, secret, isNested) => {
        const member = `${JSON.stringify(name)}: ${JSON.stringify(secret)}`;
        const text = isNested
          ? `{"user": "ana", "db": {${member}, "port": 5432}}`
          : `{"user": "ana", ${member}}`;
        const out = redact(text, 'json');
        expect(out, text).not.toContain(secret);
        expect(JSON.parse(out), text).toBeTypeOf('object');
      }),
      { numRuns: 300 },
    );
  });

  it('redact a password under any of them in an NDJSON record (property)', () => {
    fc.assert(
      fc.property(names, password, (name, secret) => {
        const text = `{"id": 1, ${JSON.stringify(name)}: ${JSON.stringify(secret)}}\n{"id": 2}\n`;
        expect(redact(text, 'ndjson'), text).not.toContain(secret);
      }),
      { numRuns: 150 },
    );
  });

  it('redact the column headed by any of them in CSV, comma or semicolon separated (property)', () => {
    fc.assert(
      fc.property(names, password, fc.constantFrom(',', ';'), (name, secret, separator) => {
        const header = ['Name', 'E-Mail', name, 'Telefon'].join(separator);
        const row = ['Jane Doe', 'jane@example.com', secret, '030 1234567'].join(separator);
        const text = `${header}\n${row}\n`;
        const out = redact(text, 'csv');
        expect(out, text).not.toContain(secret);
        expect(out.split('\n')[0], text).toBe(header);
      }),
      { numRuns: 300 },
    );
  });

  /** Lines assigning `value` to `key` in the forms of logs, .env, ini and YAML files. */
  const form = fc.constantFrom<(key: string, value: string) => string>(
    (key, value) => `${key}=${value}`,
    (key, value) => `${key}: ${value}`,
    (key, value) => `${key} = ${value}`,
    (key, value) => `${key} : ${value}`,
    (key, value) => `[db]\n${key} = ${value}\n`,
    (key, value) => `db:\n  ${key}: ${value}\n`,
    (key, value) => `db:\n  ${key}: "${value}"\n`,
  );
  /** Forms that need a key without spaces. */
  const keyForm = fc.constantFrom<(key: string, value: string) => string>(
    (key, value) => `export ${key}=${value}`,
    (key, value) => `level=info user=ana ${key}=${value} status=ok`,
    (key, value) => `${key}='${value}'`,
  );

  /**
   * MOT_DE_PASSE and KATA_SANDI, upper case: only secret-assignment reads them (the members of
   * short, low-entropy and word passwords match in their names' cases, and the anchor check's 64
   * starts leave no room for these two), so their values are those of 8 characters or more above
   * its entropy floor, not words.
   */
  function isSecretAssignmentOnly(name: string, value: string): boolean {
    return (
      /MOT_DE_PASSE|KATA_SANDI/.test(name) &&
      (value.length < 8 || entropy(value) < 2.5 || /^[A-Za-z]+$/.test(value))
    );
  }

  it('redact a password assigned to any of them in text, keeping the name and the lines (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.tuple(names, form), fc.tuple(keyNames, fc.oneof(form, keyForm))),
        password,
        ([name, write], secret) => {
          fc.pre(!isSecretAssignmentOnly(name, secret));
          const text = write(name, secret);
          const out = redact(text, 'text');
          expect(out, text).not.toContain(secret);
          expect(out, text).toContain(name);
          expect(out.split('\n').length, text).toBe(text.split('\n').length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('redact a word people choose as a password, as under password (property)', () => {
    const word = fc.constantFrom('letmein', 'sunshine', 'Sommer', 'geheimnis', 'soleil', 'segredo');
    fc.assert(
      fc.property(keyNames, fc.constantFrom('=', ': '), word, (name, operator, secret) => {
        fc.pre(!isSecretAssignmentOnly(name, secret));
        const text = `${name}${operator}${secret}`;
        expect(redact(text, 'text'), text).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });

  it('redact a YAML block scalar under any of them spelled in ASCII', () => {
    for (const key of [
      'passwort',
      'Kennwort',
      'mot_de_passe',
      'contrasena',
      'DB_SENHA',
      'losenord',
      'jelszo',
      'sifre',
    ]) {
      const text = `db:\n  ${key}: |\n    Tr0ub4dor\n    second line\n  user: app\n`;
      expect(redact(text, 'text'), text).toBe(`db:\n  ${key}: |\n    [SECRET]\n    [SECRET]\n  user: app\n`);
    }
  });

  /** Last words of field-secrets' exceptLastWords: the name describes a password, it does not hold one. */
  const describing = fc.constantFrom(
    'last_changed',
    'enabled',
    'updated_at',
    'expires',
    'policy',
    'length',
    'id',
  );
  const setting = fc.constantFrom('true', 'false', '2024-05-01T12:30:45Z', '12', 'strict');

  it('leave a member alone whose name describes a password in any of them, as for password (property)', () => {
    fc.assert(
      fc.property(keyNames, describing, setting, (name, last, value) => {
        const key = `${name}_${last}`;
        // The JSON redactor writes members without spaces.
        const json = JSON.stringify({ [key]: value });
        expect(redact(json, 'json'), json).toBe(json);
        const csv = `${key},status\n${value},ok\n`;
        expect(redact(csv, 'csv'), csv).toBe(csv);
      }),
      { numRuns: 200 },
    );
  });

  it('leave words that only hold one of them alone: a review, a cache slot', () => {
    const json = '{"resenha":"Ótimo produto, recomendo","cacheslot":"slot-7"}';
    expect(redact(json, 'json')).toBe(json);
    const text = 'resenha: boa!123\ncacheslot=k7kJvHcGNp88HYT0\nthe remote host promoted the motor\n';
    expect(redact(text, 'text')).toBe(text);
  });
});
