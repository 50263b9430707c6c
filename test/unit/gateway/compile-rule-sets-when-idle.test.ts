import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import type { CompiledRuleSet } from '../../../functions/core/redaction/redactor.ts';
import type { RuleSet } from '../../../functions/core/redaction/rule-schema.ts';
import type { RuleRegistry } from '../../../functions/core/rule-registry.ts';
import { compileRuleSetsWhenIdle } from '../../../functions/gateway/compile-rule-sets-when-idle.ts';
import type { ServerActivity } from '../../../functions/gateway/server-activity.ts';

/** A registry of rule sets `[name, priority]` that records which it is asked to compile. */
function recordingRegistry(ruleSets: [string, number][], failing: ReadonlySet<string> = new Set()) {
  const asked: string[] = [];
  const compiled = {
    get(name: string) {
      asked.push(name);
      if (failing.has(name)) throw new RuleValidationError(`rule set "${name}": unknown pack "x"`);
      return { name } as CompiledRuleSet;
    },
  } as unknown as ReadonlyMap<string, CompiledRuleSet>;
  const registry: RuleRegistry = {
    ruleSets: ruleSets.map(([name, priority]) => ({ name, priority }) as RuleSet),
    compiled,
  };
  return { registry, asked };
}

/** Server activity the test switches, busy at first. */
function switchedActivity() {
  let isIdle = false;
  let resolveIdle = () => {};
  let idle = Promise.resolve();
  const becomeBusy = () => {
    isIdle = false;
    idle = new Promise<void>((resolve) => {
      resolveIdle = resolve;
    });
  };
  becomeBusy();
  const activity: ServerActivity = {
    get isIdle() {
      return isIdle;
    },
    whenIdle: () => idle,
  };
  return {
    activity,
    becomeBusy,
    becomeIdle() {
      isIdle = true;
      resolveIdle();
    },
  };
}

/** Lets `turns` turns of the event loop run. */
async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('compileRuleSetsWhenIdle', () => {
  it('compiles nothing before the caller yields, then one rule set per turn, lowest priority first', async () => {
    const { registry, asked } = recordingRegistry([
      ['partner', 10],
      ['default', 0],
      ['audit', 5],
    ]);

    compileRuleSetsWhenIdle(registry, () => {});
    expect(asked).toEqual([]);
    await turns(1);
    expect(asked).toEqual(['default']);
    await turns(5);
    expect(asked).toEqual(['default', 'audit', 'partner']);
  });

  it('reports a rule set that fails to compile by name and goes on with the others', async () => {
    const { registry, asked } = recordingRegistry(
      [
        ['a', 0],
        ['b', 1],
      ],
      new Set(['a']),
    );
    const reports: string[] = [];

    compileRuleSetsWhenIdle(registry, (text) => reports.push(text));
    await turns(5);

    expect(asked).toEqual(['a', 'b']);
    expect(reports).toEqual(['maskpoint: rule set "a" did not compile: rule set "a": unknown pack "x"\n']);
  });

  it('compiles nothing while the server is busy, then goes on once it is idle', async () => {
    const { registry, asked } = recordingRegistry([
      ['default', 0],
      ['partner', 10],
    ]);
    const server = switchedActivity();

    compileRuleSetsWhenIdle(registry, () => {}, server.activity);
    await turns(10);
    expect(asked).toEqual([]);
    server.becomeIdle();
    await turns(5);
    expect(asked).toEqual(['default', 'partner']);
  });

  it('leaves the rest for later when a request comes in between two compiles', async () => {
    const { registry, asked } = recordingRegistry([
      ['default', 0],
      ['audit', 5],
      ['partner', 10],
    ]);
    const server = switchedActivity();
    server.becomeIdle();

    compileRuleSetsWhenIdle(registry, () => {}, server.activity);
    await turns(1);
    expect(asked).toEqual(['default']);
    server.becomeBusy();
    await turns(10);
    expect(asked).toEqual(['default']);
    server.becomeIdle();
    await turns(5);
    expect(asked).toEqual(['default', 'audit', 'partner']);
  });
});
