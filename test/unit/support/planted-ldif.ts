import fc from 'fast-check';

/** Sensitive values planted in generated LDIF: none may survive redaction with the default rules. */
export const LDIF_PLANTS = {
  email: 'jane.doe@example.com',
  phone: '+1 415 555 0132',
  password: 'hunter2-Xk9vLq',
  hash: '{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
  awsKey: 'AKIAZ7QWERTYUIOPASDF',
  givenName: 'Jürgen',
  surname: 'Müller',
} as const;

/** Values that look like data but no rule redacts: they must come out unchanged. */
export const LDIF_NEAR_MISSES = [
  ['objectClass', 'inetOrgPerson'],
  ['uid', 'jdoe'],
  ['description', 'release 2.14.3'],
  ['employeeType', 'contractor'],
  ['ou', 'Zürich office'],
] as const;

/** Planted attributes: the attribute type and the value (each value is one of `LDIF_PLANTS`). */
const PLANTED: readonly (readonly [string, string])[] = [
  ['mail', LDIF_PLANTS.email],
  ['telephoneNumber', LDIF_PLANTS.phone],
  ['description', `call ${LDIF_PLANTS.phone} or write to ${LDIF_PLANTS.email}`],
  ['userPassword', LDIF_PLANTS.password],
  ['userPassword', LDIF_PLANTS.hash],
  ['unicodePwd', LDIF_PLANTS.password],
  ['description', `deploy key ${LDIF_PLANTS.awsKey}`],
  ['givenName', LDIF_PLANTS.givenName],
  ['sn', LDIF_PLANTS.surname],
];

/** One `name: value` line as generated: in base64 or plain, folded at `fold` characters or not. */
export interface GeneratedLine {
  readonly name: string;
  readonly value: string;
  readonly isBase64: boolean;
  readonly fold: number | undefined;
}

export interface GeneratedRecord {
  readonly lines: readonly GeneratedLine[];
  readonly comment: string | undefined;
}

const line = (name: string, value: string) =>
  fc
    .record({ isBase64: fc.boolean(), fold: fc.option(fc.integer({ min: 2, max: 40 }), { nil: undefined }) })
    .map(({ isBase64, fold }): GeneratedLine => ({ name, value, isBase64, fold }));

const attribute = fc.oneof(
  fc.constantFrom(...PLANTED).chain(([name, value]) => line(name, value)),
  fc.constantFrom(...LDIF_NEAR_MISSES).chain(([name, value]) => line(name, value)),
);
const dn = fc
  .constantFrom(
    'uid=jdoe,ou=people,dc=example,dc=com',
    `mail=${LDIF_PLANTS.email},ou=people,dc=example,dc=com`,
    `uid=jdoe+mail=${LDIF_PLANTS.email}, ou=people, dc=example, dc=com`,
  )
  .chain((value) => line('dn', value));
const plain = (name: string, value: string): GeneratedLine => ({
  name,
  value,
  isBase64: false,
  fold: undefined,
});

/** A content record, an add record, or a modify record that replaces a password and adds a mail. */
const record: fc.Arbitrary<GeneratedRecord> = fc
  .record({
    kind: fc.constantFrom('content', 'add', 'modify'),
    dn,
    attributes: fc.array(attribute, { minLength: 1, maxLength: 6 }),
    password: line('userPassword', LDIF_PLANTS.hash),
    mail: line('mail', LDIF_PLANTS.email),
    comment: fc.option(fc.constantFrom(`owner ${LDIF_PLANTS.email}`, 'nightly export'), { nil: undefined }),
  })
  .map(({ kind, dn, attributes, password, mail, comment }) => {
    if (kind === 'modify') {
      const lines = [
        dn,
        plain('changetype', 'modify'),
        plain('replace', 'userPassword'),
        password,
        plain('-', ''),
        plain('add', 'mail'),
        mail,
        plain('-', ''),
      ];
      return { lines, comment };
    }
    const head = kind === 'add' ? [dn, plain('changetype', 'add')] : [dn];
    return { lines: [...head, ...attributes], comment };
  });

/** Generated LDIF files: records with planted values as plain, base64 and folded values, LF or CRLF. */
export const plantedLdif = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 4 }),
  hasVersion: fc.boolean(),
  newline: fc.constantFrom('\n', '\r\n'),
});

export type PlantedLdif = typeof plantedLdif extends fc.Arbitrary<infer T> ? T : never;

/** Writes a generated LDIF file. */
export function writeLdif(file: PlantedLdif): string {
  const nl = file.newline;
  const records = file.records.map((each) => {
    const lines = each.lines.map((generated) => {
      if (generated.name === '-') return '-';
      const logical = generated.isBase64
        ? `${generated.name}:: ${Buffer.from(generated.value).toString('base64')}`
        : `${generated.name}: ${generated.value}`;
      return generated.fold === undefined ? logical : fold(logical, generated.fold, nl);
    });
    const comment = each.comment === undefined ? [] : [fold(`# ${each.comment}`, 10, nl)];
    return [...comment, ...lines].join(nl) + nl;
  });
  return (file.hasVersion ? `version: 1${nl}${nl}` : '') + records.join(nl);
}

function fold(logical: string, width: number, newline: string): string {
  const parts = [logical.slice(0, width)];
  for (let at = width; at < logical.length; at += width - 1)
    parts.push(` ${logical.slice(at, at + width - 1)}`);
  return parts.join(newline);
}

/** One line of a parsed record: its name, its form (`:`, `::`, `:<`) and its value, base64 decoded. */
export interface ParsedLine {
  readonly name: string;
  readonly form: ':' | '::' | ':<' | '-';
  readonly value: string;
}

/**
 * A small strict LDIF reader (RFC 2849) for the tests: unfolds, skips comments, splits records
 * at empty lines and decodes base64 values as UTF-8. Throws on a fold onto no line, a line
 * with no `:`, or a `::` value that is not canonical base64.
 */
export function parseLdif(text: string): ParsedLine[][] {
  const logical: string[] = [];
  let previousEmpty = true;
  for (const physical of text.split(/\r?\n/)) {
    if (physical.startsWith(' ')) {
      if (previousEmpty || logical.length === 0) throw new Error('fold onto no line');
      logical[logical.length - 1] += physical.slice(1);
      continue;
    }
    logical.push(physical);
    previousEmpty = physical === '';
  }
  const records: ParsedLine[][] = [];
  let current: ParsedLine[] = [];
  for (const each of logical) {
    if (each === '') {
      if (current.length > 0) records.push(current);
      current = [];
      continue;
    }
    if (each.startsWith('#')) continue;
    if (each === '-') {
      current.push({ name: '-', form: '-', value: '' });
      continue;
    }
    const match = /^([A-Za-z0-9;.-]+):(:|<)? *(.*)$/.exec(each);
    if (match === null) throw new Error('not an attribute line');
    const [, name = '', mark, rest = ''] = match;
    if (mark === ':') {
      const decoded = Buffer.from(rest, 'base64');
      if (decoded.toString('base64') !== rest) throw new Error('bad base64');
      current.push({ name, form: '::', value: decoded.toString('utf8') });
    } else current.push({ name, form: mark === '<' ? ':<' : ':', value: rest });
  }
  if (current.length > 0) records.push(current);
  return records.filter((each) => !(each.length === 1 && each[0]?.name === 'version'));
}

/** The structure of parsed records: each line's name and form. */
export function ldifSkeleton(records: readonly ParsedLine[][]): string[][] {
  return records.map((each) => each.map((parsed) => `${parsed.name}${parsed.form}`));
}
