import { SlowDownError } from './errors.ts';

/** Memory all range answers of one process may hold at once while they are collected. */
const DEFAULT_RANGE_BUFFER_BYTES = 256 * 1024 * 1024;

/**
 * A process-wide cap on the bytes held by range answers (see byte-range.ts): each request leases
 * what it holds, and a request that would take the pool over its capacity is refused with 503
 * SlowDown, which S3 clients retry with backoff.
 */
export interface RangeBufferPool {
  /** Bytes currently leased by all requests. */
  readonly heldBytes: number;
  /** Opens one request's lease, holding nothing yet. */
  lease(): RangeBufferLease;
}

/** The bytes one request holds from the pool. */
export interface RangeBufferLease {
  /**
   * Sets the bytes this request holds to `bytes`.
   * @throws SlowDownError when growing it would take the pool over its capacity.
   */
  hold(bytes: number): void;
  /** Gives everything back; later calls do nothing. */
  release(): void;
}

/**
 * Creates a pool of `capacityBytes`.
 *
 * @example
 * const lease = pool.lease();
 * try { lease.hold(chunk.byteLength); } finally { lease.release(); }
 */
export function createRangeBufferPool(capacityBytes: number): RangeBufferPool {
  let heldBytes = 0;
  return {
    get heldBytes() {
      return heldBytes;
    },
    lease() {
      let leased = 0;
      let isReleased = false;
      return {
        hold(bytes) {
          if (isReleased) return;
          if (bytes > leased && heldBytes + bytes - leased > capacityBytes) {
            throw new SlowDownError('Please reduce your request rate. (too many range requests in progress)');
          }
          heldBytes += bytes - leased;
          leased = bytes;
        },
        release() {
          if (isReleased) return;
          isReleased = true;
          heldBytes -= leased;
          leased = 0;
        },
      };
    },
  };
}

/** The pool every request of this process shares unless its dependencies name another. */
export const sharedRangeBufferPool: RangeBufferPool = createRangeBufferPool(DEFAULT_RANGE_BUFFER_BYTES);
