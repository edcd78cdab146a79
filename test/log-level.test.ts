/** Log lines carry their level as a word ("level":"info"), as Loki and Datadog read it, in JSON and pretty alike. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { runCli } from './helpers/cli.js';
import { LogSink } from './helpers/sync.js';
import { TEST_PAT, simulator } from './helpers/simulator.js';
import { tempDbPath } from './helpers/temp.js';

describe('log level', () => {
  it('is a word in every JSON line, and still filters by level', () => {
    const sink = new LogSink();
    const log = createLogger({ level: 'debug', destination: sink });
    log.trace('not written');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    log.child({ envId: 'us_env_1' }).info('child');
    expect(sink.lines.map((line) => (JSON.parse(line) as { level: unknown }).level)).toEqual(['debug', 'info', 'warn', 'error', 'fatal', 'info']);
  });

  it('shows as its name in pretty lines', () => {
    const sink = new LogSink();
    createLogger({ level: 'info', pretty: true, destination: sink }).warn('careful');
    expect(sink.text).toMatch(/WARN.*careful/);
  });

  it('is a word in the lines of the real command', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'debug' });
    expect(result.code, result.stderr).toBe(0);
    const levels = new Set(result.stderr.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { level: unknown }).level));
    expect([...levels].sort()).toEqual(['debug', 'info']);
  });
});
