import { parentPort } from 'node:worker_threads';
import { compileRuleSetOrigin } from '../core/redaction/compile-rule-set-origin.ts';
import type { CompiledRuleSet } from '../core/redaction/redactor.ts';
import { loadAnchorCaches, loadCachedPatternFacts } from './local-rule-set-source.ts';
import { runSegmentTask } from './run-segment-task.ts';
import type { SegmentReply, SegmentRequest } from './segment-worker-pool.ts';

/**
 * Worker thread of `createSegmentWorkerPool`: compiles each rule set it is sent once, then
 * redacts segments. Output bytes are transferred, not copied, and so is the body back once read
 * (the main thread gathers a later segment into it instead of a new buffer).
 */
const port = parentPort;
if (port === null) throw new Error('segment-worker runs as a worker thread');
const ruleSets = new Map<number, CompiledRuleSet>();
// The build caches beside the bundle, as the main thread reads them: the packs' pattern facts,
// anchor automata and anchor facts are then not worked out again here. Tasks posted meanwhile
// wait in the port.
const [cachedFacts] = await Promise.all([loadCachedPatternFacts(), loadAnchorCaches()]);

port.on('message', (request: SegmentRequest) => {
  try {
    if (request.origin !== undefined)
      ruleSets.set(request.originId, compileRuleSetOrigin(request.origin, cachedFacts));
    const ruleSet = ruleSets.get(request.originId);
    if (ruleSet === undefined) throw new Error(`segment worker: rule set ${request.originId} was never sent`);
    const outcome = runSegmentTask(ruleSet, request.task);
    const { body } = request.task;
    const reply: SegmentReply = { id: request.id, ...outcome, body };
    const out = outcome.isCutInQuotedCell ? [] : [outcome.out.buffer as ArrayBuffer];
    port.postMessage(reply, [...out, body.buffer as ArrayBuffer]);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    const reply: SegmentReply = { id: request.id, error: { name, message } };
    port.postMessage(reply);
  }
});
