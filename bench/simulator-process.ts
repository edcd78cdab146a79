/**
 * The Flatfile API simulator in a process of its own, so the sync being measured has a core to
 * itself and its peak RSS is its own. Options come as JSON in argv[2]; the first stdout line is
 * `{"url", "events", "startupS"}`. It serves until stdin closes (the parent went away) or a signal.
 */
import { startSimulator, type SimulatorOptions } from '../src/simulator/index.js';

const started = performance.now();
const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
// History ends now, so "the last day" in the cookbook queries holds events; the sync itself reads only API timestamps.
const simulator = await startSimulator({ ...options, now: new Date() });
process.stdout.write(
  `${JSON.stringify({ url: simulator.url, events: simulator.sim.eventCount(), startupS: (performance.now() - started) / 1000 })}\n`,
);

let closing = false;
const stop = (): void => {
  if (closing) return;
  closing = true;
  void simulator.close().then(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
