import type { TextFormat } from './format-redactor.ts';
import { type JsonLayout, sniffJsonLayout } from './sniff-json-layout.ts';
import { sniffLdifHead } from './sniff-ldif-head.ts';
import { sniffMailHead } from './sniff-mail-head.ts';
import { sniffMboxHead } from './sniff-mbox-head.ts';
import { sniffRuledCsv, sniffShapedCsv } from './sniff-ruled-csv.ts';

/** What the engine will do with an object: parse it as `format`, inside gzip when `isGzip`. */
export interface DetectedFormat {
  readonly format: TextFormat;
  readonly isGzip: boolean;
}

/** What is known about an object before its body is parsed. */
export interface FormatHints {
  readonly contentType?: string | undefined;
  readonly contentEncoding?: string | undefined;
  readonly key?: string | undefined;
  /** The first bytes of the stored body (at least 512 unless the object is shorter). */
  readonly head: Uint8Array;
  /** True for a column name a field rule of the rule set rules (not `keep`): see {@link sniffRuledCsv}. */
  readonly isRuledColumn?: ((name: string) => boolean) | undefined;
  /** The name the shapes of a column's values give it under the rule set: see {@link sniffShapedCsv}. */
  readonly nameOfColumn?: ((values: readonly string[]) => string | undefined) | undefined;
}

const CONTENT_TYPES: Record<string, TextFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonlines': 'ndjson',
  'application/jsonlines': 'ndjson',
  'application/json': 'json',
  'text/json': 'json',
  'message/rfc822': 'mail',
  'text/plain': 'text',
  'text/x-log': 'text',
  // Config and markup text that uploaders label outside text/* (mime-db, as `aws s3 cp` guesses).
  'application/xml': 'text',
  'application/yaml': 'text',
  'application/x-yaml': 'text',
  'application/toml': 'text',
  'application/x-sh': 'text',
  'application/sql': 'text',
  'application/x-pem-file': 'text',
};

const EXTENSIONS: Record<string, TextFormat> = {
  csv: 'csv',
  tsv: 'csv',
  psv: 'csv',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  json: 'json',
  eml: 'mail',
  ldif: 'ldif',
  // JSON under names of their own: Terraform state, notebooks, docker's old auth file, and HTTP
  // archives (`application/har+json` is JSON by its suffix), whose bodies in base64 the JSON
  // redactor decodes (see `encoded-body.ts`).
  tfstate: 'json',
  ipynb: 'json',
  geojson: 'json',
  dockercfg: 'json',
  har: 'json',
  log: 'text',
  txt: 'text',
  // The text files secrets are left in (issue 11: assignments in .env, ini, YAML, properties and
  // shell files): config, scripts, infrastructure code, markup, SQL dumps, PEM files, and the
  // credential dot-files of common tools (`.npmrc`, `.netrc`, `.pgpass`, `.git-credentials`, ...),
  // whose whole name is their "extension".
  ...Object.fromEntries(
    [
      ...['env', 'ini', 'cfg', 'conf', 'config', 'properties', 'yaml', 'yml', 'toml'],
      ...['sh', 'bash', 'zsh', 'ps1', 'bat', 'tf', 'tfvars', 'hcl', 'sql'],
      ...['xml', 'html', 'htm', 'md', 'pem', 'key'],
      ...['npmrc', 'pypirc', 'netrc', 'pgpass', 'git-credentials', 'htpasswd', 'bash_history', 'zsh_history'],
    ].map((extension) => [extension, 'text' as const]),
  ),
};

/**
 * Whole key names (after the last `/`) that are text without a usable extension: `.env.production`
 * and other `.env.*` variants, and the AWS CLI's shared `credentials` and `config` files in an
 * `.aws` folder (the access keys this product exists to protect).
 */
const TEXT_NAMES: readonly RegExp[] = [/(?:^|\/)\.env\.[^/]+$/, /(?:^|\/)\.aws\/(?:credentials|config)$/];

/** Content types that say nothing about the body. */
const GENERIC_TYPES = new Set([
  'application/octet-stream',
  'binary/octet-stream',
  'application/gzip',
  'application/x-gzip',
]);

/** Magic numbers of binary formats that are refused whatever their name or type says. */
const BINARY_MAGIC: readonly (readonly number[])[] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x25, 0x50, 0x44, 0x46], // PDF
  [0x50, 0x4b, 0x03, 0x04], // ZIP, XLSX, DOCX
  [0x47, 0x49, 0x46, 0x38], // GIF
  [0x50, 0x41, 0x52, 0x31], // Parquet
  [0x42, 0x5a, 0x68], // bzip2
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], // 7z
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0x4f, 0x62, 0x6a, 0x01], // Avro
];

