/**
 * The Docker files, read as the tools would (there is no Docker engine here): the compose file
 * parses, the image runs the current Node LTS, and the ops port leaves the container only when
 * compose says so, and then only to the host's loopback. The `postgres` profile adds a PostgreSQL
 * server and two workers that share no volume, with no password written in the file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../src/config.js';

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

interface Service {
  image?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
  container_name?: string;
  healthcheck?: { test: string[]; interval: string; timeout: string; retries: number };
  deploy?: { replicas?: number; resources?: { limits?: { memory?: string } } };
  logging?: { driver: string; options: Record<string, string> };
}

interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file?: string; environment?: string }>;
  volumes: Record<string, unknown>;
}

/** The services `docker compose --profile …profiles up` starts: those without profiles, and those in one of them. */
function enabled(compose: Compose, profiles: string[]): string[] {
  return Object.entries(compose.services)
    .filter(([, service]) => !service.profiles || service.profiles.some((p) => profiles.includes(p)))
    .map(([name]) => name)
    .sort();
}

/** The two workers: the SQLite one (no profile) and the PostgreSQL ones. */
const WORKERS = ['worker', 'worker-pg'] as const;

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
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis', 'worker', 'worker-pg']);
  });

  it.each(WORKERS)('%s: binds the ops port on all of the container\'s addresses, explicitly, and publishes it on the host\'s 127.0.0.1 only', (name) => {
    const worker = compose.services[name]!;
    expect(worker.environment?.AUDIT_HTTP_HOST).toBe('0.0.0.0');
    const port = worker.environment!.AUDIT_HTTP_PORT!;
    expect(worker.ports).toHaveLength(1);
    expect(worker.ports![0]).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+-\\d+:${port}$`));
  });

  it('lets --scale worker=2 run: host port ranges with room for several workers of each kind, apart, no fixed container name', () => {
    const ranges = WORKERS.map((name) => {
      const [, from, to] = /:(\d+)-(\d+):/.exec(compose.services[name]!.ports![0]!)!;
      expect(Number(to) - Number(from) + 1, name).toBeGreaterThanOrEqual(2);
      return [Number(from), Number(to)] as const;
    });
    expect(ranges[0]![1] < ranges[1]![0] || ranges[1]![1] < ranges[0]![0]).toBe(true);
    for (const service of Object.values(compose.services)) expect(service.container_name).toBeUndefined();
  });

  it.each(WORKERS)('%s: a healthcheck on /healthz of its ops port', (name) => {
    const worker = compose.services[name]!;
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

describe('docker-compose.yml, the postgres profile', () => {
  const compose = parseDocument(read('docker-compose.yml')).toJS() as Compose;
  const postgres = compose.services.postgres!;
  const workerPg = compose.services['worker-pg']!;

  it('leaves the default as it was: Redis and the SQLite worker, its database on the audit-data volume', () => {
    expect(enabled(compose, [])).toEqual(['redis', 'worker']);
    const worker = compose.services.worker!;
    expect(worker.environment?.AUDIT_DATABASE_URL).toBeUndefined();
    expect(worker.volumes).toEqual(['audit-data:/data']);
    expect(worker.environment?.AUDIT_DB).toBe('/data/audit.db');
  });

  it('adds PostgreSQL and the workers on it; --scale worker=0 leaves Redis, PostgreSQL and two workers with AUDIT_DATABASE_URL', () => {
    expect(enabled(compose, ['postgres'])).toEqual(['postgres', 'redis', 'worker', 'worker-pg']);
    expect(postgres.profiles).toEqual(['postgres']);
    expect(workerPg.profiles).toEqual(['postgres']);
    expect(workerPg.deploy?.replicas).toBe(2);
    expect(workerPg.command).toEqual(['worker']);
    const config = loadConfig(workerPg.environment!);
    expect(config.postgres).toMatchObject({ url: 'postgres://flatfile_audit@postgres:5432/audit' });
    expect(new URL(config.postgres!.url).hostname).toBe('postgres'); // the service, by its name on the compose network
  });

  it('keeps PostgreSQL\'s data on a named volume, with a pg_isready healthcheck the workers wait for', () => {
    expect(postgres.image).toMatch(/^postgres:\d+-/);
    const [volume, path] = postgres.volumes![0]!.split(':');
    expect(Object.keys(compose.volumes)).toContain(volume);
    expect(path).toBe('/var/lib/postgresql/data');
    expect(postgres.healthcheck!.test.slice(0, 2)).toEqual(['CMD', 'pg_isready']);
    expect(postgres.healthcheck!.test).toEqual(expect.arrayContaining(['--username', postgres.environment!.POSTGRES_USER, '--dbname', postgres.environment!.POSTGRES_DB]));
    expect(postgres.healthcheck!.retries).toBeGreaterThan(0);
    expect(workerPg.depends_on).toEqual({ redis: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
  });

  it('shares no volume between the PostgreSQL workers (they have none), nor a queue with the SQLite worker', () => {
    expect(workerPg.volumes).toBeUndefined();
    const prefix = (service: Service) => loadConfig({ ...service.environment, AUDIT_DATABASE_URL: undefined }).worker.queuePrefix;
    expect(prefix(workerPg)).not.toBe(prefix(compose.services.worker!));
  });

  it('writes no password: PostgreSQL and the workers read it from secret files under ./secrets (git-ignored)', () => {
    expect(new URL(workerPg.environment!.AUDIT_DATABASE_URL!).password).toBe('');
    for (const [name, service] of Object.entries(compose.services)) {
      for (const key of Object.keys(service.environment ?? {}).filter((k) => /PASS/i.test(k))) {
        expect(`${name}: ${key}`).toMatch(/_FILE$|: PGPASSFILE$/);
      }
    }
    const secretPath = (service: Service, variable: string) => {
      const path = service.environment![variable]!;
      const secret = /^\/run\/secrets\/([\w-]+)$/.exec(path)?.[1];
      expect(service.secrets).toContain(secret);
      return compose.secrets[secret!]!.file;
    };
    expect(secretPath(postgres, 'POSTGRES_PASSWORD_FILE')).toBe('./secrets/postgres_password');
    expect(secretPath(workerPg, 'PGPASSFILE')).toBe('./secrets/pgpass');
    expect(read('.gitignore').split('\n')).toContain('secrets/');
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
