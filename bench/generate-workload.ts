import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** The generated inputs; `csv-gz` is `csv` compressed, the `adversarial-*` kinds are worst-case probes. */
export type WorkloadKind =
  | 'csv'
  | 'ndjson'
  | 'log'
  | 'csv-gz'
  | 'adversarial-digits'
  | 'adversarial-words'
  | 'adversarial-cjk'
  | 'adversarial-line'
  | 'adversarial-invalid';

const EXTENSIONS: Record<WorkloadKind, string> = {
  csv: 'csv',
  ndjson: 'ndjson',
  log: 'log',
  'csv-gz': 'csv.gz',
  'adversarial-digits': 'txt',
  'adversarial-words': 'txt',
  'adversarial-cjk': 'txt',
  'adversarial-line': 'json',
  'adversarial-invalid': 'txt',
};

/** Size of the single-line JSON document: below the default 1 MiB record limit on purpose. */
const SINGLE_LINE_JSON_BYTES = 1_000_000;

/**
 * Returns the path of a generated workload file in `dir`, generating it on first use (calling
 * `onGenerate` first). Files are named by (kind, size, seed), so the same arguments always give
 * byte-identical content.
 *
 * @example
 * const path = await ensureWorkload('csv', 128_000_000, 1, 'bench/.data');
 */
