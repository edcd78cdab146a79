/** A token file must belong to the user running flatfile-audit: another user could swap the token in it. */
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDir } from '../helpers/temp.js';

describe('FLATFILE_TOKEN_FILE ownership', () => {
  it('is refused with exit 2 and one line naming the file and its owner; owned by us, it is used', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const dir = tempDir();
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TEST_PAT}\n`);
    chmodSync(tokenFile, 0o600);
    const self = process.getuid!();
    const other = self === 65534 ? 65533 : 65534;
    chownSync(tokenFile, other, process.getgid!());
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN_FILE: tokenFile, AUDIT_DB: join(dir, 'a.db'), LOG_LEVEL: 'silent' };

    const refused = await runCli(['sync', '--once'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`flatfile-audit: FLATFILE_TOKEN_FILE ${tokenFile} belongs to uid ${other}, not to the user running flatfile-audit (uid ${self}); chown it to that user\n`);
    expect(sim.stats().byRoute['GET /environments'] ?? 0).toBe(0);

    chownSync(tokenFile, self, process.getgid!());
    const accepted = await runCli(['sync', '--once'], env);
    expect(accepted.code, accepted.stderr).toBe(0);
  });
});
