import { MalformedObjectError } from '../../errors.ts';
import type { CompiledFieldRule, Redactor } from '../redactor.ts';
import type { Scanner } from '../scanner.ts';
import type { FormatRedactor } from './format-redactor.ts';
import { redactDn } from './ldif-dn.ts';
import { type LdifLine, LdifLines } from './ldif-lines.ts';
import {
  decodeLdifBase64,
  foldLdifLine,
  type LdifAttribute,
  ldifValueText,
  needsLdifBase64,
  parseLdifAttribute,
} from './ldif-value.ts';

/**
 * Attribute types that hold a password, a password hash or key material (RFC 3112, RFC 4519,
 * Active Directory, Samba, Kerberos, OpenLDAP): their values are secrets whatever they look
 * like (`{SSHA}…` hashes, NT hashes, BER key blobs), folded by `normalizeFieldName`'s rule.
 */
const CREDENTIAL_TYPES = new Set(
  [
    'userPassword',
    'authPassword',
    'unicodePwd',
    'dBCSPwd',
    'ntPwdHistory',
    'lmPwdHistory',
    'supplementalCredentials',
    'sambaNTPassword',
    'sambaLMPassword',
    'sambaPasswordHistory',
    'krbPrincipalKey',
    'krb5Key',
    'ipaNTHash',
    'pwdHistory',
    'olcRootPW',
    'userPKCS12',
  ].map((type) => type.toLowerCase()),
);

/**
 * The long names of the short attribute types (RFC 4519, RFC 4524), under which field rules
 * may name them too (`surname` names `sn`).
 */
const LONG_NAMES: Record<string, string> = {
  c: 'countryName',
  cn: 'commonName',
  gn: 'givenName',
  l: 'localityName',
  o: 'organizationName',
  ou: 'organizationalUnitName',
  sn: 'surname',
  st: 'stateOrProvinceName',
  street: 'streetAddress',
  uid: 'userId',
  mail: 'rfc822Mailbox',
  homephone: 'homeTelephoneNumber',
  mobile: 'mobileTelephoneNumber',
  pager: 'pagerTelephoneNumber',
};

/** Attribute lines whose value is a DN or an RDN (RFC 2849 `dn`, `newrdn`, `newsuperior`). */
const DN_NAMES = new Set(['dn', 'newrdn', 'newsuperior']);

/** Replaces a credential that no field rule of the rule set names. */
const CREDENTIAL_RULE = builtInRule('ldif-credential', '[SECRET]');
/** Replaces a value that is no UTF-8 text (a photo, a certificate): no detector can read it. */
const BINARY_RULE = builtInRule('ldif-binary', '[BINARY]');

/** A changed line that was not folded is not folded either. */
const UNFOLDED = Number.POSITIVE_INFINITY;
/** Attribute types and names remembered before the caches start over. */
const MAX_NAMES = 4096;
/** Shortest width a changed line that was folded is folded at again (ldapsearch folds at 76). */
const FOLD_CHARS = 76;

/**
 * LDIF (RFC 2849): directory exports, backups and change files, a logical line at a time. Each
 * value is unfolded and, when written in base64 (`attr:: …`), decoded, then redacted as the
 * value of a field named by its attribute type (a CSV header or a JSON key is no different): a
 * field rule naming the type (or its long name, `surname` for `sn`) applies its action, else the
 * detectors run with the type as context (`Scanner.named`). Password and key attributes
 * (`userPassword`, `unicodePwd`, `krbPrincipalKey`, …, in any case) are replaced with `[SECRET]`
 * when no field rule names them; a base64 value that is not UTF-8 text (`jpegPhoto`, a
 * certificate) with `[BINARY]` when no field rule names its type (one that does acts on the
 * base64 as written). A DN (`dn`, `newrdn`, `newsuperior`) is redacted value by value, each by
 * its type (`cn=`, `mail=`); a URL value (`attr:< file://…`) as the value it stands for;
 * comments by the detectors. Every other line (`changetype: modify`, `replace: mail`, `-`,
 * `version: 1`) is a value like the others, which the detectors leave alone.
 *
 * A line no rule changes is written as it came, folds included. A changed value is written back
 * in its form (base64 stays base64 of the redacted text; a plain value turns base64 only where
 * RFC 2849 requires it), folded if it was, at the width of its first line (76 at least).
 * Records, their attributes and separators are kept; a dropped value becomes empty (`attr:`).
 * Memory holds one logical line: fails with `LimitExceededError` on one longer than
 * `limits.maxRecordBytes` characters, and with `MalformedObjectError` on a line that is no
 * attribute line, a fold onto no line, a `::` value that is not base64, or an attribute name a
 * detector matches.
 *
 * @example
 * const ldif = createLdifRedactor(redactor);
 * ldif.push('dn: uid=ada,dc=example\nmail:: YWRhQGV4YW1wbGUuY29t\n') + ldif.end();
 * // 'dn: uid=ada,dc=example\nmail:: W0VNQUlMXQ==\n'  ([EMAIL] in base64)
 */
