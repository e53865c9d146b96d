import { InvalidInputError, silentLogger } from '@vkubelet/core';
import { describe, expect, it } from 'vitest';
import { mockOptionsFromConfig } from './provider-config.ts';

describe(mockOptionsFromConfig, () => {
  it('reads upstream mock configs keyed by node name', () => {
    const text = JSON.stringify({
      'vk-1': {
        cpu: '8',
        memory: '32Gi',
        pods: 50,
        others: { 'nvidia.com/gpu': '2' },
        providerID: 'mock://vk-1',
      },
    });
    expect(mockOptionsFromConfig(text, 'vk-1', silentLogger)).toEqual({
      capacity: { cpu: '8', memory: '32Gi', pods: '50', 'nvidia.com/gpu': '2' },
      providerID: 'mock://vk-1',
    });
  });

  it('takes the state file path apart from the mock options', () => {
    const text = JSON.stringify({ 'vk-1': { stateFile: '/var/lib/vk/state.jsonl', cpu: '2' } });
    expect(mockOptionsFromConfig(text, 'vk-1', silentLogger)).toEqual({
      capacity: { cpu: '2' },
      stateFile: '/var/lib/vk/state.jsonl',
    });
    expect(() => mockOptionsFromConfig('{"vk-1": {"stateFile": 3}}', 'vk-1', silentLogger)).toThrow(
      '--provider-config: "vk-1.stateFile" must be a file path',
    );
  });

  it('accepts the mock behaviour options, in YAML too', () => {
    const text =
      'vk-1:\n  startLatencyMs: 250\n  pushStatus: false\n  rateLimit: { perSecond: 20, burst: 100 }\n';
    expect(mockOptionsFromConfig(text, 'vk-1', silentLogger)).toEqual({
      startLatencyMs: 250,
      pushStatus: false,
      rateLimit: { perSecond: 20, burst: 100 },
    });
  });

  it('uses defaults without a file or without an entry for the node', () => {
    expect(mockOptionsFromConfig(undefined, 'vk-1', silentLogger)).toEqual({});
    expect(mockOptionsFromConfig('{"other": {"cpu": "1"}}', 'vk-1', silentLogger)).toEqual({});
  });

  it('rejects malformed files and unknown keys with clear errors', () => {
    expect(() => mockOptionsFromConfig('{not json', 'vk-1', silentLogger)).toThrow(
      InvalidInputError,
    );
    expect(() => mockOptionsFromConfig('[1,2]', 'vk-1', silentLogger)).toThrow(
      '--provider-config: expected an object keyed by node name',
    );
    expect(() => mockOptionsFromConfig('{"vk-1": {"cpus": "1"}}', 'vk-1', silentLogger)).toThrow(
      '--provider-config: unknown key(s) for "vk-1": cpus',
    );
    expect(() =>
      mockOptionsFromConfig('{"vk-1": {"cpu": {"a": 1}}}', 'vk-1', silentLogger),
    ).toThrow('"vk-1.cpu" must be a quantity');
  });
});