/**
 * Decides how to parse an object. Labels (Content-Type, the key's extension with `.gz` stripped)
 * and content are all inputs an uploader controls, so the strongest reading wins and none can
 * weaken another: a structured extension (CSV, JSON, NDJSON) beats a conflicting or generic
 * Content-Type, a structured Content-Type beats a `.txt`/`.log` extension, and content whose first
 * bytes are valid JSON text starting with `{` or `[` is parsed as JSON or NDJSON (by its layout)
 * whatever the labels say, since the text redactor would lose the field rules; so is text whose
 * first line is a CSV header naming a ruled column (`sniffRuledCsv`), or whose lines are a
 * headerless CSV with a column the shapes of its values name (`sniffShapedCsv`), and labelled text whose
 * head is an LDIF record (`sniffLdifHead`) is read as LDIF. Content whose head is a
 * mail's header block (`sniffMailHead`) is read as mail whatever the labels say, unlabelled or
 * `application/octet-stream` included (Amazon SES stores inbound mail so): read as text, its
 * base64 and quoted-printable bodies would pass unread. Content whose head is an mbox's
 * (`sniffMboxHead`: many mails, each after a `From ` line) is unsupported whatever the labels
 * say, `.txt` and `.eml` included. A choice that the content later contradicts fails while
 * parsing; nothing falls back to a weaker format. Apart from a mail head,
 * content alone never makes an unlabelled object supported, and the magic bytes veto binary content.
 * `undefined` means unsupported: the caller refuses the object unless a passthrough rule covers
 * its key.
 *
 * For gzip the head is compressed, so the format comes from the labels; the caller asks again
 * with the inflated head to let the content decide (and to veto binary content inside).
 *
 * @example
 * detectFormat({ contentType: 'text/csv', head }) // { format: 'csv', isGzip: false }
 * detectFormat({ contentType: 'text/plain', key: 'users.csv', head }) // { format: 'csv', isGzip: false }
 * detectFormat({ key: 'exports/users.ndjson.gz', head: gzipBytes }) // { format: 'ndjson', isGzip: true }
 */
export function detectFormat(hints: FormatHints): DetectedFormat | undefined {
  const isGzip = startsWith(hints.head, [0x1f, 0x8b]);
  if (!isGzip && isBinary(hints.head)) return undefined;
  const labelled = strongest(formatFromKey(hints.key), formatFromContentType(hints.contentType));
  if (!isGzip && sniffMailHead(hints.head)) return { format: 'mail', isGzip };
  if (!isGzip && sniffMboxHead(hints.head)) return undefined;
  if (labelled === undefined) return undefined;
  if (isGzip) return { format: labelled, isGzip };
  const format = withContent(labelled, sniffJsonLayout(hints.head));
  // Read as text, LDIF's base64 and folded values would pass unread.
  if (format === 'text' && sniffLdifHead(hints.head)) return { format: 'ldif', isGzip };
  const isRuledCsv =
    format === 'text' &&
    ((hints.isRuledColumn !== undefined && sniffRuledCsv(hints.head, hints.isRuledColumn)) ||
      (hints.nameOfColumn !== undefined && sniffShapedCsv(hints.head, hints.nameOfColumn)));
  return { format: isRuledCsv ? 'csv' : format, isGzip };
}

/** True when the bytes are of a known binary format, or contain a NUL byte. */
export function isBinary(head: Uint8Array): boolean {
  return BINARY_MAGIC.some((magic) => startsWith(head, magic)) || head.includes(0);
}

function formatFromContentType(contentType: string | undefined): TextFormat | undefined {
  if (contentType === undefined) return undefined;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === '' || GENERIC_TYPES.has(mediaType)) return undefined;
  const known = CONTENT_TYPES[mediaType];
  if (known !== undefined) return known;
  if (mediaType.endsWith('+json')) return 'json';
  if (mediaType.startsWith('text/')) return 'text';
  return undefined;
}

function formatFromKey(key: string | undefined): TextFormat | undefined {
  if (key === undefined) return undefined;
  const name = key.toLowerCase().replace(/\.gz$/, '');
  const dot = name.lastIndexOf('.');
  const fromExtension = dot < 0 || name.lastIndexOf('/') > dot ? undefined : EXTENSIONS[name.slice(dot + 1)];
  return fromExtension ?? (TEXT_NAMES.some((pattern) => pattern.test(name)) ? 'text' : undefined);
}

/** The structured one of two labels, the extension's on a conflict; text only when neither is structured. */
function strongest(
  fromKey: TextFormat | undefined,
  fromType: TextFormat | undefined,
): TextFormat | undefined {
  if (fromKey !== undefined && fromKey !== 'text') return fromKey;
  if (fromType !== undefined && fromType !== 'text') return fromType;
  return fromKey ?? fromType;
}

/** The labelled format, unless the content is JSON text: then the JSON format its layout calls for. */
function withContent(labelled: TextFormat, layout: JsonLayout | undefined): TextFormat {
  if (layout === 'document') return 'json';
  if (layout === 'lines') return 'ndjson';
  if (layout === undefined || labelled === 'json' || labelled === 'ndjson' || labelled === 'mail')
    return labelled;
  // One value on one line so far: NDJSON reads both that and a one-line document.
  return 'ndjson';
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.length <= bytes.length && magic.every((byte, index) => bytes[index] === byte);
}
