/**
 * 50 concurrent kubectl exec sessions on one vk-mock node, half over WebSocket and half over
 * SPDY: each gets its own output and exit code. On a node of its own with the default stream idle
 * timeout: 50 kubectl processes on a small machine can leave a session silent for seconds, which
 * vk-mock-streams.e2e.test.ts's 3 s timeout (there for the test that waits for it) would end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readyPods,
  REMOTE_COMMAND,
  startCluster,
  type E2eCluster,
} from './test-support/cluster.ts';

const PODS = 4;

let cluster: E2eCluster;

beforeAll(async () => {
  cluster = await startCluster({ nodeName: 'vk-exec-many' });
  await readyPods(cluster, 'streams', PODS, { stdin: true, tty: true });
}, 120_000);

afterAll(async () => {
  await cluster.stop();
});

describe('many exec sessions at once', () => {
  it('runs 50 concurrent kubectl exec sessions on one node with the right output and exit codes', async () => {
    const runs = Array.from({ length: 50 }, (_, i) => {
      const pod = `streams-${i % PODS}`;
      const { env } = REMOTE_COMMAND[i % 2]!;
      switch (i % 3) {
        case 0:
          return {
            args: ['exec', pod, '--', 'echo', `message-${i}`],
            env,
            expect: { code: 0, stdout: `message-${i}\n` },
          };
        case 1: {
          const code = 1 + (i % 5);
          return {
            args: ['exec', pod, '--', 'sh', '-c', `exit ${code}`],
            env,
            expect: { code, stdout: '' },
          };
        }
        default:
          return {
            args: ['exec', '-i', pod, '--', 'cat'],
            env,
            input: `input-${i}\n`.repeat(100),
            expect: { code: 0, stdout: `input-${i}\n`.repeat(100) },
          };
      }
    });
    const started = Date.now();
    const results = await Promise.all(
      runs.map(r =>
        cluster.kubectl(r.args, {
          env: r.env,
          ...(r.input === undefined ? {} : { input: r.input }),
          timeoutMs: 60_000,
        }),
      ),
    );
    const elapsed = Date.now() - started;
    // kubectl's stderr joins a result whose exit code is not the one expected, to say why.
    expect(
      results.map((r, i) => ({
        code: r.code,
        stdout: r.stdout,
        ...(r.code === runs[i]!.expect.code ? {} : { stderr: r.stderr }),
      })),
    ).toEqual(runs.map(r => r.expect));
    for (const [i, r] of results.entries()) {
      if (runs[i]!.expect.code !== 0)
        expect(r.stderr).toContain(`command terminated with exit code ${runs[i]!.expect.code}`);
    }
    expect(elapsed).toBeLessThan(60_000);
  }, 90_000);
});
