import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube-object.ts';
import { podPrinter, summarizePod } from './pod-printer.ts';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;

function pod(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  meta = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(10 * MIN), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

const running = { running: { startedAt: ago(9 * MIN) } };
const readyCondition = (status: string) => ({ type: 'Ready', status });

describe(summarizePod, () => {
  it('shows a pod nobody scheduled yet as Pending', () => {
    expect(summarizePod(pod({}, { phase: 'Pending' }), now)).toEqual({
      ready: '0/1',
      status: 'Pending',
      restarts: '0',
    });
  });

  it('treats a pod without a phase as Pending, as the registry would have set it', () => {
    expect(summarizePod(pod({}, {}), now).status).toBe('Pending');
  });

  it('shows the waiting reason while containers are being created', () => {
    const p = pod(
      {},
      {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ContainerCreating' } },
          },
        ],
      },
    );
    expect(summarizePod(p, now)).toEqual({
      ready: '0/1',
      status: 'ContainerCreating',
      restarts: '0',
    });
  });

  it('counts ready containers: running with 1 of 2 ready', () => {
    const p = pod(
      { containers: [{ name: 'app' }, { name: 'proxy' }] },
      {
        phase: 'Running',
        conditions: [readyCondition('False')],
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 0, state: running },
          { name: 'proxy', ready: false, restartCount: 0, state: running },
        ],
      },
    );
    expect(summarizePod(p, now)).toEqual({ ready: '1/2', status: 'Running', restarts: '0' });
  });

  it('adds when the last restart happened, and shows CrashLoopBackOff', () => {
    const p = pod(
      {},
      {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } },
          },
        ],
      },
    );
    expect(summarizePod(p, now)).toEqual({
      ready: '0/1',
      status: 'CrashLoopBackOff',
      restarts: '3 (5m ago)',
    });
  });

  it('sums restarts over containers and uses the latest termination', () => {
    const p = pod(
      { containers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'a',
            ready: true,
            restartCount: 1,
            state: running,
            lastState: { terminated: { finishedAt: ago(70 * MIN) } },
          },
          {
            name: 'b',
            ready: true,
            restartCount: 2,
            state: running,
            lastState: { terminated: { finishedAt: ago(90_000) } },
          },
        ],
      },
    );
    expect(summarizePod(p, now)).toEqual({
      ready: '2/2',
      status: 'Running',
      restarts: '3 (90s ago)',
    });
  });

  it('prints a bare count when no termination time is known', () => {
    const p = pod(
      {},
      {
        phase: 'Running',
        containerStatuses: [{ name: 'app', ready: true, restartCount: 4, state: running }],
      },
    );
    expect(summarizePod(p, now).restarts).toBe('4');
  });

  it('shows Completed and Error from the container that terminated', () => {
    const done = pod(
      {},
      {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
    );
    expect(summarizePod(done, now)).toEqual({ ready: '0/1', status: 'Completed', restarts: '0' });
    const failed = pod(
      {},
      {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 1, reason: 'Error' } },
          },
        ],
      },
    );
    expect(summarizePod(failed, now).status).toBe('Error');
  });

  it('falls back to the signal or exit code when a termination has no reason', () => {
    const withSignal = pod(
      {},
      {
        phase: 'Failed',
        containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }],
      },
    );
    expect(summarizePod(withSignal, now).status).toBe('Signal:9');
    const withCode = pod(
      {},
      {
        phase: 'Failed',
        containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2 } } }],
      },
    );
    expect(summarizePod(withCode, now).status).toBe('ExitCode:2');
  });

  it('lets the first container decide the status when several report one', () => {
    const p = pod(
      { containers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Running',
        containerStatuses: [
          { name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } },
          { name: 'b', state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    );
    expect(summarizePod(p, now).status).toBe('ImagePullBackOff');
  });

  it('says Running or NotReady when one container completed and another still runs', () => {
    const status = (ready: string) => ({
      phase: 'Running',
      conditions: [readyCondition(ready)],
      containerStatuses: [
        { name: 'job', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'server', ready: true, state: running },
      ],
    });
    const spec = { containers: [{ name: 'job' }, { name: 'server' }] };
    expect(summarizePod(pod(spec, status('True')), now)).toEqual({
      ready: '1/2',
      status: 'Running',
      restarts: '0',
    });
    expect(summarizePod(pod(spec, status('False')), now).status).toBe('NotReady');
  });

  it('shows Terminating for a deleted pod that has not finished', () => {
    const p = pod(
      {},
      { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: running }] },
      { deletionTimestamp: ago(0) },
    );
    expect(summarizePod(p, now)).toEqual({ ready: '1/1', status: 'Terminating', restarts: '0' });
  });

  it('keeps the final status of a deleted pod that already finished', () => {
    const p = pod(
      {},
      {
        phase: 'Succeeded',
        containerStatuses: [
          { name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
      { deletionTimestamp: ago(0) },
    );
    expect(summarizePod(p, now).status).toBe('Completed');
  });

  it('shows Unknown for a deleted pod on a lost node', () => {
    const p = pod({}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(0) });
    expect(summarizePod(p, now).status).toBe('Unknown');
  });

  it('uses the pod-level reason, e.g. Evicted', () => {
    expect(summarizePod(pod({}, { phase: 'Failed', reason: 'Evicted' }), now).status).toBe(
      'Evicted',
    );
  });

  it('shows SchedulingGated while a scheduling gate holds the pod', () => {
    const p = pod(
      {},
      {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      },
    );
    expect(summarizePod(p, now).status).toBe('SchedulingGated');
  });

  describe('with init containers', () => {
    const spec = { initContainers: [{ name: 'setup' }], containers: [{ name: 'app' }] };

    it('shows Init:0/1 while the first init container has not finished', () => {
      const p = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'setup', ready: false, restartCount: 0, state: { running: {} } },
        ],
        containerStatuses: [
          { name: 'app', ready: false, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      });
      expect(summarizePod(p, now)).toEqual({ ready: '0/1', status: 'Init:0/1', restarts: '0' });
    });

    it('treats a PodInitializing wait like not started', () => {
      const p = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'setup', state: { waiting: { reason: 'PodInitializing' } } },
        ],
      });
      expect(summarizePod(p, now).status).toBe('Init:0/1');
    });

    it('counts finished init containers: Init:1/2', () => {
      const p = pod(
        { initContainers: [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'app' }] },
        {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'b', state: { running: {} } },
          ],
        },
      );
      expect(summarizePod(p, now).status).toBe('Init:1/2');
    });

    it('shows why an init container is stuck or failed', () => {
      const waiting = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'setup', restartCount: 2, state: { waiting: { reason: 'ImagePullBackOff' } } },
        ],
      });
      expect(summarizePod(waiting, now)).toEqual({
        ready: '0/1',
        status: 'Init:ImagePullBackOff',
        restarts: '2',
      });
      const failed = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'setup', state: { terminated: { exitCode: 1, reason: 'Error' } } },
        ],
      });
      expect(summarizePod(failed, now).status).toBe('Init:Error');
      const coded = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'setup', state: { terminated: { exitCode: 3 } } }],
      });
      expect(summarizePod(coded, now).status).toBe('Init:ExitCode:3');
      const signalled = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'setup', state: { terminated: { exitCode: 137, signal: 9 } } },
        ],
      });
      expect(summarizePod(signalled, now).status).toBe('Init:Signal:9');
    });

    it('drops init restarts from the count once initialization is over', () => {
      const p = pod(spec, {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [
          {
            name: 'setup',
            restartCount: 5,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 1, state: running }],
      });
      expect(summarizePod(p, now)).toEqual({ ready: '1/1', status: 'Running', restarts: '1' });
    });

    it('counts started sidecars (restartPolicy Always) as containers', () => {
      const p = pod(
        {
          initContainers: [{ name: 'mesh', restartPolicy: 'Always' }],
          containers: [{ name: 'app' }],
        },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [
            { name: 'mesh', ready: true, started: true, restartCount: 1, state: running },
          ],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
        },
      );
      expect(summarizePod(p, now)).toEqual({ ready: '2/2', status: 'Running', restarts: '1' });
    });
  });
});

describe('podPrinter', () => {
  it('prints the wide cells: IP, node, nominated node and readiness gates', () => {
    const p = pod(
      {
        nodeName: 'node-a',
        readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
      },
      {
        phase: 'Running',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        nominatedNodeName: 'node-b',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
    );
    expect(podPrinter.row(p, now)).toEqual({
      cells: ['web', '1/1', 'Running', '0', '10m', '10.244.1.5', 'node-a', 'node-b', '1/2'],
    });
  });

  it('prints <none> for what a pending pod lacks', () => {
    expect(podPrinter.row(pod({}, { phase: 'Pending' }), now).cells).toEqual([
      'web',
      '0/1',
      'Pending',
      '0',
      '10m',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });

  it('marks finished pods with a Completed row condition', () => {
    expect(podPrinter.row(pod({}, { phase: 'Succeeded' }), now).conditions).toEqual([
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
    expect(podPrinter.row(pod({}, { phase: 'Failed' }), now).conditions).toEqual([
      { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
    ]);
    expect(podPrinter.row(pod({}, { phase: 'Running' }), now).conditions).toBeUndefined();
  });

  it('declares the columns kubectl shows, with the wide ones at priority 1', () => {
    expect(podPrinter.columns.map(c => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
  });
});