export async function ensureWorkload(
  kind: WorkloadKind,
  sizeBytes: number,
  seed: number,
  dir: string,
  onGenerate: (path: string) => void = () => {},
): Promise<string> {
  const size = kind === 'adversarial-line' ? SINGLE_LINE_JSON_BYTES : sizeBytes;
  const path = join(dir, `${kind}-${size}-${seed}.${EXTENSIONS[kind]}`);
  if (await exists(path)) return path;
  onGenerate(path);
  await mkdir(dir, { recursive: true });
  const partial = `${path}.partial`;
  if (kind === 'csv-gz') {
    const plain = await ensureWorkload('csv', size, seed, dir, onGenerate);
    await pipeline(createReadStream(plain), createGzip({ level: 6 }), createWriteStream(partial));
  } else {
    await writeRecords(partial, size, recordsOf(kind, size, mulberry32(seed)));
  }
  await rename(partial, path);
  return path;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes records until `sizeBytes` is reached; the last record may overshoot by its own length. */
async function writeRecords(path: string, sizeBytes: number, records: Iterator<string | Uint8Array>) {
  const out = createWriteStream(path);
  let written = 0;
  let batch: string[] = [];
  let batchChars = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const bytes = Buffer.from(batch.join(''), 'utf8');
    batch = [];
    batchChars = 0;
    written += bytes.byteLength;
    if (!out.write(bytes)) await once(out, 'drain');
  };
  while (written < sizeBytes) {
    const next = records.next();
    if (next.done) break;
    const record = next.value;
    if (typeof record === 'string') {
      batch.push(record);
      batchChars += record.length;
      // Char counts underestimate UTF-8 bytes, so flush early enough to stop close to the target.
      if (written + batchChars * 3 >= sizeBytes || batchChars >= 1 << 20) await flush();
    } else {
      await flush();
      written += record.byteLength;
      if (!out.write(record)) await once(out, 'drain');
    }
  }
  await flush();
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

function recordsOf(kind: WorkloadKind, size: number, random: Random): Iterator<string | Uint8Array> {
  switch (kind) {
    case 'csv':
    case 'csv-gz':
      return csvRows(random);
    case 'ndjson':
      return ndjsonLines(random);
    case 'log':
      return logLines(random);
    case 'adversarial-digits':
      return digitRuns(random);
    case 'adversarial-words':
      return longWords(random);
    case 'adversarial-cjk':
      return cjkLines(random);
    case 'adversarial-line':
      return singleLineJson(random);
    case 'adversarial-invalid':
      return invalidUtf8(random, size);
  }
}

/** A seeded source of pseudo-random values. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(values: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: tiny, fast and good enough for test data; the same seed gives the same sequence. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(values: readonly T[]): T => values[int(values.length)] as T,
    chance: (p) => next() < p,
  };
}

const FIRST_NAMES = [
  'james',
  'mary',
  'robert',
  'linda',
  'michael',
  'sarah',
  'david',
  'emma',
  'daniel',
  'olivia',
];
const LAST_NAMES = [
  'smith',
  'johnson',
  'brown',
  'garcia',
  'miller',
  'davis',
  'wilson',
  'moore',
  'taylor',
  'lee',
];
const ACCENTED_FIRST = [
  'José',
  'Zoë',
  'François',
  'Renée',
  'Björn',
  'Søren',
  'Inés',
  'Chloé',
  'Jürgen',
  'Ålice',
];
const ACCENTED_LAST = [
  'Müller',
  'Gonçalves',
  'Núñez',
  'Ødegaard',
  'Lefèvre',
  'Sørensen',
  'Håkansson',
  'Pérez',
];
const CITIES = ['Springfield', 'Portland', 'Austin', 'Denver', 'Boston', 'Chicago', 'Seattle', 'Phoenix'];
const ACCENTED_CITIES = ['Zürich', 'São Paulo', 'Málaga', 'Göteborg', 'Besançon', 'Reykjavík', 'Köln'];
const WORDS = [
  'customer',
  'requested',
  'refund',
  'delivery',
  'address',
  'updated',
  'please',
  'confirm',
  'invoice',
  'shipped',
  'late',
  'package',
  'damaged',
  'replacement',
  'ticket',
  'escalated',
  'resolved',
  'pending',
  'warehouse',
  'priority',
  'order',
  'return',
  'label',
  'called',
  'voicemail',
  'email',
  'notes',
  'account',
];
const ACCENTED_WORDS = ['café', 'déjà', 'façade', 'naïve', 'señor', 'über', 'crème', 'garçon'];
const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'returned', 'cancelled'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD'];
const TAGS = ['vip', 'priority', 'wholesale', 'retail', 'gift', 'b2b'];
const DOMAINS = ['example.com', 'mail.example.org', 'corp.example.net', 'shop.test'];
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789abcdef';
/** 2024-01-01T00:00:00Z: timestamps spread over the following year. */
const EPOCH_MS = 1_704_067_200_000;
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** The sensitive value kinds the default detectors are expected to find. */
const PII_KINDS = ['email', 'ssn', 'card', 'phone', 'iban', 'aws-key', 'ipv4', 'jwt'] as const;
type PiiKind = (typeof PII_KINDS)[number];

function digits(random: Random, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(48 + random.int(10));
  return out;
}

function chars(random: Random, alphabet: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[random.int(alphabet.length)];
  return out;
}

function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = payload.charCodeAt(payload.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function ibanCheck(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`;
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + digit.charCodeAt(0) - 48) % 97;
  }
  return String(98 - remainder).padStart(2, '0');
}

function pii(random: Random, kind: PiiKind): string {
  switch (kind) {
    case 'email':
      return `${random.pick(FIRST_NAMES)}.${random.pick(LAST_NAMES)}${random.int(100)}@${random.pick(DOMAINS)}`;
    case 'ssn': {
      let area = 1 + random.int(899);
      if (area === 666) area = 667;
      const group = 1 + random.int(99);
      const serial = 1 + random.int(9999);
      return `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`;
    }
    case 'card': {
      const payload = `4${digits(random, 14)}`;
      const card = `${payload}${luhnCheckDigit(payload)}`;
      const separator = random.pick(['', ' ', '-']);
      return card.match(/.{4}/g)?.join(separator) ?? card;
    }
    case 'phone': {
      const area = `${2 + random.int(8)}${digits(random, 2)}`;
      const exchange = `${2 + random.int(8)}${digits(random, 2)}`;
      const line = digits(random, 4);
      return random.pick([
        `(${area}) ${exchange}-${line}`,
        `${area}-${exchange}-${line}`,
        `+1 ${area} ${exchange} ${line}`,
        `${area}.${exchange}.${line}`,
      ]);
    }
    case 'iban': {
      const [country, bban] = random.chance(0.5)
        ? ['DE', digits(random, 18)]
        : ['NL', `${chars(random, BASE32.slice(0, 26), 4)}${digits(random, 10)}`];
      const iban = `${country}${ibanCheck(country, bban)}${bban}`;
      return random.chance(0.5) ? iban : (iban.match(/.{1,4}/g)?.join(' ') ?? iban);
    }
    case 'aws-key':
      return `AKIA${chars(random, BASE32, 16)}`;
    case 'ipv4': {
      let first = 11 + random.int(213);
      if (first === 127 || first === 172 || first === 192) first++;
      return `${first}.${random.int(256)}.${random.int(256)}.${1 + random.int(254)}`;
    }
    case 'jwt': {
      const payload = Buffer.from(
        `{"sub":"${digits(random, 8)}","iat":${1_700_000_000 + random.int(1e8)}}`,
      ).toString('base64url');
      return `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${payload}.${chars(random, BASE64URL, 43)}`;
    }
  }
}

const PII_PHRASES: Record<PiiKind, readonly string[]> = {
  email: ['reach me at', 'forwarded to', 'cc'],
  ssn: ['ssn', 'social security number', 'tax id'],
  card: ['paid with card', 'card', 'cc number'],
  phone: ['call', 'phone', 'mobile'],
  iban: ['refund to IBAN', 'iban', 'account'],
  'aws-key': ['leaked key', 'access key', 'key id'],
  ipv4: ['login from', 'ip', 'seen at'],
  jwt: ['bearer', 'session token', 'auth'],
};

/** Free text: a few words, sometimes with commas or quotes, optionally carrying one sensitive value. */
function freeText(random: Random, isAccented: boolean, sensitiveRate: number): string {
  const words: string[] = [];
  const count = 3 + random.int(8);
  for (let i = 0; i < count; i++) {
    words.push(isAccented && random.chance(0.3) ? random.pick(ACCENTED_WORDS) : random.pick(WORDS));
    if (random.chance(0.08)) words.push(`#${digits(random, 5 + random.int(4))}`);
    if (random.chance(0.05)) words[words.length - 1] += ',';
  }
  if (random.chance(sensitiveRate)) {
    const kind = random.pick(PII_KINDS);
    words.splice(random.int(words.length + 1), 0, `${random.pick(PII_PHRASES[kind])} ${pii(random, kind)}`);
  }
  if (random.chance(0.03)) words.push('"urgent"');
  return words.join(' ');
}

function uuid(random: Random): string {
  const hex = chars(random, HEX, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[random.int(4)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function timestamp(random: Random): string {
  return new Date(EPOCH_MS + random.int(YEAR_MS)).toISOString();
}

/** 10–12 digits that fail the Luhn check, so a card detector must reject them. */
function orderNumber(random: Random): string {
  const payload = digits(random, 9 + random.int(3));
  return `${payload}${(luhnCheckDigit(payload) + 1 + random.int(9)) % 10}`;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One order record; ~2 % of all fields sensitive, all of them inside the three free-text fields. */
interface OrderRecord {
  id: number;
  uuid: string;
  createdAt: string;
  updatedAt: string;
  firstName: string;
  lastName: string;
  city: string;
  zip: string;
  orderNo: string;
  sku: string;
  quantity: number;
  unitPrice: string;
  total: string;
  currency: string;
  status: string;
  version: string;
  notes: string;
  comment: string;
  contact: string;
  tags: string;
}

/** 20 fields × 2 % = 0.4 sensitive values per record, spread over the 3 free-text fields. */
const FREE_TEXT_SENSITIVE_RATE = 0.4 / 3;

function orderRecord(random: Random, id: number): OrderRecord {
  const isAccented = random.chance(0.1);
  const quantity = 1 + random.int(20);
  const unitCents = 100 + random.int(99_900);
  return {
    id,
    uuid: uuid(random),
    createdAt: timestamp(random),
    updatedAt: timestamp(random),
    firstName: isAccented ? random.pick(ACCENTED_FIRST) : random.pick(FIRST_NAMES),
    lastName: isAccented ? random.pick(ACCENTED_LAST) : random.pick(LAST_NAMES),
    city: isAccented ? random.pick(ACCENTED_CITIES) : random.pick(CITIES),
    zip: digits(random, 5),
    orderNo: orderNumber(random),
    sku: `SKU-${chars(random, BASE32.slice(0, 26), 3)}-${digits(random, 5)}`,
    quantity,
    unitPrice: (unitCents / 100).toFixed(2),
    total: ((unitCents * quantity) / 100).toFixed(2),
    currency: random.pick(CURRENCIES),
    status: random.pick(STATUSES),
    version: `${random.int(10)}.${random.int(30)}.${random.int(100)}`,
    notes: freeText(random, isAccented, FREE_TEXT_SENSITIVE_RATE),
    comment: freeText(random, isAccented, FREE_TEXT_SENSITIVE_RATE),
    contact: freeText(random, isAccented, FREE_TEXT_SENSITIVE_RATE),
    tags: `${random.pick(TAGS)};${random.pick(TAGS)}`,
  };
}

/** Column headers of the CSV workload; the free-text ones are deliberately not field-rule names. */
export const CSV_HEADERS = [
  'id',
  'uuid',
  'created_at',
  'updated_at',
  'first_name',
  'last_name',
  'city',
  'zip',
  'order_no',
  'sku',
  'quantity',
  'unit_price',
  'total',
  'currency',
  'status',
  'version',
  'notes',
  'comment',
  'contact',
  'tags',
] as const;

function* csvRows(random: Random): Generator<string> {
  yield `${CSV_HEADERS.join(',')}\n`;
  for (let id = 1; ; id++) {
    const r = orderRecord(random, id);
    yield `${r.id},${r.uuid},${r.createdAt},${r.updatedAt},${csvCell(r.firstName)},${csvCell(r.lastName)},${csvCell(r.city)},${r.zip},${r.orderNo},${r.sku},${r.quantity},${r.unitPrice},${r.total},${r.currency},${r.status},${r.version},${csvCell(r.notes)},${csvCell(r.comment)},${csvCell(r.contact)},${r.tags}\n`;
  }
}

function* ndjsonLines(random: Random): Generator<string> {
  for (let id = 1; ; id++) {
    const r = orderRecord(random, id);
    yield `${JSON.stringify({
      id: r.id,
      uuid: r.uuid,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      customer: { first_name: r.firstName, last_name: r.lastName, location: { city: r.city, zip: r.zip } },
      order_no: r.orderNo,
      sku: r.sku,
      quantity: r.quantity,
      unit_price: Number(r.unitPrice),
      total: Number(r.total),
      currency: r.currency,
      status: r.status,
      version: r.version,
      notes: r.notes,
      comment: r.comment,
      contact: r.contact,
      tags: r.tags.split(';'),
    })}\n`;
  }
}

const SERVICES = ['api', 'billing', 'auth', 'search', 'worker'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/v1/orders', '/api/v1/users', '/login', '/api/v2/search', '/health'];
const LEVELS = ['INFO', 'INFO', 'INFO', 'WARN', 'DEBUG', 'ERROR'];

/** key=value application logs: public IPs and emails are sensitive, private 10.x IPs are decoys. */
function* logLines(random: Random): Generator<string> {
  for (;;) {
    const ip = random.chance(0.15)
      ? pii(random, 'ipv4')
      : `10.${random.int(256)}.${random.int(256)}.${random.int(256)}`;
    const user = random.chance(0.1) ? pii(random, 'email') : `u${digits(random, 6)}`;
    const msg = freeText(random, random.chance(0.1), 0.15).replaceAll('"', "'");
    yield `${timestamp(random)} ${random.pick(LEVELS)} [svc-${random.pick(SERVICES)}] req_id=${uuid(random)} ip=${ip} user=${user} method=${random.pick(METHODS)} path=${random.pick(PATHS)}/${random.int(100_000)} status=${random.pick([200, 200, 201, 204, 400, 404, 500])} latency_ms=${random.int(2000)} version=${random.int(5)}.${random.int(20)}.${random.int(50)} msg="${msg}"\n`;
  }
}

/** Long runs of digits and separators: the worst case for card, SSN, phone and IBAN candidates. */
function* digitRuns(random: Random): Generator<string> {
  for (;;) {
    const style = random.int(4);
    const length = 1024 + random.int(15 * 1024);
    let line = '';
    while (line.length < length) {
      if (style === 0) line += digits(random, 64);
      else if (style === 1) line += `${digits(random, 4)} `;
      else if (style === 2) line += `${digits(random, 3)}-${digits(random, 2)}-`;
      else line += `${digits(random, 1 + random.int(4))}.`;
    }
    yield `${line}\r\n`;
  }
}

/** 100 KB words of email-local-part characters with no `@`, the worst case for an unanchored email pattern. */
function* longWords(random: Random): Generator<string> {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789._%+-';
  for (;;) {
    const parts: string[] = [];
    for (let i = 0; i < 100; i++) parts.push(chars(random, alphabet, 1000));
    yield `${parts.join('')}\r\n`;
  }
}

/** Lines of CJK ideographs (three UTF-8 bytes, two-byte V8 strings) with sensitive values inside. */
function* cjkLines(random: Random): Generator<string> {
  for (;;) {
    let line = '';
    const length = 40 + random.int(200);
    for (let i = 0; i < length; i++) line += String.fromCharCode(0x4e00 + random.int(0x5200));
    if (random.chance(0.3)) {
      const kind = random.pick(PII_KINDS);
      const at = random.int(line.length);
      line = `${line.slice(0, at)} ${pii(random, kind)} ${line.slice(at)}`;
    }
    yield `${line}\r\n`;
  }
}

/** One JSON document on one line: an array of order records, closed once it is ~1 MB. */
function* singleLineJson(random: Random): Generator<string> {
  let size = 1;
  yield '[';
  for (let id = 1; size < SINGLE_LINE_JSON_BYTES - 2_000; id++) {
    const record = `${id > 1 ? ',' : ''}${JSON.stringify(orderRecord(random, id))}`;
    size += Buffer.byteLength(record);
    yield record;
  }
  yield ']';
}

/** Log lines with one invalid UTF-8 sequence (0xC3 0x28) at the middle of the file. */
function* invalidUtf8(random: Random, size: number): Generator<string | Uint8Array> {
  const lines = logLines(random);
  let written = 0;
  while (written < size / 2) {
    const line = lines.next().value as string;
    written += Buffer.byteLength(line);
    yield line;
  }
  yield Uint8Array.of(0xc3, 0x28, 0x0a);
  yield* lines;
}
