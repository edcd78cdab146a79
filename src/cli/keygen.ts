/** `flatfile-audit keygen --out DIR`: an Ed25519 key pair for signing checkpoints, as PEM files. */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '../checkpoint/signing-key.js';
import { ConfigError } from '../errors.js';
import { EXIT, type CliContext } from './context.js';

export function runKeygen(ctx: CliContext, outDir: string): number {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const privatePath = join(outDir, 'signing-key.pem');
  const publicPath = join(outDir, 'signing-key.pub.pem');
  for (const path of [privatePath, publicPath]) if (existsSync(path)) throw new ConfigError(`${path} exists; keygen never overwrites a key (move it away first)`);
  const pair = generateSigningKeyPair();
  // 'wx': never overwrite a key, which would make every checkpoint signed with it unverifiable.
  const create = (path: string, text: string, mode: number) => {
    try {
      writeFileSync(path, text, { mode, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(`${path} exists; keygen never overwrites a key (move it away first)`);
      throw error;
    }
    chmodSync(path, mode);
  };
  create(privatePath, pair.privatePem, 0o600);
  create(publicPath, pair.publicPem, 0o644);
  ctx.stdout.write(
    `key ${pair.keyId}\n  private: ${privatePath} (0600): set AUDIT_SIGNING_KEY_FILE to it\n  public:  ${publicPath}: give it to flatfile-audit verify --checkpoints FILE --public-key\n`,
  );
  return EXIT.ok;
}
