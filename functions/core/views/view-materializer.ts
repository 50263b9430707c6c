import { createHash, type Hash } from 'node:crypto';
import { MaskpointError, ServiceUnavailableError } from '../errors.ts';
import type { SourceObject, SourceObjectHead } from '../ports/object-source.ts';
import type { RedactionStream } from '../ports/redaction-engine.ts';
import type { ViewMetadata, ViewStore, ViewWriter } from '../ports/view-store.ts';
import { sameEtag, type ViewIdentity, viewId } from './view-id.ts';

/** A redaction that can become a view: the engine's stream and what it was opened from. */
export interface ViewSource {
  /**
   * The stored object being redacted (the GET response's head, not an earlier HEAD's). Its body
   * is closed directly whenever the redaction is dropped: closing a redaction body does not
   * always reach the source (not before it started, nor while it still replays the head it
   * peeked at).
   */
  readonly source: SourceObject;
  readonly redaction: RedactionStream;
  /** The `Content-Type` the redacted object is served with. */
  readonly contentType: string;
}

/** Opens the stored object and its redaction; called only by the request that makes the view. */
export type OpenViewSource = () => Promise<ViewSource>;

/**
 * The object passes through unredacted (an operator's passthrough rule): its bytes are raw, and
 * a view holds redacted bytes only. Serve its stored length instead.
 */
export class UnstorableViewError extends MaskpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UnstorableView', message, options);
  }
}

export interface ViewMaterializerOptions {
  /** Most views this process makes at once; further ones wait their turn. @default 4 */
  readonly maxConcurrent?: number | undefined;
  /** @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Resolves after `ms`, or as soon as `signal` aborts. @default a `setTimeout` */
  readonly sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
}

/** Makes views: one materialization per id at a time in this process, a bounded number overall. */
export interface ViewMaterializer {
  /**
   * The view's metadata once it is committed: the stored view when there is one, else made now
   * from `open()`, or joined when another request of this process is making it. Rejects with the
   * error that stopped the redaction (nothing is then stored), `UnstorableViewError` for a
   * passthrough object, or `ServiceUnavailableError` when the object changed after `identity`
   * was computed (retry with a fresh ETag).
   */
  materialize(identity: ViewIdentity, open: OpenViewSource): Promise<ViewMetadata>;
  /**
   * `materialize`, waiting at most `budgetMs`: `undefined` when the budget ran out, while the view
   * is still being made in the background (HEAD answers 503 SlowDown with `Retry-After`).
   * Errors within the budget reject as for `materialize`.
   */
  materializeWithin(
    identity: ViewIdentity,
    open: OpenViewSource,
    budgetMs: number,
  ): Promise<ViewMetadata | undefined>;
  /**
   * The redacted body of a GET that found no view, copied into the store as the client reads
   * it; the view is committed only when the whole body was read. Requests for the same view
   * meanwhile join this one. When the client leaves early the copy is aborted, unless another
   * request is waiting for the view: then the redaction finishes in the background. A store
   * failure never breaks the client's body; the view is then just not kept. Nothing is stored
   * for a passthrough object, an object whose ETag is not `identity`'s, or when this view is
   * already being made or all slots are busy: the body is then `view.redaction.body` as is.
   */
  tee(identity: ViewIdentity, view: ViewSource): AsyncIterable<Uint8Array>;
}

interface Flight {
  readonly promise: Promise<ViewMetadata>;
  /** Someone besides the maker waits for this view. */
  isWanted: boolean;
  resolve(metadata: ViewMetadata): void;
  reject(error: unknown): void;
}

const DEFAULT_MAX_CONCURRENT = 4;

/**
 * Creates the materializer of one process over `store`.
 *
 * @example
 * const materializer = createViewMaterializer(store, { maxConcurrent: 4 });
 * const metadata = await materializer.materializeWithin(identity, openView, 10_000);
 * if (metadata === undefined) throw new SlowDownError(); // still materializing: the client retries
 */
