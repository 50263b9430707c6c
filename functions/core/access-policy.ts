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
    throw new SlowDownError('Please reduce your request rate. (daily byte limit reached)');
  }
}

/** Adds bytes served to the caller's daily byte budget. */
export async function recordBytesServed(
  ruleSet: RuleSet,
  caller: Caller,
  limiter: RateLimiter,
  bytes: number,
): Promise<void> {
  const limit = bytesLimit(ruleSet);
  if (limit !== undefined && bytes > 0) await limiter.consume(bytesKey(ruleSet, caller), bytes, limit);
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
