import { createHash } from 'node:crypto';
import {
  deepFreeze,
  hasPodNotifier,
  isIllegalState,
  isInvalidInput,
  isNotFound,
  type Logger,
} from '@vkubelet/core';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from './clock.ts';
import { createMockProvider } from './provider.ts';
import { context, makePod, never, setup, T0 } from './test-support/fixtures.ts';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const cid = (uid: string, container: string, restart: number): string =>
  `mock://${sha(`${uid}/${container}/${restart}`)}`;
const at = (seconds: number): string =>
  new Date(T0 + seconds * 1000).toISOString().replace('.000Z', 'Z');

function condition(type: string, status: string, time: string, reason?: string, message?: string) {
  return {
    type,
    status,
    lastTransitionTime: time,
    ...(reason !== undefined && { reason }),
    ...(message !== undefined && { message }),
  };
}

describe('pod lifecycle', () => {
  it('runs a pod at once without start latency, with the full kubelet-shaped status', async () => {
    const { provider } = setup();
    await provider.createPod(makePod('web'), context());
    const pod = await provider.getPod('default', 'web', never());
    expect(pod?.status).toEqual({
      phase: 'Running',
      conditions: [
        condition('PodScheduled', 'True', at(0)),
        condition('Initialized', 'True', at(0)),
        condition('ContainersReady', 'True', at(0)),
        condition('Ready', 'True', at(0)),
      ],
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: '10.244.0.1',
      podIPs: [{ ip: '10.244.0.1' }],
      startTime: at(0),
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: 'app',
          image: 'nginx:1.25',
          imageID: `nginx@sha256:${sha('nginx:1.25')}`,
          containerID: cid('uid-web', 'app', 0),
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: at(0) } },
          lastState: {},
        },
      ],
    });
    expect(pod?.metadata).toEqual({ name: 'web', namespace: 'default', uid: 'uid-web' });
    expect(pod?.spec?.containers).toEqual([{ name: 'app', image: 'nginx:1.25' }]);
  });

  it('goes Pending (ContainerCreating) → Running after startLatencyMs', async () => {
    const { provider, clock, notified } = setup({ startLatencyMs: 1500 });
    await provider.createPod(makePod('web'), context());
    const pending = await provider.getPodStatus('default', 'web', never());
    expect(pending).toEqual({
      phase: 'Pending',
      conditions: [
        condition('PodScheduled', 'True', at(0)),
        condition('Initialized', 'True', at(0)),
        condition(
          'ContainersReady',
          'False',
          at(0),
          'ContainersNotReady',
          'containers with unready status: [app]',
        ),
        condition(
          'Ready',
          'False',
          at(0),
          'ContainersNotReady',
          'containers with unready status: [app]',
        ),
      ],
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      startTime: at(0),
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: 'app',
          image: 'nginx:1.25',
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason: 'ContainerCreating' } },
          lastState: {},
        },
      ],
    });
    await clock.advance(1499);
    expect((await provider.getPodStatus('default', 'web', never()))?.phase).toBe('Pending');
    await clock.advance(1);
    const running = await provider.getPodStatus('default', 'web', never());
    expect(running?.phase).toBe('Running');
    expect(running?.podIP).toBe('10.244.0.1');
    expect(running?.conditions?.map(c => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['PodScheduled', 'True', at(0)],
      ['Initialized', 'True', at(0)],
      ['ContainersReady', 'True', at(1)],
      ['Ready', 'True', at(1)],
    ]);
    expect(running?.containerStatuses?.[0]?.state).toEqual({ running: { startedAt: at(1) } });
    await provider.flushNotifications();
    expect(notified.map(p => p.status?.phase)).toEqual(['Pending', 'Running']);
  });

  it('hands out pod IPs from podIPBase in create order; hostNetwork pods get the host IP', async () => {
    const { provider } = setup({
      podIPBase: '192.168.7.254',
      addresses: [{ type: 'InternalIP', address: '10.1.2.3' }],
    });
    await provider.createPod(makePod('a'), context());
    await provider.createPod(makePod('host', { hostNetwork: true }), context());
    await provider.createPod(makePod('b'), context());
    const ips = await Promise.all(
      ['a', 'host', 'b'].map(async n => {
        const s = await provider.getPodStatus('default', n, never());
        return [s?.podIP, s?.hostIP];
      }),
    );
    expect(ips).toEqual([
      ['192.168.7.255', '10.1.2.3'],
      ['10.1.2.3', '10.1.2.3'],
      ['192.168.8.0', '10.1.2.3'],
    ]);
  });

  it('derives qosClass from requests and limits', async () => {
    const { provider } = setup();
    const guaranteed = [
      { name: 'app', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } },
    ];
    const burstable = [{ name: 'app', image: 'x', resources: { requests: { cpu: '100m' } } }];
    await provider.createPod(makePod('g', { containers: guaranteed }), context());
    await provider.createPod(makePod('b', { containers: burstable }), context());
    expect((await provider.getPodStatus('default', 'g', never()))?.qosClass).toBe('Guaranteed');
    expect((await provider.getPodStatus('default', 'b', never()))?.qosClass).toBe('Burstable');
  });

  it('createPod is idempotent for the same UID', async () => {
    const { provider, notified } = setup();
    await provider.createPod(makePod('web'), context());
    await provider.flushNotifications();
    await provider.createPod(makePod('web'), context());
    await provider.createPod(makePod('next'), context());
    await provider.flushNotifications();
    expect((await provider.getPods(never())).map(p => [p.metadata?.name, p.status?.podIP])).toEqual(
      [
        ['web', '10.244.0.1'],
        ['next', '10.244.0.2'],
      ],
    );
    expect(notified.map(p => p.metadata?.name)).toEqual(['web', 'next']);
  });

  it('treats a pod re-created under the same name with a new UID as a different pod', async () => {
    const { provider } = setup();
    const first = makePod('web', { uid: 'uid-1' });
    const second = makePod('web', { uid: 'uid-2' });
    await provider.createPod(first, context());
    await expect(provider.deletePod(second, never())).rejects.toSatisfy(isNotFound);
    await expect(provider.updatePod(second, context())).rejects.toSatisfy(isNotFound);

    await provider.createPod(second, context());
    const pod = await provider.getPod('default', 'web', never());
    expect(pod?.metadata?.uid).toBe('uid-2');
    expect(pod?.status?.podIP).toBe('10.244.0.2');
    expect(pod?.status?.containerStatuses?.[0]?.containerID).toBe(cid('uid-2', 'app', 0));
    // The stale delete of the first pod must not touch the second.
    await expect(provider.deletePod(first, never())).rejects.toSatisfy(isNotFound);
    expect((await provider.getPod('default', 'web', never()))?.metadata?.uid).toBe('uid-2');
    await provider.deletePod(second, never());
    expect(await provider.getPods(never())).toEqual([]);
  });

  it('returns copies (getPods with its own status, frozen) and keeps its own copy of what it was given', async () => {
    const { provider } = setup();
    const given = makePod('web');
    await provider.createPod(given, context());
    given.spec!.containers[0]!.image = 'changed-by-caller';
    const pod = (await provider.getPod('default', 'web', never()))!;
    pod.metadata!.name = 'mutated';
    pod.status!.containerStatuses![0]!.ready = false;
    const status = (await provider.getPodStatus('default', 'web', never()))!;
    status.phase = 'Failed';
    const listed = (await provider.getPods(never()))[0]!;
    listed.spec!.containers.pop();
    // Its status is the mock's own, frozen: it cannot be changed from outside.
    expect(() => {
      listed.status!.phase = 'Failed';
    }).toThrow(TypeError);
    const again = (await provider.getPod('default', 'web', never()))!;
    expect(again.metadata?.name).toBe('web');
    expect(again.spec?.containers).toEqual([{ name: 'app', image: 'nginx:1.25' }]);
    expect(again.status?.phase).toBe('Running');
    expect(again.status?.containerStatuses?.[0]?.ready).toBe(true);
  });

  it('keeps a frozen pod (as the core hands them over) without copying it', async () => {
    const { provider } = setup();
    const given = makePod('web');
    deepFreeze(given);
    await provider.createPod(given, context());
    provider.simulatePodTermination('default', 'web', { markDeleted: true });
    const pod = (await provider.getPod('default', 'web', never()))!;
    expect(pod.spec?.containers).toEqual(given.spec?.containers);
    expect(pod.metadata?.deletionTimestamp).toBeDefined();
    expect(given.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('answers undefined for a pod it does not know', async () => {
    const { provider } = setup();
    expect(await provider.getPod('default', 'nope', never())).toBeUndefined();
    expect(await provider.getPodStatus('default', 'nope', never())).toBeUndefined();
    expect(await provider.getPods(never())).toEqual([]);
  });

  it('rejects pods it cannot key or run with InvalidInputError', async () => {
    const { provider } = setup();
    const noUid: Pod = { ...makePod('x'), metadata: { name: 'x', namespace: 'default' } };
    await expect(provider.createPod(noUid, context())).rejects.toThrow(
      'mock provider: a pod needs metadata.namespace, name and uid',
    );
    await expect(provider.createPod(makePod('y', { containers: [] }), context())).rejects.toThrow(
      'mock provider: pod default/y has no containers',
    );
    const twice = makePod('z', {
      containers: [
        { name: 'a', image: 'x' },
        { name: 'a', image: 'y' },
      ],
    });
    await expect(provider.createPod(twice, context())).rejects.toSatisfy(isInvalidInput);
    expect(await provider.getPods(never())).toEqual([]);
  });
});

describe('status notifications', () => {
  it('pushes through notifyPods after the call returns, never inside it', async () => {
    const { provider, notified } = setup();
    expect(hasPodNotifier(provider)).toBe(true);
    await provider.createPod(makePod('web'), context());
    expect(notified).toEqual([]);
    await provider.flushNotifications();
    expect(notified).toHaveLength(1);
    expect(notified[0]?.status?.phase).toBe('Running');
    expect(notified[0]?.metadata?.uid).toBe('uid-web');
  });

  it('buffers changes made before the callback is registered and delivers the latest', async () => {
    const clock = new ManualClock(T0);
    const provider = createMockProvider({ clock, startLatencyMs: 1000 });
    await provider.createPod(makePod('web'), context());
    await clock.advance(1000);
    await provider.flushNotifications();
    const notified: Pod[] = [];
    provider.notifyPods?.(pod => notified.push(pod));
    expect(notified).toEqual([]);
    await provider.flushNotifications();
    expect(notified.map(p => p.status?.phase)).toEqual(['Running']);
  });

  it('has no notifyPods at all when pushStatus is false, so the core polls', async () => {
    const provider = createMockProvider({ pushStatus: false, clock: new ManualClock(T0) });
    expect('notifyPods' in provider).toBe(false);
    expect(hasPodNotifier(provider)).toBe(false);
    await provider.createPod(makePod('web'), context());
    expect((await provider.getPodStatus('default', 'web', never()))?.phase).toBe('Running');
    await provider.flushNotifications();
  });

  it('refuses a second registration', () => {
    const { provider } = setup();
    let thrown: unknown;
    try {
      provider.notifyPods?.(() => undefined);
    } catch (err) {
      thrown = err;
    }
    expect(isIllegalState(thrown)).toBe(true);
  });

  it('keeps delivering when the callback throws, and logs it', async () => {
    const errors: unknown[] = [];
    const logger: Logger = {
      debug: vi.fn(),
      info: vi.fn(),
      warn: vi.fn(),
      error: (fields, message) => errors.push([fields.component, message]),
      child: () => logger,
    };
    const provider = createMockProvider({ clock: new ManualClock(T0), logger });
    const seen: string[] = [];
    provider.notifyPods?.(pod => {
      seen.push(pod.metadata?.name ?? '');
      if (pod.metadata?.name === 'a') throw new Error('boom');
    });
    await provider.createPod(makePod('a'), context());
    await provider.createPod(makePod('b'), context());
    await provider.flushNotifications();
    expect(seen).toEqual(['a', 'b']);
    expect(errors).toEqual([['provider-mock', 'notifyPods callback threw']]);
  });
});

describe('init containers', () => {
  it('complete before the regular containers start', async () => {
    const { provider } = setup();
    const pod = makePod('web', { initContainers: [{ name: 'setup', image: 'busybox' }] });
    await provider.createPod(pod, context());
    const status = await provider.getPodStatus('default', 'web', never());
    expect(status?.phase).toBe('Running');
    expect(status?.initContainerStatuses).toEqual([
      {
        name: 'setup',
        image: 'busybox',
        imageID: `busybox@sha256:${sha('busybox')}`,
        containerID: cid('uid-web', 'setup', 0),
        ready: true,
        restartCount: 0,
        started: false,
        state: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt: at(0),
            finishedAt: at(0),
            containerID: cid('uid-web', 'setup', 0),
          },
        },
        lastState: {},
      },
    ]);
  });

  it('run one at a time; a sleeping init container holds the pod in Pending', async () => {
    const { provider, clock } = setup();
    const pod = makePod('web', {
      initContainers: [
        { name: 'wait', image: 'busybox', command: ['sleep', '2'] },
        { name: 'then', image: 'busybox' },
      ],
    });
    await provider.createPod(pod, context());
    const pending = await provider.getPodStatus('default', 'web', never());
    expect(pending?.phase).toBe('Pending');
    expect(pending?.podIP).toBe('10.244.0.1');
    expect(pending?.conditions?.[1]).toEqual(
      condition(
        'Initialized',
        'False',
        at(0),
        'ContainersNotInitialized',
        'containers with incomplete status: [wait then]',
      ),
    );
    expect(pending?.initContainerStatuses?.map(s => s.state)).toEqual([
      { running: { startedAt: at(0) } },
      { waiting: { reason: 'PodInitializing' } },
    ]);
    expect(pending?.containerStatuses?.[0]?.state).toEqual({
      waiting: { reason: 'PodInitializing' },
    });
    await clock.advance(2000);
    const running = await provider.getPodStatus('default', 'web', never());
    expect(running?.phase).toBe('Running');
    expect(running?.initContainerStatuses?.map(s => s.state?.terminated?.finishedAt)).toEqual([
      at(2),
      at(2),
    ]);
    expect(running?.containerStatuses?.[0]?.state).toEqual({ running: { startedAt: at(2) } });
  });

  it('a failing init container fails a Never pod', async () => {
    const { provider } = setup();
    const pod = makePod('job', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'check', image: 'busybox', command: ['sh', '-c', 'exit 3'] }],
    });
    await provider.createPod(pod, context());
    const status = await provider.getPodStatus('default', 'job', never());
    expect(status?.phase).toBe('Failed');
    expect(status?.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 3,
      reason: 'Error',
    });
    expect(status?.containerStatuses?.[0]?.state).toEqual({
      waiting: { reason: 'PodInitializing' },
    });
  });

  it('a failing init container backs off in a restarting pod, which stays Pending', async () => {
    const { provider } = setup();
    const pod = makePod('web', {
      initContainers: [{ name: 'check', image: 'busybox', command: ['exit', '3'] }],
    });
    await provider.createPod(pod, context());
    const status = await provider.getPodStatus('default', 'web', never());
    expect(status?.phase).toBe('Pending');
    const init = status?.initContainerStatuses?.[0];
    expect(init?.restartCount).toBe(1);
    expect(init?.state).toEqual({
      waiting: {
        reason: 'CrashLoopBackOff',
        message: 'back-off 10s restarting failed container=check pod=web_default(uid-web)',
      },
    });
    expect(init?.lastState?.terminated).toEqual({
      exitCode: 3,
      reason: 'Error',
      startedAt: at(0),
      finishedAt: at(0),
      containerID: cid('uid-web', 'check', 0),
    });
  });
});

