import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { phraseStopWords } from '../../../functions/core/redaction/validators/passphrase.ts';
import { passwordDescriptions } from '../../../functions/core/redaction/validators/password-descriptions.ts';
import { redactAsText } from './shipped-text-redaction.ts';

/** Words people string into passphrases: none a function word or a word of messages. */
const words = [
  'correct',
  'horse',
  'battery',
  'staple',
  'purple',
  'monkey',
  'dishwasher',
  'river',
  'lantern',
  'orange',
  'piano',
  'quiet',
  'rocket',
  'salt',
  'pepper',
  'tiger',
  'velvet',
  'winter',
  'zebra',
  'bridge',
];

const word = fc.constantFrom(...words);

/** A passphrase of `min` to `max` lower-case words whose last word describes no password. */
function phrase(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .array(word, { minLength: min, maxLength: max })
    .filter((list) => !passwordDescriptions.has(list.at(-1) as string))
    .map((list) => list.join(' '));
}

/** Names ending in password, passwd or passphrase. */
const name = fc.constantFrom(
  'password',
  'passphrase',
  'DB_PASSWORD',
  'adminPassword',
  'smtp_passwd',
  'PASSPHRASE',
);

/** Sentences about a password: each holds a function word or a word of messages, or ends with a verdict. */
const sentence = fc.oneof(
  fc
    .tuple(
      fc.array(word, { maxLength: 3 }),
      fc.constantFrom(...phraseStopWords),
      fc.array(word, { maxLength: 3 }),
    )
    .filter(([before, , after]) => before.length + after.length >= 2)
    .map(([before, stop, after]) => [...before, stop, ...after].join(' ')),
  fc
    .tuple(fc.array(word, { minLength: 2, maxLength: 4 }), fc.constantFrom(...passwordDescriptions))
    .map(([list, verdict]) => [...list, verdict].join(' ')),
  fc.constantFrom(
    'cannot be blank',
    'must be 8 characters',
    "can't be blank",
    'is too short',
    'stored in the vault',
  ),
);

describe('passphrases', () => {
  it('redacts an unquoted passphrase of 3 to 8 words ending the line, keeping the line (generated)', () => {
    fc.assert(
      fc.property(
        name,
        phrase(3, 8),
        fc.constantFrom(': ', ' = ', '=', ': '),
        fc.constantFrom('', '  '),
        (key, passphrase, operator, indent) => {
          const line = `${indent}${key}${operator}`;
          expect(redactAsText(`before\n${line}${passphrase}\nafter`)).toBe(`before\n${line}[SECRET]\nafter`);
        },
      ),
    );
  });

  it('redacts a quoted value of several words whole, whatever its case and digits (generated)', () => {
    const value = fc
      .tuple(phrase(2, 7), fc.boolean(), fc.constantFrom('', ' 42', ' Tr0ub4dor'))
      .map(([passphrase, isTitle, extra]) => {
        const text = isTitle ? passphrase.replace(/\b[a-z]/g, (letter) => letter.toUpperCase()) : passphrase;
        return `${text}${extra}`;
      });
    const form = fc.constantFrom<(key: string, value: string) => [string, string]>(
      (key, value) => [`${key} = "${value}"`, `${key} = "[SECRET]"`],
      (key, value) => [`${key}='${value}'`, `${key}='[SECRET]'`],
      (key, value) => [`  ${key}: "${value}"`, `  ${key}: "[SECRET]"`],
      (key, value) => [`{"${key}": "${value}", "user": "ana"}`, `{"${key}": "[SECRET]", "user": "ana"}`],
    );
    fc.assert(
      fc.property(name, value, form, (key, passphrase, write) => {
        const [input, output] = write(key, passphrase);
        expect(redactAsText(`${input}\nnext`)).toBe(`${output}\nnext`);
      }),
    );
  });

  it('keeps sentences about a password, quoted or not (generated)', () => {
    fc.assert(
      fc.property(sentence, fc.boolean(), (text, isQuoted) => {
        const line = isQuoted ? `password: "${text}"` : `Error: password: ${text}`;
        expect(redactAsText(`${line}\n`)).toBe(`${line}\n`);
      }),
    );
  });

  it('keeps two unquoted words, template references and masks', () => {
    for (const line of [
      'password: printable text',
      'password = "{{ .Values.db password }}"',
      'password: "*** hidden ***"',
      'password_hint = "first pet name"',
    ]) {
      expect(redactAsText(line)).toBe(line);
    }
  });
});

describe('passwords in prose', () => {
  /** Passwords of 6 or 7 characters holding a letter and a digit, a letter first. */
  const short = fc
    .tuple(
      fc.constantFrom(...'bcdfghjkmnpqrstvwxz'),
      fc.array(fc.constantFrom(...'abcdefghkmnprstuvwxyz'), { minLength: 4, maxLength: 5 }),
      fc.constantFrom(...'23456789'),
    )
    .map(([first, rest, digit]) => `${first}${rest.join('')}${digit}`);
  /** Words people choose as passwords. */
  const chosen = fc.constantFrom(
    'sunshine',
    'letmein',
    'dragon',
    'monkey',
    'shadow',
    'football',
    'princess',
    'welcome',
  );
  const prose = fc.constantFrom<(password: string) => string>(
    (password) => `the password is ${password}`,
    (password) => `My password was ${password}.`,
    (password) => `password is: ${password}`,
    (password) => `pw: ${password}`,
    (password) => `The password for the staging vault is ${password}, please rotate it`,
  );

  it('redacts a short password or a chosen word after password is / was / pw: (generated)', () => {
    fc.assert(
      fc.property(fc.oneof(short, chosen), prose, (password, write) => {
        const out = redactAsText(`${write(password)}\nnext line`);
        expect(out).toBe(`${write('[PASSWORD]')}\nnext line`);
      }),
    );
  });

  it('redacts a password written after new, temporary or default password (generated)', () => {
    fc.assert(
      fc.property(short, fc.constantFrom('new', 'New', 'temporary', 'default'), (password, adjective) => {
        expect(redactAsText(`${adjective} password ${password}`)).toBe(`${adjective} password [PASSWORD]`);
      }),
    );
  });

  it('keeps words that describe the password, and words that do not end the sentence (generated)', () => {
    const describing = fc.oneof(
      fc.constantFrom(...passwordDescriptions),
      fc.constantFrom(
        'secure',
        'plaintext',
        'rotated',
        'expiring',
        'usually',
        'readable',
        'visible',
        'cannot',
      ),
    );
    fc.assert(
      fc.property(describing, (description) => {
        for (const line of [`the password is ${description}`, `The password is ${description}.`]) {
          expect(redactAsText(line)).toBe(line);
        }
      }),
    );
    fc.assert(
      fc.property(chosen, word, (first, next) => {
        const line = `the password is ${first} ${next} every day`;
        expect(redactAsText(line)).toBe(line);
      }),
    );
  });
});
