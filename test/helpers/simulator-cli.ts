import { startCli } from './cli.js';

export interface SimulatorProcess {
  /** The variables the simulator printed, exactly as printed. */
  printed: { FLATFILE_API_URL: string; FLATFILE_BEARER_TOKEN: string };
  /** Everything it wrote to stdout up to then. */
  banner: string;
  /** scheme://host:port, for its admin surface (/__simulator). */
  origin: string;
  stop(): Promise<void>;
}

/** Runs `flatfile-audit simulator` as a child process and reads the variables it prints, as a user would copy them. */
export async function startSimulatorProcess(args: string[] = []): Promise<SimulatorProcess> {
  const { child, done } = startCli(['simulator', '--port', '0', ...args], {});
  let banner = '';
  const printed = await new Promise<SimulatorProcess['printed']>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      banner += chunk.toString();
      const url = /\bFLATFILE_API_URL=(\S+)/.exec(banner)?.[1];
      const token = /\bFLATFILE_BEARER_TOKEN=(\S+)/.exec(banner)?.[1];
      if (url && token && banner.includes('(Ctrl-C to stop)')) {
        child.stdout!.off('data', onData);
        resolve({ FLATFILE_API_URL: url, FLATFILE_BEARER_TOKEN: token });
      }
    };
    child.stdout!.on('data', onData);
    void done.then((result) => reject(new Error(`the simulator exited (${result.code}) before printing its variables: ${banner}${result.stderr}`)));
  });
  const origin = new URL(/simulator on (\S+)/.exec(banner)![1]!).origin;
  return {
    printed,
    banner,
    origin,
    stop: async () => {
      child.kill('SIGTERM');
      await done;
    },
  };
}
