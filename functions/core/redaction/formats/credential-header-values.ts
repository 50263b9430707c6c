/**
 * The shape of the value of an HTTP header that carries credentials, by the header's name in
 * any case, for header lists kept as JSON arrays (Node's `rawHeaders`, HAR-like
 * `[["Authorization", "Basic …"]]` pairs), where only the element before a value names it:
 * - Authorization, Proxy-Authorization: an auth scheme, a space, then the credentials
 *   (RFC 9110 §11.4: `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`);
 * - Cookie, Set-Cookie: `name=value` first (RFC 6265 §4.1.1 and §4.2.1, `cookie-pair`);
 * - X-Api-Key, X-Auth-Token: one token of 8 or more characters holding a digit that is not
 *   itself a header name (`X-B3-TraceId`).
 * A list of header names (`["Content-Type", "Authorization", "X-Api-Key"]`, a CORS
 * configuration) has no element of those shapes after a name, so it names nothing.
 */
const AUTHORIZATION = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,31} +[^\s]/;
const COOKIE = /^[^\s=;,"]{1,256}=/;
const TOKEN = /^(?=[^\s]{0,1023}[0-9])(?![A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+$)[^\s]{8,}$/;

const SHAPES: ReadonlyMap<string, RegExp> = new Map([
  ['authorization', AUTHORIZATION],
  ['proxy-authorization', AUTHORIZATION],
  ['cookie', COOKIE],
  ['set-cookie', COOKIE],
  ['x-api-key', TOKEN],
  ['x-auth-token', TOKEN],
]);

/** Longest header name in {@link SHAPES}: longer strings are no such name. */
export const MAX_CREDENTIAL_HEADER_LENGTH = 'proxy-authorization'.length;

/** By length up to {@link MAX_CREDENTIAL_HEADER_LENGTH}: 1 when a name in {@link SHAPES} has it. */
const NAME_LENGTHS = new Uint8Array(MAX_CREDENTIAL_HEADER_LENGTH + 1);
for (const name of SHAPES.keys()) NAME_LENGTHS[name.length] = 1;

/**
 * True when a string of `length` code units may be a header name in {@link SHAPES}: one of their
 * six lengths. Lower-casing keeps the length of every string that becomes such an ASCII name (the
 * one character it lengthens, `İ`, becomes a combining dot that no name holds), so a string of
 * another length is none, and is neither cut out nor lower-cased (a tag such as `priority`, as
 * often as 1 in 3 records of the bench NDJSON, was both).
 */
export function isCredentialHeaderLength(length: number): boolean {
  return length <= MAX_CREDENTIAL_HEADER_LENGTH && NAME_LENGTHS[length] === 1;
}

/**
 * The shape the value after header name `name` must have to be that header's credentials, or
 * `undefined` when `name` is not a header that carries them.
 *
 * @example
 * credentialHeaderValueShape('Authorization')?.test('Basic dXNlcjpwYXNz'); // true
 * credentialHeaderValueShape('Authorization')?.test('X-Api-Key'); // false
 */
export function credentialHeaderValueShape(name: string): RegExp | undefined {
  return name.length > MAX_CREDENTIAL_HEADER_LENGTH ? undefined : SHAPES.get(name.toLowerCase());
}
