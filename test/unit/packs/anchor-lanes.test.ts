import { describe, expect, it } from 'vitest';
import { AnchorLanes, LANES_BLOCK_CHARS } from '../../../functions/core/redaction/detectors/anchor-lanes.ts';

describe('AnchorLanes', () => {
  it('reports where a one-anchor automaton reaches its output state, as positions of the string', () => {
    // States: 0 root, 1 after `a`, 2 after `ab` (the output); `b` alone goes back to the root.
    const transitions = new Uint16Array(3 * 128);
    for (const state of [0, 1, 2]) transitions[state * 128 + 97] = 1;
    transitions[1 * 128 + 98] = 2;
    const lanes = new AnchorLanes({
      transitions,
      width: 128,
      extraSymbols: new Map(),
      firstOutputState: 2,
      depth: 2,
    });
    const text = `😀ab${'x'.repeat(300)}abab`;

    const count = lanes.scan(text, 0, 0, text.length);

    expect(Array.from({ length: count }, (_, i) => [lanes.endAt(i), lanes.stateAt(i)])).toEqual([
      [4, 2],
      [306, 2],
      [308, 2],
    ]);
  });

  it('rejects a block longer than it can hold', () => {
    const lanes = new AnchorLanes({
      transitions: new Uint16Array(128),
      width: 128,
      extraSymbols: new Map(),
      firstOutputState: 1,
      depth: 1,
    });

    expect(() => lanes.scan('x'.repeat(LANES_BLOCK_CHARS + 1), 0, 0, LANES_BLOCK_CHARS + 1)).toThrow(
      RangeError,
    );
  });
});
