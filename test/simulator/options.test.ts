import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/simulator/index.js';
import type { SimulatorOptions } from '../../src/simulator/index.js';

describe('simulator options', () => {
  it('uses the documented defaults', () => {
    const sim = new Simulator();
    expect(sim.environments()).toHaveLength(3);
    expect(sim.users()).toHaveLength(12);
    expect(sim.spaces(sim.environments()[0]!.id)).toHaveLength(4);
    expect(sim.guests(sim.environments()[0]!.id)).toHaveLength(6);
    expect(sim.environments().map((e) => sim.agents(e.id).length)).toEqual([2, 2, 0]);
    expect(sim.eventIds()).toHaveLength(1500);
    expect(sim.options).toMatchObject({ seed: 1, historyDays: 30, eventOrder: 'newest-first', pageSizeCap: 1000, host: '127.0.0.1', port: 0 });
    expect(sim.options.now.toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it.each<[SimulatorOptions, string]>([
    [{ account: { environments: -1 } }, 'account.environments must be a non-negative integer, got -1'],
    [{ acknowledgedRatio: 1.5 }, 'acknowledgedRatio must be between 0 and 1, got 1.5'],
    [{ pageSizeCap: 0 }, 'pageSizeCap must be a positive integer, got 0'],
    [{ now: new Date('nope') }, 'now must be a valid Date'],
    [{ faults: { resetRate: -0.1 } }, 'faults.resetRate must be between 0 and 1, got -0.1'],
  ])('rejects %j', (options, message) => {
    expect(() => new Simulator(options)).toThrow(message);
  });

  it('keeps the ground truth in step with addEvents', () => {
    const sim = new Simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const env = sim.environments()[0]!.id;
    const before = sim.clock().getTime();
    const added = sim.addEvents(env, 2);
    expect(Date.parse(added[0]!.createdAt)).toBeGreaterThanOrEqual(before);
    expect(added[0]!.createdAt).toBe(added[1]!.createdAt);
    expect(sim.eventIds(env)).toEqual(expect.arrayContaining(added.map((e) => e.id)));
    expect(sim.eventIds(env)).toHaveLength(7);
    expect(() => sim.addEvents('us_env_nope', 1)).toThrow('unknown environment us_env_nope');
  });
});
