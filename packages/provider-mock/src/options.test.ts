import { isInvalidInput, silentLogger } from '@vkubelet/core';
import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.ts';
import { compileOptions, type MockProviderOptions } from './options.ts';
import { createMockProvider } from './provider.ts';

const bad = (options: unknown): unknown => {
  try {
    compileOptions(options as MockProviderOptions);
  } catch (err) {
    expect(isInvalidInput(err)).toBe(true);
    return (err as Error).message;
  }
  return 'no error';
};

describe('options', () => {
  it('fills in the defaults', () => {
    const compiled = compileOptions();
    expect(compiled).toEqual({
      capacity: { cpu: '20', memory: '100Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      startLatencyMs: 0,
      deleteLatencyMs: 0,
      failures: new Map(),
      rateLimits: [],
      pushStatus: true,
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      hostIP: '127.0.0.1',
      podIPBase: 0x0af40000,
      clock: systemClock,
      logIntervalMs: 1000,
      nodeName: 'mock-node',
      providerID: undefined,
      labels: {},
      logger: silentLogger,
    });
  });

  it('merges capacity over the defaults, extra resources included', () => {
    const { capacity } = compileOptions({
      capacity: { cpu: '4', pods: 30, 'nvidia.com/gpu': '2', memory: '1.5e9' },
    });
    expect(capacity).toEqual({
      cpu: '4',
      memory: '1.5e9',
      pods: '30',
      'ephemeral-storage': '100Gi',
      'nvidia.com/gpu': '2',
    });
  });

  it('takes a single rate limit or several, and a clock and addresses', () => {
    const clock = new ManualClock();
    const compiled = compileOptions({
      rateLimit: [
        { perSecond: 100 / 300, burst: 100 },
        { perSecond: 300 / 3600, burst: 300 },
      ],
      clock,
      addresses: [
        { type: 'Hostname', address: 'vk-1' },
        { type: 'ExternalIP', address: '2001:db8::1' },
      ],
    });
    expect(compiled.rateLimits).toHaveLength(2);
    expect(compiled.clock).toBe(clock);
    expect(compiled.hostIP).toBe('2001:db8::1');
    expect(compileOptions({ rateLimit: { perSecond: 20, burst: 100 } }).rateLimits).toEqual([
      { perSecond: 20, burst: 100 },
    ]);
  });

  it('rejects bad values with a message naming the field', () => {
    expect(bad({ startLatencyMs: -1 })).toBe(
      'mock provider: startLatencyMs must be a finite number >= 0, got -1',
    );
    expect(bad({ deleteLatencyMs: Number.NaN })).toBe(
      'mock provider: deleteLatencyMs must be a finite number >= 0, got NaN',
    );
    expect(bad({ capacity: { cpu: 'lots' } })).toBe(
      'mock provider: capacity.cpu is not a valid non-negative quantity: "lots"',
    );
    expect(bad({ capacity: { memory: '-1Gi' } })).toBe(
      'mock provider: capacity.memory is not a valid non-negative quantity: "-1Gi"',
    );
    expect(bad({ capacity: { pods: '1.5' } })).toBe(
      'mock provider: capacity.pods must be a whole number, got "1.5"',
    );
    expect(bad({ capacity: { 'bad name!': '1' } })).toBe(
      'mock provider: capacity has an invalid resource name "bad name!"',
    );
    expect(bad({ capacity: 5 })).toBe(
      'mock provider: capacity must be an object of quantities, got 5',
    );
    expect(bad({ rateLimit: { perSecond: 0, burst: 1 } })).toBe(
      'mock provider: rateLimit.perSecond must be a finite number > 0, got 0',
    );
    expect(bad({ rateLimit: [{ perSecond: 1, burst: 0.5 }] })).toBe(
      'mock provider: rateLimit[0].burst must be a whole number >= 1, got 0.5',
    );
    expect(bad({ pushStatus: 'yes' })).toBe(
      'mock provider: pushStatus must be a boolean, got "yes"',
    );
    expect(bad({ podIPBase: '10.0.0' })).toBe(
      'mock provider: podIPBase must be an IPv4 address, got "10.0.0"',
    );
    expect(bad({ addresses: [] })).toBe(
      'mock provider: addresses must be a non-empty list of { type, address }, got ',
    );
    expect(bad({ addresses: [{ type: 'InternalIP', address: 'not-an-ip' }] })).toBe(
      'mock provider: addresses[0].address must be an IP address for InternalIP, got "not-an-ip"',
    );
    expect(bad({ addresses: [{ type: 'Weird', address: '1.2.3.4' }] })).toBe(
      'mock provider: addresses[0].type must be one of InternalIP, ExternalIP, Hostname, InternalDNS, ExternalDNS, got "Weird"',
    );
    expect(bad({ addresses: [{ type: 'Hostname', address: 'vk' }] })).toBe(
      'mock provider: addresses must include an InternalIP or ExternalIP',
    );
    expect(bad({ logIntervalMs: 0 })).toBe(
      'mock provider: logIntervalMs must be at least 1, got 0',
    );
    expect(bad({ clock: { now: () => 0 } })).toBe(
      'mock provider: clock must have now() and setTimer(ms, fn)',
    );
    expect(bad({ logger: {} })).toBe(
      'mock provider: logger must have debug, info, warn, error and child',
    );
    // The store shape before takePods: a store holding its pods for good is refused.
    expect(
      bad({
        state: { pods: [], assignedIPs: 0, put: () => 0, drop: () => 0, flushed: () => 0 },
      }),
    ).toBe(
      'mock provider: state must be a store from openMockStateFile (takePods, assignedIPs, put, drop, flushed)',
    );
    expect(bad({ labels: { a: 1 } })).toBe('mock provider: labels.a must be a string, got 1');
    expect(bad({ nodeName: '' })).toBe(
      'mock provider: nodeName must be a non-empty string, got ""',
    );
    expect(bad({ startLatency: 5 })).toBe('mock provider: unknown option "startLatency"');
    expect(bad(null)).toBe('mock provider: options must be an object, got null');
  });

  it('rejects bad failure specs', () => {
    expect(bad({ failures: { launch: {} } })).toBe(
      'mock provider: unknown operation "launch"; known: createPod, updatePod, deletePod, getPod, getPodStatus, getPods, ping, updatePodVolumes, getContainerLogs, runInContainer, attachToContainer, portForward, getStatsSummary, getMetricsResource',
    );
    expect(bad({ failures: { createPod: { error: 'Oops' } } })).toBe(
      'mock provider: failures.createPod.error must be one of NotFound, InvalidInput, Unsupported, Throttled, Transient, AlreadyExists, Conflict, Gone, IllegalState, got "Oops"',
    );
    expect(bad({ failures: { createPod: { times: -1 } } })).toBe(
      'mock provider: failures.createPod.times must be a whole number >= 0, got -1',
    );
    expect(bad({ failures: { ping: { hang: 'yes' } } })).toBe(
      'mock provider: failures.ping.hang must be a boolean, got "yes"',
    );
    expect(bad({ failures: { getPod: { pod: 'web' } } })).toBe(
      'mock provider: failures.getPod.pod must be "namespace/name", got "web"',
    );
    expect(bad({ failures: { getPod: { retry: 1 } } })).toBe(
      'mock provider: failures.getPod has an unknown field "retry"',
    );
    expect(bad({ failures: { getPod: { message: 5 } } })).toBe(
      'mock provider: failures.getPod.message must be a string, got 5',
    );
  });

  it('are validated by createMockProvider', () => {
    expect(() => createMockProvider({ startLatencyMs: -5 })).toThrow(
      'mock provider: startLatencyMs must be a finite number >= 0, got -5',
    );
  });
});
