import type { ApiRequestInfo, Simulator } from '../../src/simulator/index.js';

export interface Hold {
  /** Resolves when the first matching request arrives (and is being held). */
  arrived: Promise<ApiRequestInfo>;
  /** Lets every held request, and every later one, through. */
  release(): void;
}

/**
 * Holds the simulator's answers to matching requests until release(), so a test can look at a
 * running client at a moment it chooses (for example after its last event was stored, before it
 * exits). Held at most `maxMs`, so a test that fails never leaves a client hanging.
 */
export function holdRequests(sim: Simulator, matches: (request: ApiRequestInfo) => boolean, maxMs = 60_000): Hold {
  let released = false;
  let wake: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    wake = resolve;
    setTimeout(resolve, maxMs).unref();
  });
  let arrive: (request: ApiRequestInfo) => void = () => undefined;
  const arrived = new Promise<ApiRequestInfo>((resolve) => (arrive = resolve));
  sim.beforeAnswer = async (request) => {
    if (released || !matches(request)) return undefined;
    arrive(request);
    await gate;
    return undefined;
  };
  return {
    arrived,
    release: () => {
      released = true;
      wake();
    },
  };
}
