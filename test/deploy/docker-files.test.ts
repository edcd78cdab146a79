/**
 * The Docker files, read as the tools would (there is no Docker engine here): the compose file
 * parses, the image runs the current Node LTS, and the ops port leaves the container only when
 * compose says so, and then only to the host's loopback.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

interface Compose {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; ports?: string[] }>;
}

/** Dockerfile instructions with their continuation lines joined, comments dropped. */
function instructions(dockerfile: string): Array<{ op: string; args: string }> {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

describe('docker-compose.yml', () => {
  const document = parseDocument(read('docker-compose.yml'), { uniqueKeys: true, prettyErrors: true });
  const compose = document.toJS() as Compose;

  it('parses as YAML without errors or warnings', () => {
    expect(document.errors).toEqual([]);
    expect(document.warnings).toEqual([]);
    expect(Object.keys(compose.services).sort()).toEqual(['redis', 'worker']);
  });

  it('binds the ops port on all of the container\'s addresses, explicitly, and publishes it on the host\'s 127.0.0.1 only', () => {
    const worker = compose.services.worker!;
    expect(worker.environment?.AUDIT_HTTP_HOST).toBe('0.0.0.0');
    expect(worker.ports).toEqual([`127.0.0.1:${worker.environment?.AUDIT_HTTP_PORT}:${worker.environment?.AUDIT_HTTP_PORT}`]);
  });

  it('runs Redis with maxmemory-policy noeviction', () => {
    const command = compose.services.redis!.command!;
    expect(command[command.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
  });
});

describe('Dockerfile', () => {
  const steps = instructions(read('Dockerfile'));

  it('builds and runs on Node 24 LTS, while package.json still allows Node 20', () => {
    const images = steps.filter((s) => s.op === 'FROM').map((s) => s.args.split(' ')[0]);
    expect(images).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node).toBe('>=20.0.0');
  });

  it('leaves the ops port on 127.0.0.1 unless AUDIT_HTTP_HOST is set at run time', () => {
    const env = steps.filter((s) => s.op === 'ENV').map((s) => s.args).join(' ');
    expect(env).toContain('AUDIT_HTTP_PORT=9464');
    expect(env).not.toContain('AUDIT_HTTP_HOST');
    const healthcheck = steps.find((s) => s.op === 'HEALTHCHECK')!.args;
    expect(healthcheck).toContain("http://127.0.0.1:' + (process.env.AUDIT_HTTP_PORT || 9464) + '/healthz");
  });
});