export function createViewMaterializer(
  store: ViewStore,
  options: ViewMaterializerOptions = {},
): ViewMaterializer {
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const flights = new Map<string, Flight>();
  const waitingForSlot: (() => void)[] = [];
  let activeSlots = 0;

  function tryAcquireSlot(): boolean {
    if (activeSlots >= maxConcurrent) return false;
    activeSlots += 1;
    return true;
  }

  async function acquireSlot(): Promise<void> {
    if (tryAcquireSlot()) return;
    // `releaseSlot` hands its slot over directly, so `activeSlots` stays as it is.
    await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  }

  function releaseSlot(): void {
    const next = waitingForSlot.shift();
    if (next === undefined) activeSlots -= 1;
    else next();
  }

  function startFlight(id: string): Flight {
    let resolve!: (metadata: ViewMetadata) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<ViewMetadata>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const flight: Flight = { promise, isWanted: false, resolve, reject };
    flights.set(id, flight);
    const end = () => {
      if (flights.get(id) === flight) flights.delete(id);
    };
    // A flight nobody waits for any more may fail unobserved; that is no crash.
    promise.then(end, end);
    return flight;
  }

  function commitMetadata(view: ViewSource, recording: Recording): ViewMetadata {
    const format = view.redaction.format;
    if (format === undefined) throw new UnstorableViewError('a passthrough object is never stored as a view');
    return {
      redactedBytes: recording.bytes,
      md5: recording.digest.digest('hex'),
      counts: Object.fromEntries(view.redaction.redactor.counts),
      createdAt: new Date(now()),
      format: format.format,
      contentType: view.contentType,
      contentEncoding: view.source.contentEncoding,
      sourceLastModified: view.source.lastModified,
    };
  }

  /** Writes the rest of the body, then commits; aborts the writer and closes the body on failure. */
  async function finish(
    iterator: AsyncIterator<Uint8Array>,
    writer: ViewWriter,
    view: ViewSource,
    recording: Recording,
  ): Promise<ViewMetadata> {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        recording.add(next.value);
        await writer.write(next.value);
      }
      const metadata = commitMetadata(view, recording);
      await writer.commit(metadata);
      return metadata;
    } catch (error) {
      await closeView(iterator, view);
      await abortQuietly(writer);
      throw error;
    }
  }

  async function makeView(id: string, identity: ViewIdentity, open: OpenViewSource): Promise<ViewMetadata> {
    const stored = await store.get(id);
    if (stored !== undefined) return stored;
    await acquireSlot();
    try {
      const view = await open();
      const iterator = view.redaction.body[Symbol.asyncIterator]();
      let writer: ViewWriter;
      try {
        checkStorable(identity, view);
        writer = await store.create(id);
      } catch (error) {
        await closeView(iterator, view);
        throw error;
      }
      return await finish(iterator, writer, view, new Recording());
    } finally {
      releaseSlot();
    }
  }

  function materialize(identity: ViewIdentity, open: OpenViewSource): Promise<ViewMetadata> {
    const id = viewId(identity);
    const current = flights.get(id);
    if (current !== undefined) {
      current.isWanted = true;
      return current.promise;
    }
    const flight = startFlight(id);
    makeView(id, identity, open).then(flight.resolve, flight.reject);
    return flight.promise;
  }

  async function materializeWithin(
    identity: ViewIdentity,
    open: OpenViewSource,
    budgetMs: number,
  ): Promise<ViewMetadata | undefined> {
    const made = materialize(identity, open);
    const budget = new AbortController();
    try {
      return await Promise.race([made, sleep(budgetMs, budget.signal).then(() => undefined)]);
    } finally {
      budget.abort();
    }
  }

  async function* tee(identity: ViewIdentity, view: ViewSource): AsyncGenerator<Uint8Array> {
    const id = viewId(identity);
    if (!isStorable(identity, view) || flights.has(id) || !tryAcquireSlot()) {
      yield* view.redaction.body;
      return;
    }
    const flight = startFlight(id);
    const iterator = view.redaction.body[Symbol.asyncIterator]();
    const recording = new Recording();
    let writer: ViewWriter | undefined;
    let isSlotHeld = true;
    let isSettled = false;
    const release = () => {
      if (isSlotHeld) releaseSlot();
      isSlotHeld = false;
    };
    /** Stops keeping the view (store failure); the client's body goes on. */
    const dropWriter = async (error: unknown) => {
      flight.reject(error);
      if (writer !== undefined) await abortQuietly(writer);
      writer = undefined;
      release();
    };
    try {
      writer = await store.create(id);
    } catch (error) {
      await dropWriter(error);
    }
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        recording.add(next.value);
        if (writer !== undefined) {
          try {
            await writer.write(next.value);
          } catch (error) {
            await dropWriter(error);
          }
        }
        yield next.value;
      }
      isSettled = true;
      if (writer !== undefined) {
        try {
          const metadata = commitMetadata(view, recording);
          await writer.commit(metadata);
          flight.resolve(metadata);
        } catch (error) {
          await dropWriter(error);
        }
      }
      release();
    } catch (error) {
      isSettled = true;
      flight.reject(error);
      await closeView(iterator, view);
      if (writer !== undefined) await abortQuietly(writer);
      release();
      throw error;
    } finally {
      if (!isSettled) {
        // The client left while a chunk was out: finish for whoever waits, else stop now.
        const kept = writer;
        if (kept !== undefined && flight.isWanted) {
          finish(iterator, kept, view, recording).then(flight.resolve, flight.reject).finally(release);
        } else {
          flight.reject(new ServiceUnavailableError('the view was abandoned before it was complete'));
          await closeView(iterator, view);
          if (kept !== undefined) await abortQuietly(kept);
          release();
        }
      }
    }
  }

  return { materialize, materializeWithin, tee };
}

/** Size and MD5 of the bytes seen so far. */
class Recording {
  readonly digest: Hash = createHash('md5');
  bytes = 0;

  add(chunk: Uint8Array): void {
    this.digest.update(chunk);
    this.bytes += chunk.byteLength;
  }
}

function isStorable(identity: ViewIdentity, view: ViewSource): boolean {
  return view.redaction.format !== undefined && isSameObject(identity, view.source);
}

function checkStorable(identity: ViewIdentity, view: ViewSource): void {
  if (view.redaction.format === undefined) {
    throw new UnstorableViewError('a passthrough object is never stored as a view');
  }
  if (!isSameObject(identity, view.source)) {
    throw new ServiceUnavailableError('the object changed while its redacted view was being made; retry');
  }
}

/** The redaction reads the object version the id was computed for. */
function isSameObject(identity: ViewIdentity, source: SourceObjectHead): boolean {
  if (source.etag === undefined || !sameEtag(source.etag, identity.sourceEtag)) return false;
  return identity.sourceVersionId === undefined || source.versionId === identity.sourceVersionId;
}

/** Closes the redaction and the stored object under it. */
async function closeView(redaction: AsyncIterator<Uint8Array>, view: ViewSource): Promise<void> {
  for (const iterator of [redaction, view.source.body[Symbol.asyncIterator]()]) {
    try {
      await iterator.return?.();
    } catch {
      // Closing a failed or abandoned source can fail too; nothing more is read either way.
    }
  }
}

async function abortQuietly(writer: ViewWriter): Promise<void> {
  try {
    await writer.abort();
  } catch {
    // An abort that fails leaves an uncommitted upload, which is never visible (and expires).
  }
}

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
