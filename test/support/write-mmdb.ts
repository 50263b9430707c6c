import { isIPv4 } from 'node:net';

/** A value a test database can hold; `uint16` marks the metadata fields libmaxminddb reads as uint16. */
export type MmdbValue =
  | string
  | boolean
  | number
  | bigint
  | { readonly uint16: number }
  | readonly MmdbValue[]
  | { readonly [key: string]: MmdbValue };

/** Metadata of the written database. */
export interface MmdbOptions {
  readonly databaseType?: string;
  readonly description?: string;
  readonly languages?: readonly string[];
  /** Seconds since the epoch; fixed by default so the same entries always give the same bytes. */
  readonly buildEpoch?: bigint;
}

type Child = null | { readonly node: number } | { readonly data: string };

const DATA_SECTION_SEPARATOR_BYTES = 16;
const METADATA_MARKER = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com')]);

/**
 * Writes a MaxMind DB (IPv6 tree, 24-bit records; IPv4 networks live under `::/96`) from
 * `[cidr, value]` entries, listed broad before narrow: a narrower network overrides the part
 * of a broader one it covers. `::ffff:a.b.c.d` is not aliased; readers normalise it first.
 * Verified with the `maxmind` reader, libmaxminddb and the Perl XS reader.
 *
 * @example
 * ```ts
 * writeFileSync('geo.mmdb', buildMmdb([['192.0.2.0/24', { country: { iso_code: 'US' } }]]));
 * ```
 */
export function buildMmdb(
  entries: readonly (readonly [string, MmdbValue])[],
  options: MmdbOptions = {},
): Buffer {
  const nodes: [Child, Child][] = [[null, null]];
  const values = new Map<string, MmdbValue>();
  for (const [network, value] of entries) {
    const dataKey = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    values.set(dataKey, value);
    const { bits, length } = networkBits(network);
    let index = 0;
    for (let depth = 0; depth < length; depth++) {
      const bit = Number((bits >> BigInt(127 - depth)) & 1n) as 0 | 1;
      const node = nodes[index] as [Child, Child];
      if (depth === length - 1) {
        node[bit] = { data: dataKey };
        break;
      }
      const child = node[bit] ?? null;
      if (child !== null && 'node' in child) {
        index = child.node;
        continue;
      }
      // The new node's halves inherit the broader network's data.
      nodes.push([child, child]);
      node[bit] = { node: nodes.length - 1 };
      index = nodes.length - 1;
    }
  }

  const nodeCount = nodes.length;
  const offsets = new Map<string, number>();
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const [dataKey, value] of values) {
    const blob = encode(value);
    offsets.set(dataKey, offset);
    blobs.push(blob);
    offset += blob.length;
  }
  const record = (child: Child): number => {
    if (child === null) return nodeCount;
    if ('node' in child) return child.node;
    return nodeCount + DATA_SECTION_SEPARATOR_BYTES + (offsets.get(child.data) ?? 0);
  };
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(record(left), i * 6, 3);
    tree.writeUIntBE(record(right), i * 6 + 3, 3);
  });

  const metadata = encode({
    binary_format_major_version: { uint16: 2 },
    binary_format_minor_version: { uint16: 0 },
    build_epoch: options.buildEpoch ?? 1_767_225_600n,
    database_type: options.databaseType ?? 'Test-DB',
    description: { en: options.description ?? 'test fixture' },
    ip_version: { uint16: 6 },
    languages: options.languages ?? ['en'],
    node_count: nodeCount,
    record_size: { uint16: 24 },
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(DATA_SECTION_SEPARATOR_BYTES),
    ...blobs,
    METADATA_MARKER,
    metadata,
  ]);
}

/** The network as a 128-bit number and prefix length. */
function networkBits(network: string): { bits: bigint; length: number } {
  const [address = '', prefixLength] = network.split('/');
  if (isIPv4(address)) {
    const bits = address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
    return { bits, length: 96 + Number(prefixLength ?? 32) };
  }
  const [head = '', tail] = address.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const parts =
    tail === undefined
      ? headParts
      : [...headParts, ...Array<string>(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  const bits = parts.reduce((value, part) => (value << 16n) | BigInt(Number.parseInt(part, 16)), 0n);
  return { bits, length: Number(prefixLength ?? 128) };
}

/** Control byte(s): type in the top 3 bits (extended types after it), then the size. */
function control(type: number, size: number): Buffer {
  const bytes: number[] = [];
  const first = type <= 7 ? type << 5 : 0;
  if (size < 29) bytes.push(first | size);
  else if (size < 285) bytes.push(first | 29, size - 29);
  else if (size < 65_821) {
    const rest = size - 285;
    bytes.push(first | 30, rest >> 8, rest & 255);
  } else {
    const rest = size - 65_821;
    bytes.push(first | 31, (rest >> 16) & 255, (rest >> 8) & 255, rest & 255);
  }
  if (type > 7) bytes.splice(1, 0, type - 7);
  return Buffer.from(bytes);
}

/** Big-endian bytes of an unsigned integer without leading zero bytes, as the format wants. */
function unsignedBytes(value: bigint): Buffer {
  if (value === 0n) return Buffer.alloc(0);
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'bigint') {
    const bytes = unsignedBytes(value);
    return Buffer.concat([control(9, bytes.length), bytes]);
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) {
      const bytes = unsignedBytes(BigInt(value));
      return Buffer.concat([control(6, bytes.length), bytes]);
    }
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), bytes]);
  }
  if (isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  if ('uint16' in value && typeof value.uint16 === 'number') {
    const bytes = unsignedBytes(BigInt(value.uint16));
    return Buffer.concat([control(5, bytes.length), bytes]);
  }
  const map = value as { readonly [key: string]: MmdbValue };
  const keys = Object.keys(map);
  return Buffer.concat([
    control(7, keys.length),
    ...keys.flatMap((key) => [encode(key), encode(map[key] as MmdbValue)]),
  ]);
}

function isArray(value: MmdbValue): value is readonly MmdbValue[] {
  return Array.isArray(value);
}