describe('containers that exit', () => {
  const job = (command: string[], restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Never') =>
    makePod('job', { restartPolicy, containers: [{ name: 'main', image: 'busybox', command }] });

  it('`exit 0` in a Never pod: Succeeded', async () => {
    const { provider, notified } = setup();
    await provider.createPod(job(['exit', '0']), context());
    const status = await provider.getPodStatus('default', 'job', never());
    expect(status?.phase).toBe('Succeeded');
    expect(status?.conditions?.slice(1)).toEqual([
      condition('Initialized', 'True', at(0), 'PodCompleted'),
      condition('ContainersReady', 'False', at(0), 'PodCompleted'),
      condition('Ready', 'False', at(0), 'PodCompleted'),
    ]);
    expect(status?.containerStatuses?.[0]).toMatchObject({
      ready: false,
      started: false,
      state: {
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          startedAt: at(0),
          finishedAt: at(0),
          containerID: cid('uid-job', 'main', 0),
        },
      },
    });
    await provider.flushNotifications();
    expect(notified.map(p => p.status?.phase)).toEqual(['Succeeded']);
  });

  it('`exit N` in a Never pod: Failed with that exit code (also through sh -c, and `false`)', async () => {
    for (const command of [
      ['exit', '3'],
      ['/bin/sh', '-c', 'exit 3'],
      ['bash', '-c', '\'exit\' "3"'],
    ]) {
      const { provider } = setup();
      await provider.createPod(job(command), context());
      const status = await provider.getPodStatus('default', 'job', never());
      expect(status?.phase).toBe('Failed');
      expect(status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
        exitCode: 3,
        reason: 'Error',
      });
    }
    const { provider } = setup();
    await provider.createPod(job(['false']), context());
    const status = await provider.getPodStatus('default', 'job', never());
    expect(status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(1);
  });

  it('`sleep S` runs for S seconds, then exits 0', async () => {
    const { provider, clock, notified } = setup();
    await provider.createPod(job(['sleep', '5']), context());
    expect((await provider.getPodStatus('default', 'job', never()))?.phase).toBe('Running');
    await clock.advance(4999);
    expect((await provider.getPodStatus('default', 'job', never()))?.phase).toBe('Running');
    await clock.advance(1);
    const done = await provider.getPodStatus('default', 'job', never());
    expect(done?.phase).toBe('Succeeded');
    expect(done?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      startedAt: at(0),
      finishedAt: at(5),
    });
    await provider.flushNotifications();
    expect(notified.map(p => p.status?.phase)).toEqual(['Running', 'Succeeded']);
  });

  it('OnFailure: exit 0 completes the pod, a failure backs off and the pod keeps Running', async () => {
    const ok = setup();
    await ok.provider.createPod(job(['exit', '0'], 'OnFailure'), context());
    expect((await ok.provider.getPodStatus('default', 'job', never()))?.phase).toBe('Succeeded');

    const failing = setup();
    await failing.provider.createPod(job(['exit', '2'], 'OnFailure'), context());
    const status = await failing.provider.getPodStatus('default', 'job', never());
    expect(status?.phase).toBe('Running');
    expect(status?.containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      ready: false,
      containerID: cid('uid-job', 'main', 0),
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 2, reason: 'Error' } },
    });
  });

  it('Always: even exit 0 backs off (CrashLoopBackOff), as the kubelet does', async () => {
    const { provider } = setup();
    await provider.createPod(job(['exit', '0'], 'Always'), context());
    const status = await provider.getPodStatus('default', 'job', never());
    expect(status?.phase).toBe('Running');
    expect(status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(status?.containerStatuses?.[0]?.lastState?.terminated?.reason).toBe('Completed');
  });

  it('a pod with one finished and one running container stays Running, not Ready', async () => {
    const { provider } = setup();
    const pod = makePod('mixed', {
      restartPolicy: 'Never',
      containers: [
        { name: 'once', image: 'busybox', command: ['exit', '1'] },
        { name: 'server', image: 'nginx' },
      ],
    });
    await provider.createPod(pod, context());
    const status = await provider.getPodStatus('default', 'mixed', never());
    expect(status?.phase).toBe('Running');
    expect(status?.conditions?.[3]).toEqual(
      condition(
        'Ready',
        'False',
        at(0),
        'ContainersNotReady',
        'containers with unready status: [once]',
      ),
    );
  });
});

