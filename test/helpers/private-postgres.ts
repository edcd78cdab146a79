/**
 * A PostgreSQL server a test owns, for tests that stop or restart the database: never the
 * machine's server (others use it). initdb into a fresh temporary directory, a free loopback port,
 * trust authentication, fsync off (nothing here must survive a machine crash); the socket lives
 * in the same directory, so nothing is shared with the system cluster. The server refuses to run
 * as root, so when the tests run as root the tools run as the `postgres` user (runuser) and the
 * directory is handed to it.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './redis.js';

const run = promisify(execFile);

const BIN_DIR = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SERVER_USER = 'postgres';

export type StopMode = 'smart' | 'fast' | 'immediate';

export class PrivatePostgres {
  private running = false;

  private constructor(
    /** The temporary directory: data directory, socket and log. */
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Creates the cluster and starts it; stop it with destroy(). */
  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-pg-'));
    const server = new PrivatePostgres(dir, await freePort());
    try {
      if (process.getuid?.() === 0) {
        const { stdout } = await run('id', ['-u', SERVER_USER]);
        const { stdout: gid } = await run('id', ['-g', SERVER_USER]);
        chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
      }
      await server.tool('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions']);
      await server.start();
      return server;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** postgres://postgres@127.0.0.1:PORT/<database> */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = [`-p ${this.port}`, '-c listen_addresses=127.0.0.1', `-k ${this.dir}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=100'].join(' ');
    await this.tool('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
    this.running = true;
  }

  /**
   * Stops the server. `fast` (the default, what a restart by an operator or a managed service's
   * maintenance does) ends every session with an error; `immediate` is a crash.
   */
  async stop(mode: StopMode = 'fast'): Promise<void> {
    if (!this.running) return;
    await this.tool('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', '-m', mode, 'stop']);
    this.running = false;
  }

  async restart(mode: StopMode = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** The server's log so far: for a failure message. */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the server at once and removes its directory. */
  async destroy(): Promise<void> {
    try {
      await this.stop('immediate');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async tool(name: string, args: string[]): Promise<void> {
    const path = join(BIN_DIR, name);
    const asServerUser = process.getuid?.() === 0;
    try {
      await (asServerUser ? run('runuser', ['-u', SERVER_USER, '--', path, ...args]) : run(path, args));
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${name} failed: ${stderr || stdout || (error as Error).message}\n${this.log().slice(-2000)}`, { cause: error });
    }
  }
}
