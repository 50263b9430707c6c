import type { Caller } from './caller.ts';
import { AccessDeniedError, SlowDownError } from './errors.ts';
import type { GeoLookup } from './ports/geo-lookup.ts';
import type { RateLimit, RateLimiter } from './ports/rate-limiter.ts';
import type { CompiledRuleSet } from './redaction/redactor.ts';
import type { RuleSet } from './redaction/rule-schema.ts';
import { chooseRuleSet } from './redaction/scope-match.ts';
import type { RuleRegistry } from './rule-registry.ts';

/** The rule set that governs one read. */
export interface AccessGrant {
  readonly ruleSet: RuleSet;
  readonly compiled: CompiledRuleSet;
}

const SECONDS_PER_DAY = 86_400;
const DAILY_BYTES_SPENT = 'Please reduce your request rate. (daily byte limit reached)';

/** Chooses the rule set for (bucket, key, caller); none covering the request means AccessDenied. */
export function grantFor(
  rules: RuleRegistry,
  bucket: string,
  key: string,
  caller: Caller,
): AccessGrant | undefined {
  const ruleSet = chooseRuleSet(rules.ruleSets, { bucket, key, caller });
  const compiled = ruleSet && rules.compiled.get(ruleSet.name);
  return ruleSet && compiled ? { ruleSet, compiled } : undefined;
}

/** Whether an operator's passthrough rule lets an unsupported format under `key` be served unredacted. */
export function allowsPassthrough(ruleSet: RuleSet, key: string): boolean {
  return ruleSet.passthrough?.prefixes.some((prefix) => key.startsWith(prefix)) ?? false;
}

/**
 * Enforces a rule set's geo fence. The country comes from a trusted edge header or from the
 * caller's trusted IP; when a fence is set and neither is known, the request is denied.
 */
export function checkGeoFence(ruleSet: RuleSet, caller: Caller, geo: GeoLookup | undefined): void {
  const refusal = geoFenceRefusal(ruleSet, caller, geo);
  if (refusal !== undefined) throw new AccessDeniedError(refusal);
}

/** Why a rule set's geo fence keeps the caller out, or `undefined` when it lets the caller in. */
export function geoFenceRefusal(
  ruleSet: RuleSet,
  caller: Caller,
  geo: GeoLookup | undefined,
): string | undefined {
  const fence = ruleSet.geo;
  if (fence === undefined || (fence.allow === undefined && fence.deny === undefined)) return undefined;
  const country = caller.country ?? (caller.ip !== undefined ? geo?.countryOf(caller.ip) : undefined);
  if (country === undefined)
    return `geo fence of rule set "${ruleSet.name}": the caller's location is unknown`;
  const isAllowed = fence.allow ? fence.allow.includes(country) : !fence.deny?.includes(country);
  return isAllowed ? undefined : `geo fence of rule set "${ruleSet.name}": country ${country} is not allowed`;
}

/** Counts one request against the caller's limits; over a limit means 503 SlowDown. */
export async function checkRateLimits(ruleSet: RuleSet, caller: Caller, limiter: RateLimiter): Promise<void> {
  const limits = ruleSet.rateLimit;
  if (limits === undefined) return;
  const requests = await limiter.consume(requestKey(ruleSet, caller), 1, {
    points: limits.requestsPerWindow,
    windowSeconds: limits.windowSeconds,
  });
  if (!requests.isAllowed) throw new SlowDownError();
  const bytes = bytesLimit(ruleSet);
  if (bytes !== undefined && (await limiter.remaining(bytesKey(ruleSet, caller), bytes)) <= 0) {
    throw new SlowDownError(DAILY_BYTES_SPENT);
  }
}

/** Largest step in which bytes sent are charged to a daily byte budget (one store call per step). */
const MAX_BYTE_BUDGET_STEP = 1024 * 1024;
/** A budget is charged in steps of at most this fraction of it, so the overshoot stays small. */
const BUDGET_STEPS_PER_DAY = 32;

/**
 * One read's running charge against the caller's daily byte budget. Bytes are charged before
 * they are handed over, in steps of `byteBudgetStep` (min(1 MiB, bytesPerDay / 32)): a chunk
 * that brings the uncharged bytes to a step is charged together with them before it is sent, and
 * when the store says the budget is spent the read stops with SlowDown. Fewer than one step of
 * sent bytes is ever uncharged, so a read delivers less than one step past the budget (and a
 * later read is refused before its first byte); `settle` charges that remainder when the read
 * ends, however it ends, so the budget counts every byte sent.
 */
export interface ByteBudget {
  /** Accounts `bytes` about to be sent; rejects with SlowDownError once the budget is spent. */
  take(bytes: number): Promise<void>;
  /** Charges the bytes sent since the last step; call once when the read ends. */
  settle(): Promise<void>;
}

/** The budget of a read that is not charged: no `bytesPerDay` limit, or a HEAD that only counts. */
export const UNCHARGED_BYTE_BUDGET: ByteBudget = { take: async () => {}, settle: async () => {} };

/** Opens the byte budget of one read; without a `bytesPerDay` limit it counts nothing. */
export function openByteBudget(ruleSet: RuleSet, caller: Caller, limiter: RateLimiter): ByteBudget {
  const limit = bytesLimit(ruleSet);
  if (limit === undefined) return UNCHARGED_BYTE_BUDGET;
  const key = bytesKey(ruleSet, caller);
  const step = byteBudgetStep(limit.points);
  let uncharged = 0;
  return {
    async take(bytes) {
      uncharged += bytes;
      if (uncharged < step) return;
      const points = uncharged;
      uncharged = 0;
      const decision = await limiter.consume(key, points, limit);
      if (!decision.isAllowed) throw new SlowDownError(DAILY_BYTES_SPENT);
    },
    async settle() {
      const points = uncharged;
      uncharged = 0;
      if (points > 0) await limiter.consume(key, points, limit);
    },
  };
}

/** The step in which a daily budget of `bytesPerDay` is charged: also the bound on one read's overshoot. */
export function byteBudgetStep(bytesPerDay: number): number {
  return Math.max(1, Math.min(MAX_BYTE_BUDGET_STEP, Math.floor(bytesPerDay / BUDGET_STEPS_PER_DAY)));
}

function bytesLimit(ruleSet: RuleSet): RateLimit | undefined {
  const bytesPerDay = ruleSet.rateLimit?.bytesPerDay;
  return bytesPerDay === undefined ? undefined : { points: bytesPerDay, windowSeconds: SECONDS_PER_DAY };
}

function requestKey(ruleSet: RuleSet, caller: Caller): string {
  return `requests:${ruleSet.name}:${caller.id}`;
}

function bytesKey(ruleSet: RuleSet, caller: Caller): string {
  return `bytes:${ruleSet.name}:${caller.id}`;
}
