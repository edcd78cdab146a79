/** `flatfile-audit simulator`: serves the bundled Flatfile API simulator until interrupted. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { startSimulator } from '../simulator/index.js';
import { COMMANDS } from './commands.js';
import { EXIT, type CliContext } from './context.js';

export async function runSimulator(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: COMMANDS.simulator.options, strict: true });
  const number = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new ConfigError(`--${name} must be a whole number of at least ${min}, got "${text}"`);
    return value;
  };
  const simulator = await startSimulator({
    host: values.host,
    port: number('port', values.port, 0),
    seed: number('seed', values.seed, 0),
    now: new Date(),
    pats: [values.token],
    account: { environments: number('environments', values.environments, 1), eventsPerEnvironment: number('events', values.events, 0) },
  });
  // Printed in Flatfile's own form (the base without /v1, the token as FLATFILE_BEARER_TOKEN), so the
  // same two variables point flatfile-audit and Flatfile's SDK (@flatfile/api) at the simulator.
  const origin = simulator.url.replace(/\/api\/v1$/, '');
  ctx.stdout.write(
    `Flatfile API simulator on ${simulator.url}\n` +
      `  FLATFILE_API_URL=${origin}/api FLATFILE_BEARER_TOKEN=${values.token} npx flatfile-audit sync --once\n` +
      `  (the same variables point Flatfile's SDK, @flatfile/api, at the simulator)\n` +
      `  ground truth: ${origin}/__simulator/truth\n(Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await simulator.close();
  return EXIT.ok;
}
