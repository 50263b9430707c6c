import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CompiledRuleSet, Redactor } from '../../functions/core/redaction/redactor.ts';
import {
  awsSecretKey,
  conventions,
  type Format,
  fieldName,
  flat,
  formats,
  jsonWrappers,
  parseOutput,
  password,
  plantedDocument,
  plantedValue,
  redactIn,
  sessionToken,
} from '../support/planted-fields.ts';
import { shippedRuleSet } from '../support/shipped-rules.ts';

let ruleSet: CompiledRuleSet;
beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
});

const spelled = [...Object.values(conventions)];
const prefix = fc.constantFrom([], ['db'], ['aws'], ['my', 'app'], ['user'], ['stripe'], ['x']);
/** Words after the sensitive ones that still name the value itself, not something about it. */
const suffix = fc.constantFrom([], ['value'], ['hash'], ['raw'], ['string'], ['2'], ['b64'], ['encrypted']);

/** Credential field names: db_password, AWS_SECRET_ACCESS_KEY, sessionToken, Client-Secret, api.key.2, … */
const credentialWords = fc.constantFrom(
  ['password'],
  ['passwd'],
  ['pwd'],
  ['passphrase'],
  ['secret'],
  ['token'],
  ['session', 'token'],
  ['access', 'token'],
  ['refresh', 'token'],
  ['auth', 'token'],
  ['api', 'key'],
  ['api', 'token'],
  ['access', 'key'],
  ['private', 'key'],
  ['client', 'secret'],
  ['secret', 'access', 'key'],
  ['secret', 'key'],
  ['credentials'],
  ['authorization'],
  ['cookie'],
  ['connection', 'string'],
);
const credentialName = fc.oneof(
  fieldName(
    fc
      .tuple(prefix, credentialWords, suffix)
      .map(([before, words, after]) => [...before, ...words, ...after]),
    spelled,
  ),
  // Without separators the words cannot be told apart; the shipped `*` entries still find the
  // secret word at the end (or, for passwords, anywhere) of the one word left.
  fieldName(
    fc
      .tuple(
        prefix,
        credentialWords.filter((words) => words[0] !== 'authorization'),
      )
      .map(([before, words]) => [...before, ...words]),
    [flat],
  ),
);

/** PII field names: customer_name, firstName, Billing Address, contact-email, homePhone, patient_dob, … */
const piiName = fieldName(
  fc
    .tuple(
      fc.constantFrom([], ['customer'], ['billing'], ['home'], ['primary']),
      fc.constantFrom(
        ['first', 'name'],
        ['last', 'name'],
        ['full', 'name'],
        ['customer', 'name'],
        ['address'],
        ['street', 'address'],
        ['email'],
        ['email', 'address'],
        ['phone'],
        ['phone', 'number'],
        ['ssn'],
        ['dob'],
        ['date', 'of', 'birth'],
      ),
    )
    .map(([before, words]) => [...before, ...words]),
  spelled,
);

/** Names that only look like a sensitive one, or describe one: their values must come back as they were. */
const nearMissName = fieldName(
  fc.constantFrom(
    ['tokenizer', 'version'],
    ['detokenize'],
    ['secretary'],
    ['author'],
    ['authorship'],
    ['compass'],
    ['keyboard'],
    ['pinned'],
    ['cookiecutter', 'template'],
    ['api', 'version'],
    ['password', 'enabled'],
    ['password', 'last', 'changed'],
    ['password', 'next', 'rotation'],
    ['token', 'count'],
    ['token', 'type'],
    ['access', 'key', '1', 'active'],
    ['access', 'key', '1', 'last', 'used', 'region'],
    ['access', 'key', 'id'],
    ['secret', 'arn'],
    ['secret', 'name'],
    ['credentials', 'file'],
    ['file', 'name'],
    ['bucket', 'name'],
    ['email', 'verified'],
    ['phone', 'type'],
    ['is', 'mobile'],
    ['address', 'type'],
    ['lesson'],
  ),
  spelled,
);

/** Letters only: no detector finds anything in them, so only a field rule could change them. */
const plainValue = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
  minLength: 4,
  maxLength: 16,
});

function redactPlanted(
  format: Format,
  name: string,
  value: string,
  wrappers: { key: string | undefined }[],
  cuts: number[],
) {
  const output = redactIn(
    format,
    new Redactor(ruleSet),
    plantedDocument(format, name, value, wrappers),
    cuts,
  );
  return { output, value: plantedValue(format, parseOutput(format, output), name, wrappers) };
}

