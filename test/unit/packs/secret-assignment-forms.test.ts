import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { TextFormat } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';

// The shipped `default` rule set (secrets pack enabled), as an object would be redacted.
const resolved = (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default');
if (resolved === undefined) throw new Error('the default rule set is missing');
const compiled = compileRuleSet(resolved.ruleSet, testTokenKeys('k1'), resolved.positionOf, resolved.packs);

function redact(text: string, format: TextFormat = 'text'): string {
  const formatRedactor = createFormatRedactor(format, new Redactor(compiled));
  return formatRedactor.push(text) + formatRedactor.end();
}

// Values shaped like real credentials: mixed case, digits and punctuation, no vendor prefix, so
// only the name they are assigned to can tell they are secrets.
const secrets = ['Tq8vLw2ZpX4mRk9s', 'h7Jd!x2Qe9_Lp0vB', 'N3k5Zq8T.w1Yc6Rm', 'p4S;f7K,d2M<q9Wz'];

// Names of secrets in the spellings configuration files and code use.
const names = [
  'DB_PASSWORD',
  'client_secret',
  'api_key',
  'GITHUB_TOKEN',
  'auth-token',
  'app.datasource.password',
  'smtpPasswd',
  'cloudant_pw',
];

/** Assignment forms: [name of the form, line built from a name and an already quoted value]. */
const forms: [string, (name: string, value: string) => string][] = [
  ['.env', (n, v) => `${n}=${v}`],
  ['shell export', (n, v) => `export ${n}=${v}`],
  ['ini', (n, v) => `[server]\n${n} = ${v}\n`],
  ['YAML', (n, v) => `config:\n  ${n}: ${v}\n`],
  ['properties', (n, v) => `${n}:${' '}${v}`],
  ['Makefile ?=', (n, v) => `${n} ?= ${v}`],
  ['Go :=', (n, v) => `${n} := ${v}`],
  ['Go var', (n, v) => `var ${n} string = ${v}`],
  ['PHP .=', (n, v) => `$${n} .= ${v};`],
  ['Ruby hash =>', (n, v) => `  "${n}" => ${v},`],
];

/** Quoting styles; a secret with a quote-breaking character is only written quoted. */
const quotings: [string, (value: string) => string][] = [
  ['unquoted', (v) => v],
  ['double-quoted', (v) => `"${v}"`],
  ['single-quoted', (v) => `'${v}'`],
];

describe('secret assignments in configuration and code', () => {
  for (const [formName, form] of forms) {
    for (const [quoting, quote] of quotings) {
      it(`redacts ${quoting} values assigned to secret names in ${formName} form`, () => {
        names.forEach((name, index) => {
          const secret = secrets[index % secrets.length] as string;
          // Unquoted values end at separators (; , <), so those secrets are written quoted.
          if (quoting === 'unquoted' && /[;,<]/.test(secret)) return;
          const text = form(name, quote(secret));
          const out = redact(text);

          expect(out, text).not.toContain(secret);
          expect(out.split('\n').length, text).toBe(text.split('\n').length);
        });
      });
    }
  }

  const nearMisses = [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable reference is the near miss
    'DB_PASSWORD=${DB_PASSWORD}',
    'password: "{{ .Values.db.password }}"',
    'api_key: this.config.apiKey',
    'TOKEN_TTL_SECONDS=86400',
    'password_reset_enabled=true',
    'client_secret = fs.readFileSync(',
    'token = "placeholder-token-value"',
    'login(username=username, password=password)',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CI expression is the near miss
    'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
    'curl -u "$CI_USER:$CI_PASSWORD" https://ci.example.com',
    'DB_SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Xy12Ab',
    'TLS_PRIVATE_KEY_PATH=/etc/ssl/private/server-2024.key',
    'idempotency_key: 3f2c9a1e-7b4d-4c8e-9f10-2a6b5c7d8e9f',
    's3_key=exports/2024-05-01/orders-part-0001.csv.gz',
    'routingKey: orders.created.eu-west-1.priority',
  ];
  for (const text of nearMisses) {
    it(`leaves the reference or setting ${JSON.stringify(text)} alone`, () => {
      expect(redact(text)).toBe(text);
    });
  }
});

describe('the working directory of a shell', () => {
  const path = fc
    .array(fc.stringMatching(/^[a-z][a-z_-]{0,9}[0-9]{0,2}(?:\.[a-z]{1,4})?$/), {
      minLength: 1,
      maxLength: 5,
    })
    .map((segments) => `/${segments.join('/')}`);
  const line = fc.constantFrom<(value: string) => string>(
    (value) => `PWD=${value}`,
    (value) => `OLDPWD=${value}`,
    (value) => `declare -x PWD="${value}"`,
    (value) => `  pwd: '${value}'`,
  );

  it('is a path, not a password: PWD and OLDPWD in env dumps are left alone (property)', () => {
    fc.assert(
      fc.property(line, path, (write, value) => {
        const text = `HOME=/home/ana\n${write(value)}\nSHLVL=1`;
        expect(redact(text), text).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('still redacts a password assigned to pwd', () => {
    expect(redact('pwd=Tq8vLw2ZpX4mRk9s')).toBe('pwd=[SECRET]');
    expect(redact('DB_PWD: "h7Jd!x2Qe9_Lp0vB"')).toBe('DB_PWD: "[SECRET]"');
  });
});

describe('secret names as JSON keys and CSV columns', () => {
  it('redacts a value under a secret-named JSON key whatever its shape', () => {
    const out = redact('{"db": {"password": "hunter22", "host": "db.internal"}}', 'json');

    expect(out).not.toContain('hunter22');
    expect(JSON.parse(out)).toMatchObject({ db: { host: 'db.internal' } });
  });

  it('redacts a secret-named CSV column and keeps the rows and columns', () => {
    const csv = 'user,api_key,region\nada,Tq8vLw2ZpX4mRk9s,eu-west-1\nbob,h7Jd2Qe9LpvB0x,us-east-1\n';
    const out = redact(csv, 'csv');

    expect(out).not.toContain('Tq8vLw2ZpX4mRk9s');
    expect(out).not.toContain('h7Jd2Qe9LpvB0x');
    expect(out.split('\n').map((row) => row.split(',').length)).toEqual([3, 3, 3, 1]);
    expect(out).toContain('eu-west-1');
  });
});

describe('vendor credential families', () => {
  const found: [string, string][] = [
    ['Azure AD client secret', 'app secret value: u8j8Q~YgjmUh.Bel31iEl2hpChYgCfrL1spNxnyV'],
    ['CAST AI key', 'castai_v1_gJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMF_LZDe1f8r'],
    ['1Password secret key', 'A3-ZG4ZDM-EN2KHVDGAJ8-GXBEN-YJQWX-4HH53'],
    ['Sourcegraph token', 'sgp_local_6f5da2cec255404e4fb440034d6608697a8d41be'],
    ['curl basic auth', 'curl --user deploy:OIRpFqaDZeV7G5 https://ci.example.com'],
    ['schemeless Authorization header', "curl -H 'Authorization: 22f82876-7efc-2f91-624a-8940f1f836f9'"],
    ['.npmrc token', '//registry.npmjs.org/:_authToken=8319478d-a6bd-0c62-1de4-9f145fda9988'],
    ['unsigned JWT', 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiSm9lIiwKInN0YXR1cyI6ImVtcGxveWVlIgp9'],
  ];
  for (const [family, text] of found) {
    it(`redacts a ${family}`, () => {
      const out = redact(text);

      expect(out).not.toBe(text);
      expect(out).toMatch(/\[[A-Z_]+\]/);
    });
  }

  const survives = [
    'xoxb-abcdef-abcdef',
    'xoxp-1234-1234-1234',
    'https://example.com/docs?access_token=ACCESS_TOKEN',
    'curl -u <user:password> https://test.com/endpoint',
    'apiKey: "AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
  ];
  for (const text of survives) {
    it(`leaves the placeholder ${JSON.stringify(text)} alone`, () => {
      expect(redact(text)).toBe(text);
    });
  }
});
