/**
 * The Docker files, read as the tools would (there is no Docker engine here): the compose file
 * parses, the image runs the current Node LTS, and the ops port leaves the container only when
 * compose says so, and then only to the host's loopback.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  container_name?: string;
  healthcheck?: { test: string[]; interval: string; timeout: string; retries: number };
  deploy?: { resources?: { limits?: { memory?: string } } };
  logging?: { driver: string; options: Record<string, string> };
}

interface Compose {
  services: Record<string, Service>;
}

/** "512m", "1g", "256mb" (Docker's and Redis's units, powers of 1024) in bytes. */
function bytes(size: string): number {
  const match = /^(\d+)\s*([kmg])b?$/i.exec(size.trim());
  if (!match) throw new Error(`not a size: ${size}`);
  return Number(match[1]) * 1024 ** ' kmg'.indexOf(match[2]!.toLowerCase());
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
    const port = worker.environment!.AUDIT_HTTP_PORT!;
    expect(worker.ports).toHaveLength(1);
    expect(worker.ports![0]).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+-\\d+:${port}$`));
  });

  it('lets --scale worker=2 run: a host port range with room for several workers, no fixed container name', () => {
    const worker = compose.services.worker!;
    const [, from, to] = /:(\d+)-(\d+):/.exec(worker.ports![0]!)!;
    expect(Number(to) - Number(from) + 1).toBeGreaterThanOrEqual(2);
    expect(worker.container_name).toBeUndefined();
    for (const service of Object.values(compose.services)) expect(service.container_name).toBeUndefined();
  });

  it('gives the worker a healthcheck on /healthz of its ops port', () => {
    const worker = compose.services.worker!;
    const test = worker.healthcheck!.test;
    expect(test[0]).toBe('CMD');
    expect(test.join(' ')).toContain(`http://127.0.0.1:${worker.environment!.AUDIT_HTTP_PORT}/healthz`);
    expect(worker.healthcheck!.retries).toBeGreaterThan(0);
  });

  it('rotates every container\'s log and limits every container\'s memory, Redis\'s own maxmemory below its limit', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.logging, name).toEqual({ driver: 'json-file', options: { 'max-size': expect.stringMatching(/^\d+m$/), 'max-file': expect.stringMatching(/^\d+$/) } });
      expect(bytes(service.deploy!.resources!.limits!.memory!), name).toBeGreaterThan(0);
    }
    const command = compose.services.redis!.command!;
    const maxmemory = bytes(command[command.indexOf('--maxmemory') + 1]!);
    expect(maxmemory).toBeLessThan(bytes(compose.services.redis!.deploy!.resources!.limits!.memory!));
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
