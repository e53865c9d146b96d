/**
 * The memory floor beside the idle virtual kubelet's: a bare Node process (the one vk-mock runs
 * on, with the bin's environment and flags) that makes one HTTPS request to the same API server
 * and then idles. Whatever a virtual kubelet adds sits above this; T8's 60 MB was set for
 * Node 20, whose bare process was ~40 MB. Its RSS parts show how much of it is the runtime's
 * own file-backed pages.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ShebangLaunch } from '../shebang-args.ts';
import { parseRssParts, type RssParts } from './rss-parts.ts';

const run = promisify(execFile);

const SCRIPT = `
import { get } from 'node:https';
import { readFileSync } from 'node:fs';
await new Promise(done => {
  get(process.argv[1] + '/version', { rejectUnauthorized: false }, res => {
    res.resume();
    res.on('end', done);
  }).on('error', done);
});
setTimeout(() => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const rssKb = Number(/^VmRSS:\\s+(\\d+)/m.exec(status)?.[1] ?? NaN);
  process.stdout.write(JSON.stringify({ rss: rssKb * 1024, heap: process.memoryUsage().heapUsed, status }));
}, 3000);
`;

/** RSS (and its parts) and heap (bytes) of that bare process. */
export async function nodeFloor(
  server: string,
  launch: ShebangLaunch,
): Promise<{ rss: number; heap: number; parts: RssParts | undefined }> {
  const { stdout } = await run(
    process.execPath,
    [...launch.nodeArgs, '--input-type=module', '-e', SCRIPT, server],
    { env: { ...process.env, ...launch.env }, timeout: 30_000 },
  );
  const floor = JSON.parse(stdout) as { rss: number; heap: number; status: string };
  return { rss: floor.rss, heap: floor.heap, parts: parseRssParts(floor.status) };
}
