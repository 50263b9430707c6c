import fc from 'fast-check';
import { type Planted, plantedArbitrary } from './planted.ts';

/** One stored object of a hostile variant, and what a correct answer must still look like. */
export interface HostileDocument {
  readonly key: string;
  readonly body: Buffer;
  /** The Content-Type the object is stored with (a careless uploader's label, often wrong). */
  readonly contentType: string | undefined;
  readonly planted: Planted;
  /** Checks the shape of a successful redacted answer; returns a problem or undefined. */
  readonly shapeProblem: (served: string) => string | undefined;
  readonly description: string;
}

type Eol = '\n' | '\r\n' | '\r';
const eolArbitrary = fc.constantFrom<Eol>('\n', '\r\n', '\r');
const jsonEolArbitrary = fc.constantFrom<Eol>('\n', '\r\n');
const delimiterArbitrary = fc.constantFrom(',', ';', '\t', '|');

/** Labels an uploader might give: right, generic, absent or plainly wrong. */
function labelArbitrary(right: string): fc.Arbitrary<string | undefined> {
  return fc.constantFrom(
    right,
    'text/plain',
    'text/plain; charset=utf-8',
    'application/octet-stream',
    undefined,
  );
}

/** fast-check prints a failing variant by its description, not its bytes. */
function described<T extends { readonly description: string }>(value: T): T {
  return Object.assign(value, { [fc.toStringMethod]: () => value.description });
}

function countOf(text: string, eol: Eol): number {
  // A CRLF file also contains CRs and LFs; count the ending the file uses.
  return text.split(eol).length - 1;
}

const csvDocument = fc
  .record({
    planted: plantedArbitrary,
    hasHeader: fc.boolean(),
    preamble: fc.constantFrom('none', 'sep', 'comment'),
    isSensitiveHeader: fc.boolean(),
    eol: eolArbitrary,
    delimiter: delimiterArbitrary,
    rows: fc.integer({ min: 1, max: 4 }),
    label: labelArbitrary('text/csv'),
  })
  .map(
    ({ planted, hasHeader, preamble, isSensitiveHeader, eol, delimiter, rows, label }): HostileDocument => {
      const d = delimiter;
      const lines: string[] = [];
      if (preamble === 'sep') lines.push(`sep=${d}`);
      if (preamble === 'comment') lines.push('# exported by the billing job');
      if (hasHeader) {
        lines.push(
          [
            'id',
            'name',
            'email',
            'aws_secret_access_key',
            'db_password',
            isSensitiveHeader ? planted.email : 'notes',
          ].join(d),
        );
      }
      for (let row = 0; row < rows; row++) {
        lines.push(
          [
            String(row + 1),
            'Jane Roe',
            planted.email,
            // Without a header nothing names the secret, so the cell names it itself.
            hasHeader ? planted.awsSecret : `aws_secret_access_key=${planted.awsSecret}`,
            hasHeader ? planted.password : '-',
            `"ssn ${planted.ssn} card ${planted.card} key ${planted.awsKeyId}"`,
          ].join(d),
        );
      }
      const text = lines.join(eol) + eol;
      const columns = 6;
      return described({
        key: `exports/people-${hasHeader ? 'h' : 'nh'}.csv`,
        body: Buffer.from(text),
        contentType: label,
        planted,
        description: `csv header=${hasHeader} preamble=${preamble} sensitiveHeader=${isSensitiveHeader} eol=${JSON.stringify(eol)} delimiter=${JSON.stringify(d)} label=${label}`,
        shapeProblem(served) {
          if (countOf(served, eol) !== countOf(text, eol)) return 'record count changed';
          const dataLines = served.split(eol).slice(preamble === 'none' ? 0 : 1, -1);
          // Redaction labels contain no delimiter; masked cards and quoted notes stay one cell.
          for (const line of dataLines) {
            const cells = line.replace(/"[^"]*"/g, '""').split(d);
            if (cells.length !== columns) return `a record has ${cells.length} cells, not ${columns}`;
          }
          return undefined;
        },
      });
    },
  );

function record(planted: Planted, id: number): Record<string, unknown> {
  return {
    id,
    contact: { email: planted.email, phone_verified: true },
    Credentials: {
      AccessKeyId: planted.awsKeyId,
      SecretAccessKey: planted.awsSecret,
      SessionToken: `FwoGZXIvYXdzE${planted.awsSecret}`,
    },
    db_password: planted.password,
    note: `ssn ${planted.ssn} card ${planted.card}`,
  };
}

const ndjsonDocument = fc
  .record({
    planted: plantedArbitrary,
    eol: jsonEolArbitrary,
    rows: fc.integer({ min: 1, max: 4 }),
    label: labelArbitrary('application/x-ndjson'),
  })
  .map(({ planted, eol, rows, label }): HostileDocument => {
    const lines = Array.from({ length: rows }, (_, i) => JSON.stringify(record(planted, i)));
    const text = lines.join(eol) + eol;
    return described({
      key: 'exports/events.ndjson',
      body: Buffer.from(text),
      contentType: label,
      planted,
      description: `ndjson eol=${JSON.stringify(eol)} rows=${rows} label=${label}`,
      shapeProblem(served) {
        const out = served.split(eol);
        if (out.length !== lines.length + 1) return 'line count changed';
        for (const line of out.slice(0, -1)) {
          try {
            JSON.parse(line);
          } catch {
            return 'a line is not JSON';
          }
        }
        return undefined;
      },
    });
  });