describe('updatePod', () => {
  it('applies a new image as a new container instance, and new labels', async () => {
    const { provider, clock, notified } = setup();
    await provider.createPod(makePod('web'), context());
    await clock.advance(3000);
    const updated = makePod('web', {
      labels: { tier: 'front' },
      containers: [{ name: 'app', image: 'nginx:1.27' }],
    });
    await provider.updatePod(updated, context());
    const pod = await provider.getPod('default', 'web', never());
    expect(pod?.metadata?.labels).toEqual({ tier: 'front' });
    expect(pod?.status?.containerStatuses?.[0]).toEqual({
      name: 'app',
      image: 'nginx:1.27',
      imageID: `nginx@sha256:${sha('nginx:1.27')}`,
      containerID: cid('uid-web', 'app', 1),
      ready: true,
      restartCount: 1,
      started: true,
      state: { running: { startedAt: at(3) } },
      lastState: {
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          startedAt: at(0),
          finishedAt: at(3),
          containerID: cid('uid-web', 'app', 0),
        },
      },
    });
    await provider.flushNotifications();
    expect(notified.at(-1)?.status?.containerStatuses?.[0]?.image).toBe('nginx:1.27');
  });

  it('changes only the reported image of a container that has not started', async () => {
    const { provider } = setup({ startLatencyMs: 1000 });
    await provider.createPod(makePod('web'), context());
    await provider.updatePod(
      makePod('web', { containers: [{ name: 'app', image: 'nginx:2' }] }),
      context(),
    );
    const status = await provider.getPodStatus('default', 'web', never());
    expect(status?.containerStatuses?.[0]).toMatchObject({
      image: 'nginx:2',
      restartCount: 0,
      state: { waiting: { reason: 'ContainerCreating' } },
    });
  });

  it('throws NotFoundError for an unknown pod', async () => {
    const { provider } = setup();
    await expect(provider.updatePod(makePod('nope'), context())).rejects.toThrow(
      'mock provider: pod default/nope with uid uid-nope not found',
    );
  });
});

