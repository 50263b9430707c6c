/**
 * Throughput of the built-in detectors, by hand: `npx tsx bench/detector-throughput.ts [MB]`.
 * Generates seeded CSV-like text (~2 % of fields PII, numeric decoys such as order numbers,
 * timestamps, versions and UUIDs), then scans it in 64 KiB windows (as the text redactor does)
 * with each detector alone and with the whole default set (also in 256 KiB windows, and as a
 * two-byte string, which is what streamed UTF-8 decodes to). Prints MB per CPU-second (steadier
 * than wall time on a busy machine) and match counts. Not a test.
 */
import type { Detector } from '../functions/core/redaction/detector.ts';
import {
  builtInDetectorIds,
  createBuiltInDetector,
} from '../functions/core/redaction/detectors/built-in-detectors.ts';
import { Scanner } from '../functions/core/redaction/scanner.ts';

const megabytes = Number(process.argv[2] ?? 50);

function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

const pii = [
  () => `${pick(['john', 'mary.k', 'ops+alerts'])}${digits(3)}@${pick(['example.com', 'mail.example.org'])}`,
  () => `(${pick(['555', '212', '415'])}) ${digits(3).replace(/^[01]/, '7')}-${digits(4)}`,
  () => pick(['4111 1111 1111 1111', '5555555555554444', '378282246310005']),
  () => `${pick(['123', '234', '401'])}-${pick(['45', '12'])}-${pick(['6789', '1234'])}`,
  () => pick(['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432']),
  () => `10.${digits(2)}.${digits(1)}.${digits(2)}`,
  () => 'AKIAIOSFODNN7EXAMPLE',
  () =>
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
];
const plain = [
  () => digits(10),
  () => `2024-0${Math.floor(random() * 9) + 1}-1${digits(1)}T10:${digits(2).replace(/^[6-9]/, '5')}:00Z`,
  () => `${digits(1)}.${digits(1)}.${digits(2)}`,
  () => '123e4567-e89b-12d3-a456-426614174000',
  () => pick(['Müller', 'Zoë', 'Smith', 'Nguyen', 'García']),
  () => pick(['Berlin', 'New York', 'Lyon', 'Osaka']),
  () => `${digits(2)}.${digits(2)}`,
  () => pick(['shipped', 'pending', 'returned to sender, see note']),
  () => `SKU-${digits(6)}`,
];

function generate(targetChars: number): string {
  const rows: string[] = [];
  let size = 0;
  while (size < targetChars) {
    const cells: string[] = [];
    for (let i = 0; i < 20; i++) cells.push(random() < 0.02 ? pick(pii)() : pick(plain)());
    const row = cells.join(',');
    rows.push(row);
    size += row.length + 1;
  }
  return rows.join('\n');
}

function measure(
  detectors: Detector[],
  text: string,
  windowChars = 64 * 1024,
): { mbPerSecond: number; matches: number } {
  const scanner = new Scanner(detectors);
  const reach = scanner.reachLength;
  let matches = 0;
  const started = process.cpuUsage();
  for (let from = 0; from < text.length; from += windowChars) {
    const limit = Math.min(text.length, from + windowChars);
    const windowStart = Math.max(0, from - scanner.contextLength);
    const window = text.slice(windowStart, Math.min(text.length, limit + reach));
    matches += scanner.scan(window, from - windowStart, limit - windowStart).matches.length;
  }
  const used = process.cpuUsage(started);
  const seconds = (used.user + used.system) / 1e6;
  return { mbPerSecond: text.length / 1e6 / seconds, matches };
}

const text = generate(megabytes * 1e6);
const all = () => builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector);
const report = (name: string, result: { mbPerSecond: number; matches: number }): void =>
  console.log(
    `${name.padEnd(24)} ${result.mbPerSecond.toFixed(0).padStart(6)} MB/s ${String(result.matches).padStart(8)} matches`,
  );

measure(all(), text.slice(0, 2e6));
for (const id of builtInDetectorIds) report(id, measure([createBuiltInDetector(id) as Detector], text));
for (const windowKiB of [64, 256])
  report(`all, ${windowKiB} KiB windows`, measure(all(), text, windowKiB * 1024));
// One character above U+00FF makes V8 store the whole string, and every window of it, two bytes per character.
report('all, 64 KiB, two-byte', measure(all(), `${text}\u0100`));
