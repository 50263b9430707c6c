import { Logger } from '@aws-lambda-powertools/logger';
import type { AuditLog } from '../core/ports/audit-log.ts';

/**
 * An `AuditLog` writing one structured JSON line per event through Powertools Logger:
 * `{"level":"INFO","message":"audit",…,"audit":{…event}}`. The lines are written at INFO
 * whatever the function's log level, so raising the level to WARN keeps the audit trail.
 *
 * @example
 * ```ts
 * const audit = createPowertoolsAuditLog(new Logger({ serviceName: 'maskpoint-gateway' }));
 * audit.record(event);
 * ```
 */
export function createPowertoolsAuditLog(
  logger: Logger = new Logger({ serviceName: 'maskpoint' }),
): AuditLog {
  const auditLogger = logger.createChild({ logLevel: 'INFO' });
  return {
    record(event) {
      auditLogger.info('audit', { audit: event });
    },
  };
}
