/**
 * The S3 operation an audit line names: those a front door serves, and those it refuses at
 * the door (writes, bucket listing when it is not enabled). `Unknown` is a method or
 * sub-resource request that is no operation the gateway recognises.
 */
export type AuditOperation =
  | 'GetObject'
  | 'HeadObject'
  | 'ListObjectsV2'
  | 'ListObjects'
  | 'ListBuckets'
  | 'HeadBucket'
  | 'GetBucketLocation'
  | 'PutObject'
  | 'PostObject'
  | 'DeleteObject'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'Unknown';

/**
 * One audit line per request: who, what, which rule set, the decision and counts per rule id.
 * It never holds a matched value or object content.
 */
export interface AuditEvent {
  readonly requestId: string;
  readonly operation: AuditOperation;
  readonly caller: { readonly id: string; readonly kind: string; readonly ip?: string | undefined };
  readonly bucket: string;
  readonly key?: string | undefined;
  readonly ruleSet?: string | undefined;
  readonly ruleSetVersion?: string | undefined;
  readonly decision: 'allow' | 'passthrough' | 'deny' | 'error';
  /** Error code and safe message for deny / error. */
  readonly reason?: string | undefined;
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

/** Port: where audit events go (Powertools JSON logger, stdout locally). */
export interface AuditLog {
  record(event: AuditEvent): void;
}
