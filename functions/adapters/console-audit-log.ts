import type { AuditLog } from '../core/ports/audit-log.ts';

/**
 * An `AuditLog` for the local gateway: one JSON line per event,
 * `{"timestamp":"…","message":"audit","audit":{…event}}`, the same `audit` field as the
 * Powertools lines so one query reads both.
 */
export function createConsoleAuditLog(
  write: (line: string) => void = (line) => process.stdout.write(line),
): AuditLog {
  return {
    record(event) {
      write(`${JSON.stringify({ timestamp: new Date().toISOString(), message: 'audit', audit: event })}\n`);
    },
  };
}