export function createLdifRedactor(redactor: Redactor): FormatRedactor {
  const lines = new LdifLines(redactor.limits.maxRecordBytes);
  const fields = new Map<string, { rule: CompiledFieldRule | undefined; scanner: Scanner }>();
  /** Attribute descriptions the detectors found nothing in. */
  const cleanNames = new Set<string>();
  /** The file writes non-ASCII text in plain values, so a redacted one may stay plain. */
  let allowsNonAscii = false;

  /** The field rule and the scanner of an attribute type, looked up once per type. */
  function field(type: string): { rule: CompiledFieldRule | undefined; scanner: Scanner } {
    let known = fields.get(type);
    if (known === undefined) {
      const key = type.toLowerCase();
      const names = LONG_NAMES[key] === undefined ? [type] : [type, LONG_NAMES[key]];
      const rule =
        names.map((name) => redactor.fieldRule([name])).find((each) => each !== undefined) ??
        (CREDENTIAL_TYPES.has(key) ? CREDENTIAL_RULE : undefined);
      const scanner = names.reduce((named, name) => named.named(name), redactor.scanner);
      known = { rule, scanner };
      // Bounded whatever the file: a directory has some hundred attribute types.
      if (fields.size >= MAX_NAMES) fields.clear();
      fields.set(type, known);
    }
    return known;
  }

  /** A value of a field of type `type`, redacted. */
  function redactValue(type: string, value: string): string {
    const { rule, scanner } = field(type);
    if (rule === undefined) return redactor.redactText(value, scanner);
    if (rule.isKeep || value === '') return value;
    return redactor.applyField(rule, value) ?? '';
  }

  function redactLine(line: LdifLine): string {
    const raw = line.lines.map((each) => each.text + each.newline).join('');
    const isBom = line.number === 1 && line.text.startsWith('\uFEFF');
    const text = isBom ? line.text.slice(1) : line.text;
    if (text === '' || text === '-') return raw;
    const newline = line.lines[0]?.newline || '\n';
    const width = line.lines.length > 1 ? Math.max(FOLD_CHARS, line.lines[0]?.text.length ?? 0) : UNFOLDED;
    if (text.startsWith('#')) {
      const comment = text.slice(1);
      const redacted = redactor.redactText(comment);
      if (redacted === comment) return raw;
      return (isBom ? '\uFEFF' : '') + foldLdifLine(`#${redacted}`, width, newline) + lastNewline(line);
    }
    const attribute = parseLdifAttribute(text, line.number);
    checkName(attribute.name, line.number);
    const redacted = redactAttribute(attribute, line.number);
    if (redacted === undefined) return raw;
    return (isBom ? '\uFEFF' : '') + foldLdifLine(redacted, width, newline) + lastNewline(line);
  }

  /**
   * Fails when a detector matches an attribute description (`AKIA…: x` is one): no replacement
   * would be a name, and the line cannot be written without it.
   */
  function checkName(name: string, lineNumber: number): void {
    if (cleanNames.has(name)) return;
    if (redactor.scanner.scan(name).matches.length > 0) {
      throw new MalformedObjectError(`ldif: a detector matched the attribute name on line ${lineNumber}`);
    }
    if (cleanNames.size >= MAX_NAMES) cleanNames.clear();
    cleanNames.add(name);
  }

  /** The attribute line written anew, or `undefined` when its value did not change. */
  function redactAttribute(attribute: LdifAttribute, lineNumber: number): string | undefined {
    const { name, type, form, written } = attribute;
    if (form === 'url') {
      // The URL stands for the value: a rule naming the attribute takes it as one (fail closed).
      const redacted = redactValue(type, written);
      return redacted === written ? undefined : `${name}:< ${redacted}`;
    }
    let value: string;
    if (form === 'base64') {
      const text = ldifValueText(decodeLdifBase64(written, lineNumber));
      if (text === undefined) {
        // No detector reads bytes: a field rule acts on the base64 as written, else it is replaced.
        const rule = field(type).rule ?? BINARY_RULE;
        if (rule.isKeep) return undefined;
        return `${name}:: ${Buffer.from(redactor.applyField(rule, written) ?? '').toString('base64')}`;
      }
      value = text;
    } else {
      value = written;
      if (/[^\p{ASCII}]/u.test(value)) allowsNonAscii = true;
    }
    const isDn = DN_NAMES.has(type.toLowerCase());
    const redacted = isDn
      ? (redactDn(value, (rdnType, rdnValue) => {
          checkName(rdnType, lineNumber);
          return redactValue(rdnType, rdnValue);
        }) ?? redactor.redactText(value, field(type).scanner))
      : redactValue(type, value);
    if (redacted === value) return undefined;
    if (redacted === '') return `${name}:${form === 'base64' ? ':' : ''}`;
    return form === 'base64' || needsLdifBase64(redacted, allowsNonAscii)
      ? `${name}:: ${Buffer.from(redacted, 'utf8').toString('base64')}`
      : `${name}: ${redacted}`;
  }

  function drain(): string {
    let out = '';
    for (let line = lines.next(); line !== undefined; line = lines.next()) out += redactLine(line);
    return out;
  }

  return {
    push(text) {
      lines.push(text);
      return drain();
    },
    end() {
      return lines
        .end()
        .map((line) => redactLine(line))
        .join('');
    },
  };
}

function lastNewline(line: LdifLine): string {
  return line.lines[line.lines.length - 1]?.newline ?? '';
}

/** A field rule of the format itself, counted under `id` like a rule of the rule set. */
function builtInRule(id: string, replacement: string): CompiledFieldRule {
  return {
    id,
    isKeep: false,
    isIndexSensitive: false,
    isPathSensitive: false,
    apply: () => replacement,
    matches: () => false,
  };
}
