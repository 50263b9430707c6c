/**
 * Writes `bucket/events.csv.gz`, the example bucket's gzip object. Node's gzip header has no
 * timestamp, so the committed file is the same byte for byte on every run.
 *
 * Run: npx tsx examples/make-gzip.ts
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const EVENTS_CSV = `event_id,timestamp,type,email,ip,detail
ev-0001,2024-03-01T09:30:00Z,signup,jane.doe@example.com,203.0.113.42,"plan=pro, phone (415) 555-0134"
ev-0002,2024-03-01T09:31:10Z,payment,john.roe@example.org,198.51.100.23,"card 5555 5555 5555 4444 charged 42.00 GBP"
ev-0003,2024-03-01T09:32:45Z,support,alex.smith@example.com,192.0.2.17,"asked to remove SSN 078-05-1120 from profile"
ev-0004,2024-03-01T09:33:05Z,payout,mj.nunez@example.org,203.0.113.99,"payout to IBAN GB82 WEST 1234 5698 7654 32"
ev-0005,2024-03-01T09:34:00Z,heartbeat,,,"version 2.14.3 ok"
`;

writeFileSync(new URL('./bucket/events.csv.gz', import.meta.url), gzipSync(EVENTS_CSV, { level: 9 }));
