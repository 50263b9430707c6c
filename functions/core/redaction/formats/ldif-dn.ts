/** Characters RFC 4514 §2.4 escapes anywhere in an attribute value of a DN. */
const SPECIAL = /["+,;<>\\=]/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/**
 * A distinguished name (RFC 4514, and the LDAPv2 spaces around separators LDIF files still
 * carry) with each attribute value redacted by `redactValue(type, value)`, the type (`cn`,
 * `mail`, …) being the value's field name as an attribute line's is. A value is decoded first
 * (`\,` and `\c3\bc` escapes) and escaped again only when it changed; the rest of the DN is kept
 * as written. Returns `undefined` for a DN that it cannot read so (a `#` BER value, an LDAPv2
 * quoted value, no `=`, an escape that is no UTF-8): the caller then reads the DN as text.
 *
 * @example
 * redactDn('cn=Ada\\2C Lovelace,dc=example', (type, value) => (type === 'cn' ? '[NAME]' : value));
 * // 'cn=[NAME],dc=example'
 */
export function redactDn(
  dn: string,
  redactValue: (type: string, value: string) => string,
): string | undefined {
  let out = '';
  let at = 0;
  while (at < dn.length) {
    const equals = dn.indexOf('=', at);
    if (equals < 0) return undefined;
    const type = dn.slice(at, equals).trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9.;_-]*$/.test(type)) return undefined;
    const value = readValue(dn, equals + 1);
    if (value === undefined) return undefined;
    const redacted = redactValue(type, value.text);
    out +=
      dn.slice(at, value.start) +
      (redacted === value.text ? dn.slice(value.start, value.end) : escapeDnValue(redacted));
    at = value.end;
    // The separator (`,` or `+`) and the spaces around it, as written.
    const next = /^ *[,+]? */.exec(dn.slice(at))?.[0] ?? '';
    if (next.trim() === '' && at + next.length < dn.length) return undefined;
    out += next;
    at += next.length;
  }
  return out;
}

/** The value starting at `from` (spaces before it skipped, unescaped spaces after it left out), decoded. */
function readValue(dn: string, from: number): { start: number; end: number; text: string } | undefined {
  let at = from;
  while (dn[at] === ' ') at++;
  const start = at;
  if (dn[at] === '#' || dn[at] === '"') return undefined;
  let text = '';
  /** Bytes of a run of `\hh` escapes, decoded together (one character may take several). */
  let bytes: number[] = [];
  let end = at;
  const flush = (): boolean => {
    if (bytes.length === 0) return true;
    const raw = Buffer.from(bytes);
    const decoded = raw.toString('utf8');
    bytes = [];
    text += decoded;
    return Buffer.from(decoded, 'utf8').equals(raw);
  };
  while (at < dn.length) {
    const char = dn[at] as string;
    if (char === ',' || char === '+') break;
    if (char === '\\') {
      const pair = dn.slice(at + 1, at + 3);
      if (HEX_PAIR.test(pair)) {
        bytes.push(Number.parseInt(pair, 16));
        at += 3;
      } else if (at + 1 < dn.length) {
        if (!flush()) return undefined;
        text += dn.charAt(at + 1);
        at += 2;
      } else return undefined;
      end = at;
      continue;
    }
    if (!flush()) return undefined;
    // A run of plain characters at once.
    let stop = at + 1;
    while (stop < dn.length && !',+\\'.includes(dn.charAt(stop))) stop++;
    text += dn.slice(at, stop);
    const trimmed = dn.slice(at, stop).replace(/ +$/, '').length;
    if (trimmed > 0) end = at + trimmed;
    at = stop;
  }
  if (!flush()) return undefined;
  // Unescaped spaces at the end belong to the separator, not the value.
  return { start, end, text: text.slice(0, text.length - (at - end)) };
}

/** A value escaped for a DN (RFC 4514 §2.4). */
function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    const isEdgeSpace = char === ' ' && (i === 0 || i === value.length - 1);
    if (SPECIAL.test(char) || isEdgeSpace || (i === 0 && char === '#')) out += `\\${char}`;
    else if (char === '\0') out += '\\00';
    else out += char;
  }
  return out;
}
