import { onTestFinished } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';

export const TEST_PAT = 'sk_test_pat_0123456789abcdef';

/** A simulator on an ephemeral loopback port, closed when the current test ends. */
export async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const running = await startSimulator({ pats: [TEST_PAT], ...options });
  onTestFinished(() => running.close());
  return running;
}
