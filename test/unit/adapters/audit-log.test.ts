import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsoleAuditLog } from '../../../functions/adapters/console-audit-log.ts';
import { createPowertoolsAuditLog } from '../../../functions/adapters/powertools-audit-log.ts';
import type { AuditEvent } from '../../../functions/core/ports/audit-log.ts';

const event: AuditEvent = {
  requestId: 'req-1',
  operation: 'GetObject',
  caller: { id: 'partner-a', kind: 'gateway-key', ip: '192.0.2.10' },
  bucket: 'data',
  key: 'people/2026.csv',
  ruleSet: 'people',
  ruleSetVersion: 'v1-abc',
  decision: 'allow',
  status: 200,
  bytesIn: 2048,
  bytesOut: 1990,
  counts: { email: 12, 'us-ssn': 3 },
  durationMs: 41,
};

describe('createConsoleAuditLog', () => {
  it('writes an event with its counts as one line of JSON', () => {
    const lines: string[] = [];
    const audit = createConsoleAuditLog((line) => lines.push(line));

    audit.record(event);

    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ message: 'audit', audit: event });
    expect(Number.isNaN(Date.parse(parsed.timestamp))).toBe(false);
  });
});

describe('createPowertoolsAuditLog', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function captureStdout(): string[] {
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    return chunks;
  }

  it('writes an event with its counts as one structured JSON line', () => {
    const output = captureStdout();
    const audit = createPowertoolsAuditLog(new Logger({ serviceName: 'maskpoint-test' }));

    audit.record(event);

    const lines = output.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] as string);
    expect(parsed).toMatchObject({
      level: 'INFO',
      message: 'audit',
      service: 'maskpoint-test',
      audit: event,
    });
  });

  it('still writes audit lines when the logger’s level is above INFO', () => {
    const output = captureStdout();
    const audit = createPowertoolsAuditLog(new Logger({ serviceName: 'maskpoint-test', logLevel: 'ERROR' }));

    audit.record(event);

    expect(output.join('')).toContain('"message":"audit"');
  });
});