const jsonDocument = fc
  .record({
    planted: plantedArbitrary,
    isPretty: fc.boolean(),
    label: labelArbitrary('application/json'),
    extension: fc.constantFrom('json', 'txt'),
  })
  .map(({ planted, isPretty, label, extension }): HostileDocument => {
    const text = JSON.stringify(
      { users: [record(planted, 1), record(planted, 2)] },
      null,
      isPretty ? 2 : undefined,
    );
    return described({
      key: `exports/users.${extension}`,
      body: Buffer.from(text),
      contentType: extension === 'txt' ? 'text/plain' : label,
      planted,
      description: `json pretty=${isPretty} key=.${extension} label=${label}`,
      shapeProblem(served) {
        try {
          JSON.parse(served);
          return undefined;
        } catch {
          return 'not JSON';
        }
      },
    });
  });

const logDocument = fc
  .record({ planted: plantedArbitrary, eol: eolArbitrary, label: labelArbitrary('text/plain') })
  .map(({ planted, eol, label }): HostileDocument => {
    const lines = [
      `2026-12-01T10:00:00Z INFO login user=${planted.email} from card ${planted.card}`,
      `2026-12-01T10:00:01Z WARN ssn=${planted.ssn} key=${planted.awsKeyId}`,
      `2026-12-01T10:00:02Z DEBUG aws_secret_access_key=${planted.awsSecret}`,
    ];
    const text = lines.join(eol) + eol;
    return described({
      key: 'logs/app.log',
      body: Buffer.from(text),
      contentType: label,
      planted,
      description: `log eol=${JSON.stringify(eol)} label=${label}`,
      shapeProblem: (served) => (countOf(served, eol) === lines.length ? undefined : 'line count changed'),
    });
  });

/** An LDIF export: values plain, in base64 or folded anywhere, the password in a modify record. */
const ldifDocument = fc
  .record({
    planted: plantedArbitrary,
    eol: jsonEolArbitrary,
    forms: fc.array(fc.record({ isBase64: fc.boolean(), fold: fc.integer({ min: 0, max: 30 }) }), {
      minLength: 7,
      maxLength: 7,
    }),
    label: labelArbitrary('text/plain'),
  })
  .map(({ planted, eol, forms, label }): HostileDocument => {
    const values: (readonly [string, string])[] = [
      ['dn', `mail=${planted.email},ou=people,dc=example,dc=com`],
      ['mail', planted.email],
      ['description', `ssn ${planted.ssn} card ${planted.card}`],
      ['description', `key ${planted.awsKeyId}`],
      ['awsSecretAccessKey', planted.awsSecret],
      ['userPassword', planted.password],
      ['employeeType', 'contractor'],
    ];
    const lines = values.map(([name, value], i) => {
      const { isBase64, fold } = forms[i] ?? { isBase64: false, fold: 0 };
      const logical = isBase64 ? `${name}:: ${Buffer.from(value).toString('base64')}` : `${name}: ${value}`;
      // A fold after `fold` characters (none at 0 or past the end): inside a value, or its base64.
      return fold > 1 && fold < logical.length
        ? `${logical.slice(0, fold)}${eol} ${logical.slice(fold)}`
        : logical;
    });
    const modify = ['dn: uid=jdoe,dc=example,dc=com', 'changetype: modify', 'replace: userPassword'];
    const text = [...lines, '', ...modify, `userPassword: ${planted.password}`, '-', ''].join(eol);
    return described({
      key: 'exports/directory.ldif',
      body: Buffer.from(text),
      contentType: label,
      planted,
      description: `ldif eol=${JSON.stringify(eol)} forms=${JSON.stringify(forms)} label=${label}`,
      shapeProblem: (served) => {
        const records = served.split(`${eol}${eol}`).filter((record) => record.startsWith('dn'));
        return records.length === 2 ? undefined : 'record count changed';
      },
    });
  });

/** A document of any supported format in one of its hostile variants. */
export const hostileDocumentArbitrary: fc.Arbitrary<HostileDocument> = fc.oneof(
  csvDocument,
  ndjsonDocument,
  jsonDocument,
  logDocument,
  ldifDocument,
);

/**
 * Text that starts as ASCII and switches to another encoding (or NUL-interleaved text) after
 * `asciiBytes`: detectors working on UTF-8 would see nothing in the rest.
 */
export const encodingSwitchArbitrary = fc
  .record({
    planted: plantedArbitrary,
    asciiBytes: fc.integer({ min: 0, max: 4096 }),
    encoding: fc.constantFrom('utf16le', 'utf16be', 'utf32le', 'nul-interleaved'),
    extension: fc.constantFrom('log', 'csv', 'txt'),
  })
  .map(({ planted, asciiBytes, encoding, extension }) => {
    const filler = 'plain line without anything sensitive\n'
      .repeat(Math.ceil(asciiBytes / 38))
      .slice(0, asciiBytes);
    const secret = `mail ${planted.email} ssn ${planted.ssn} card ${planted.card}\n`;
    return described({
      key: `logs/switch.${extension}`,
      body: Buffer.concat([Buffer.from(filler), encode(secret, encoding)]),
      planted,
      description: `${encoding} after ${asciiBytes} ASCII bytes in .${extension}`,
    });
  });

function encode(text: string, encoding: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  if (encoding === 'utf16le') return le;
  if (encoding === 'utf16be') return Buffer.from(le).swap16();
  const ascii = Buffer.from(text, 'latin1');
  const width = encoding === 'utf32le' ? 4 : 2;
  const out = Buffer.alloc(ascii.length * width);
  for (let i = 0; i < ascii.length; i++) out[i * width] = ascii[i] ?? 0;
  return out;
}
