import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from './index.ts';
import { ManualClock } from './clock.ts';
import { formatIPv4, parseIPv4 } from './ip.ts';
import { rfc3339, rfc3339Nano } from './time.ts';

describe('ManualClock', () => {
  it('fires due timers in order, including those scheduled by fired timers', async () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(100, () => {
      fired.push(`a@${clock.now()}`);
      clock.setTimer(100, () => fired.push(`c@${clock.now()}`));
    });
    const cancel = clock.setTimer(200, () => fired.push('cancelled'));
    cancel();
    clock.setTimer(300, () => fired.push(`d@${clock.now()}`));
    expect(clock.pendingTimers).toBe(3);
    await clock.advance(250);
    expect(fired).toEqual(['a@1100', 'c@1200']);
    expect(clock.now()).toBe(1250);
    await clock.advance(1000);
    expect(fired).toEqual(['a@1100', 'c@1200', 'b@1300', 'd@1300']);
    expect(clock.now()).toBe(2250);
    expect(clock.pendingTimers).toBe(0);
  });

  it('starts at 2024-01-01T00:00:00Z by default', () => {
    expect(new ManualClock().now()).toBe(Date.UTC(2024, 0, 1));
  });
});

describe('addresses and times', () => {
  it('count IPv4 addresses', () => {
    expect(parseIPv4('10.244.0.0')).toBe(0x0af40000);
    expect(['10.0.0', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '::1'].map(parseIPv4)).toEqual(
      Array(5).fill(undefined),
    );
    expect(formatIPv4(0x0af400ff, 1)).toBe('10.244.1.0');
    expect(formatIPv4(0xffffffff, 2)).toBe('0.0.0.1');
  });

  it('format metav1.Time and Go RFC3339Nano', () => {
    const t = Date.UTC(2024, 0, 1, 0, 0, 5, 250);
    expect(rfc3339(t)).toBe('2024-01-01T00:00:05Z');
    expect(rfc3339Nano(t)).toBe('2024-01-01T00:00:05.25Z');
    expect(rfc3339Nano(t - 250)).toBe('2024-01-01T00:00:05Z');
    expect(rfc3339Nano(t + 1)).toBe('2024-01-01T00:00:05.251Z');
  });
});

describe('package', () => {
  it('reports the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(api.MOCK_PROVIDER_VERSION).toBe(pkg.version);
    expect(api.createMockProvider().version).toBe(pkg.version);
  });

  it('exports its API from the barrel', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_CAPACITY',
      'MOCK_OPERATIONS',
      'MOCK_PROVIDER_VERSION',
      'ManualClock',
      'createMockProvider',
      'openMockStateFile',
      'systemClock',
    ]);
    const provider = api.createMockProvider();
    expect(provider.name).toBe('mock');
    for (const method of [
      'getContainerLogs',
      'runInContainer',
      'attachToContainer',
      'portForward',
      'getStatsSummary',
      'getMetricsResource',
      'updatePodVolumes',
      'ping',
      'configureNode',
      'notifyNodeStatus',
      'notifyPods',
    ]) {
      expect(typeof (provider as unknown as Record<string, unknown>)[method]).toBe('function');
    }
  });

  it('does nothing at construction: no timers, no calls', () => {
    const clock = new ManualClock();
    const provider = api.createMockProvider({ clock });
    expect(clock.pendingTimers).toBe(0);
    expect(api.MOCK_OPERATIONS.map(op => provider.callCount(op)).every(n => n === 0)).toBe(true);
  });
});