describe('activeDeadlineSeconds', () => {
  it('fails the pod with DeadlineExceeded when it runs too long', async () => {
    const { provider, clock } = setup();
    await provider.createPod(makePod('web', { activeDeadlineSeconds: 10 }), context());
    await clock.advance(9999);
    expect((await provider.getPodStatus('default', 'web', never()))?.phase).toBe('Running');
    await clock.advance(1);
    const status = await provider.getPodStatus('default', 'web', never());
    expect(status).toMatchObject({
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
    expect(status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 137,
      reason: 'Error',
      finishedAt: at(10),
    });
  });

  it('follows an update that moves the deadline', async () => {
    const { provider, clock } = setup();
    await provider.createPod(makePod('web', { activeDeadlineSeconds: 10 }), context());
    await clock.advance(5000);
    await provider.updatePod(makePod('web', { activeDeadlineSeconds: 20 }), context());
    await clock.advance(10_000);
    expect((await provider.getPodStatus('default', 'web', never()))?.phase).toBe('Running');
    await clock.advance(5000);
    expect((await provider.getPodStatus('default', 'web', never()))?.phase).toBe('Failed');
  });
});

describe('deletePod', () => {
  it('stops the pod, notifies the terminal status, then forgets it', async () => {
    const { provider, clock, notified } = setup();
    await provider.createPod(makePod('web'), context());
    await provider.flushNotifications();
    await clock.advance(2000);
    await provider.deletePod(makePod('web'), never());
    expect(await provider.getPod('default', 'web', never())).toBeUndefined();
    await provider.flushNotifications();
    const final = notified.at(-1);
    expect(final?.status).toMatchObject({
      phase: 'Succeeded',
      reason: 'MockProviderPodDeleted',
      message: 'the pod was deleted from the mock provider',
    });
    expect(final?.status?.containerStatuses?.[0]?.state).toEqual({
      terminated: {
        exitCode: 0,
        reason: 'Completed',
        startedAt: at(0),
        finishedAt: at(2),
        containerID: cid('uid-web', 'app', 0),
      },
    });
    await expect(provider.deletePod(makePod('web'), never())).rejects.toSatisfy(isNotFound);
  });

  it('takes deleteLatencyMs, and an abort meanwhile leaves the pod running', async () => {
    const { provider, clock } = setup({ deleteLatencyMs: 3000 });
    await provider.createPod(makePod('web'), context());
    const abort = new AbortController();
    const aborted = provider.deletePod(makePod('web'), abort.signal);
    await clock.advance(1000);
    abort.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    expect((await provider.getPodStatus('default', 'web', never()))?.phase).toBe('Running');

    let done = false;
    const deleting = provider.deletePod(makePod('web'), never()).then(() => (done = true));
    await clock.advance(2999);
    expect(done).toBe(false);
    await clock.advance(1);
    await deleting;
    expect(await provider.getPod('default', 'web', never())).toBeUndefined();
  });

  it('cancels a pending start: nothing fires for a pod that is gone', async () => {
    const { provider, clock, notified } = setup({ startLatencyMs: 1000 });
    await provider.createPod(makePod('web'), context());
    await provider.deletePod(makePod('web'), never());
    await clock.advance(5000);
    await provider.flushNotifications();
    expect(clock.pendingTimers).toBe(0);
    expect(notified.map(p => p.status?.phase)).toEqual(['Succeeded']);
    expect(notified[0]?.status?.containerStatuses?.[0]?.state?.terminated).toEqual({
      exitCode: 0,
      reason: 'Completed',
      finishedAt: at(0),
    });
  });
});

describe('simulated backend events', () => {
  it('simulatePodTermination stops the pod with the given exit code and reason', async () => {
    const { provider, clock, notified } = setup();
    await provider.createPod(makePod('web'), context());
    await clock.advance(4000);
    provider.simulatePodTermination('default', 'web', {
      exitCode: 137,
      reason: 'OOMKilled',
      message: 'out of memory',
    });
    await provider.flushNotifications();
    const status = notified.at(-1)?.status;
    expect(status).toMatchObject({
      phase: 'Failed',
      reason: 'OOMKilled',
      message: 'out of memory',
    });
    expect(status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 137,
      reason: 'OOMKilled',
      startedAt: at(0),
      finishedAt: at(4),
    });
    // Still known (terminal) until the core deletes it.
    expect((await provider.getPodStatus('default', 'web', never()))?.phase).toBe('Failed');
    await provider.deletePod(makePod('web'), never());
    await provider.flushNotifications();
    expect(notified.at(-1)?.status).toMatchObject({ phase: 'Failed', reason: 'OOMKilled' });
  });

  it('simulatePodTermination defaults to a clean exit and can mark the pod deleted', async () => {
    const { provider } = setup();
    await provider.createPod(makePod('web'), context());
    provider.simulatePodTermination('default', 'web', { markDeleted: true });
    const pod = await provider.getPod('default', 'web', never());
    expect(pod?.status?.phase).toBe('Succeeded');
    expect(pod?.status?.reason).toBeUndefined();
    expect(pod?.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
    expect(pod?.metadata?.deletionTimestamp).toBe(at(0));
    expect(pod?.metadata?.deletionGracePeriodSeconds).toBe(0);
    expect(() => {
      provider.simulatePodTermination('default', 'nope');
    }).toThrow('mock provider: pod default/nope not found');
    expect(() => {
      provider.simulatePodTermination('default', 'web', { exitCode: 300 });
    }).toThrow('mock provider: exitCode must be a whole number 0-255, got 300');
  });

  it('simulateContainerRestart starts a new instance of the container', async () => {
    const { provider, clock } = setup();
    await provider.createPod(makePod('web'), context());
    await clock.advance(7000);
    provider.simulateContainerRestart('default', 'web', 'app', { exitCode: 2 });
    const status = await provider.getPodStatus('default', 'web', never());
    expect(status?.phase).toBe('Running');
    expect(status?.containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      ready: true,
      containerID: cid('uid-web', 'app', 1),
      state: { running: { startedAt: at(7) } },
      lastState: {
        terminated: {
          exitCode: 2,
          reason: 'Error',
          startedAt: at(0),
          finishedAt: at(7),
          containerID: cid('uid-web', 'app', 0),
        },
      },
    });
    expect(() => {
      provider.simulateContainerRestart('default', 'web', 'nope');
    }).toThrow('mock provider: container nope not found in pod default/web');
    provider.simulatePodTermination('default', 'web');
    expect(() => {
      provider.simulateContainerRestart('default', 'web', 'app');
    }).toThrow('mock provider: container app in pod default/web is not running');
  });
});