describe('the default rule set on fields named for what they hold', () => {
  it('never returns a secret stored under a credential field name, in any format, spelling, depth or chunking', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        credentialName,
        fc.oneof(awsSecretKey, sessionToken, password),
        jsonWrappers,
        fc.array(fc.nat(), { maxLength: 4 }),
        (format, name, secret, wrappers, cuts) => {
          const redacted = redactPlanted(format, name, secret, wrappers, cuts);

          expect(redacted.output).not.toContain(secret);
          expect(redacted.value).toBe('[SECRET]');
        },
      ),
      { numRuns: 600 },
    );
  });

  it('never returns personal data stored under a personal field name, in any format or spelling', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        piiName,
        plainValue.map((value) => `${value} ${value.toUpperCase()}`),
        jsonWrappers,
        (format, name, value, wrappers) => {
          const redacted = redactPlanted(format, name, value, wrappers, []);

          expect(redacted.output).not.toContain(value);
          expect(redacted.value).toMatch(/^\[[A-Z_]+\]$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the values of names that only look like or describe a sensitive field', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        nearMissName,
        plainValue,
        jsonWrappers,
        (format, name, value, wrappers) => {
          expect(redactPlanted(format, name, value, wrappers, []).value).toBe(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts the STS credentials shape (assume-role, get-session-token) as a whole', () => {
    const input = JSON.stringify({
      Credentials: {
        AccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        SessionToken: 'FwoGZXIvYXdzEBYaDHqa0AP1EXAMPLEtokenAQoDYXdzEJr1K2kMSTSa4Ntt',
        Expiration: '2024-05-01T12:30:45Z',
      },
      AssumedRoleUser: {
        AssumedRoleId: 'AROA3XFRBF535PLBIFPI4:s3-reader',
        Arn: 'arn:aws:sts::123456789012:assumed-role/reader/s3-reader',
      },
    });

    expect(redactIn('json', new Redactor(ruleSet), input)).toBe(
      '{"Credentials":{"AccessKeyId":"[SECRET]","SecretAccessKey":"[SECRET]","SessionToken":"[SECRET]","Expiration":"[SECRET]"},' +
        '"AssumedRoleUser":{"AssumedRoleId":"AROA3XFRBF535PLBIFPI4:s3-reader","Arn":"arn:aws:sts::123456789012:assumed-role/reader/s3-reader"}}',
    );
  });

  it('redacts the `aws configure export-credentials` shape, keeping what only describes the keys', () => {
    const input =
      '{"Version":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",' +
      '"SessionToken":"FwoGZXIvYXdzEBYaDHqa0AP1EXAMPLEtokenAQoDYXdzEJr1K2kMSTSa4Ntt","Expiration":"2024-05-01T12:30:45Z"}';

    expect(redactIn('json', new Redactor(ruleSet), input)).toBe(
      '{"Version":1,"AccessKeyId":"[AWS_ACCESS_KEY_ID]","SecretAccessKey":"[SECRET]","SessionToken":"[SECRET]","Expiration":"2024-05-01T12:30:45Z"}',
    );
  });

  it('redacts an NDJSON field and a CSV column named aws_secret_access_key', () => {
    const key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(
      redactIn('ndjson', new Redactor(ruleSet), `{"user":"ci","aws_secret_access_key":"${key}"}\n`),
    ).toBe('{"user":"ci","aws_secret_access_key":"[SECRET]"}\n');
    expect(redactIn('csv', new Redactor(ruleSet), `user,aws_secret_access_key\r\nci,${key}\r\n`)).toBe(
      'user,aws_secret_access_key\r\nci,[SECRET]\r\n',
    );
  });
});

/** What a `pass` field opens, as environment variables and configs name it: DB_PASS, smtpUserPass. */
const passQualifier = fc.constantFrom(
  ['db'],
  ['database'],
  ['mail'],
  ['smtp'],
  ['smtp', 'user'],
  ['email'],
  ['admin'],
  ['root'],
  ['ftp'],
  ['ldap', 'bind'],
  ['redis'],
  ['mysql', 'root'],
  ['postgres'],
  ['rabbitmq', 'default'],
  ['keystore'],
);

describe('the default rule set on `pass` fields', () => {
  it('never returns a password stored under a name ending in pass after what it opens', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        fieldName(
          fc
            .tuple(fc.constantFrom([], ['app'], ['prod']), passQualifier)
            .map(([before, words]) => [...before, ...words, 'pass']),
          spelled,
        ),
        password,
        jsonWrappers,
        (format, name, secret, wrappers) => {
          const redacted = redactPlanted(format, name, secret, wrappers, []);

          expect(redacted.output).not.toContain(secret);
          expect(redacted.value).toBe('[SECRET]');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the values of pass alone that are no password: short answers, numbers, words describing one', () => {
    // A word of six letters or more under pass alone is a password, as PASS=letmein is (pass-field).
    const answer = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: 99_999_999 }).map(String),
      fc.constantFrom('required', 'optional', 'invalid', 'hidden', '******', 'N/A'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        fieldName(fc.constant(['pass']), spelled),
        answer,
        jsonWrappers,
        (format, name, value, wrappers) => {
          expect(redactPlanted(format, name, value, wrappers, []).value).toBe(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the values of passes that are no password and of names describing one', () => {
    const nearMiss = fieldName(
      fc.constantFrom(
        ['proxy', 'pass'],
        ['boarding', 'pass'],
        ['bypass'],
        ['pass', 'rate'],
        ['first', 'pass'],
        ['db', 'pass', 'file'],
        ['mail', 'pass', 'enabled'],
        ['smtp', 'passes'],
        ['passenger'],
      ),
      spelled,
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        nearMiss,
        plainValue,
        jsonWrappers,
        (format, name, value, wrappers) => {
          expect(redactPlanted(format, name, value, wrappers, []).value).toBe(value);
        },
      ),
      { numRuns: 300 },
    );
  });
});
