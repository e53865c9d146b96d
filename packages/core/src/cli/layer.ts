/**
 * A layer is the settings one source gave (flags, config file, one node entry of it, the
 * environment), already parsed, each value remembering where it came from so that a later
 * cross-setting check can still name the flag, key or variable at fault.
 */
import { at } from './errors.ts';
import {
  SETTING_KEYS,
  SETTINGS,
  settingOf,
  type SettingKey,
  type SettingValue,
} from './settings.ts';

export interface Sourced<T> {
  readonly value: T;
  /** `--pod-sync-workers`, `KUBELET_PORT`, `vk.yaml: nodes[1].kubeletPort`. */
  readonly where: string;
}

export type Layer = { [K in SettingKey]?: Sourced<SettingValue<K>> };

export function parseInto(layer: Layer, key: SettingKey, raw: unknown, where: string): void {
  let value: unknown;
  try {
    value = settingOf(key).parse(raw);
  } catch (err) {
    throw at(where, err);
  }
  // The parser of `key` produced it, so it is that setting's type.
  (layer as Record<SettingKey, Sourced<unknown>>)[key] = { value, where };
}

/**
 * The settings given as environment variables; empty ones count as unset, like upstream. Those
 * in `overridden` are not even parsed: a stray variable (Kubernetes injects `KUBELET_PORT=tcp://…`
 * for a Service named kubelet) must not fail a start whose flags or file set the value.
 */
export function envLayer(env: NodeJS.ProcessEnv, overridden: readonly Layer[] = []): Layer {
  const layer: Layer = {};
  for (const key of SETTING_KEYS) {
    if (overridden.some(l => l[key] !== undefined)) continue;
    const s = settingOf(key);
    if (s.env === undefined) continue;
    const raw = env[s.env];
    if (raw === undefined || (raw === '' && s.keepEmptyEnv !== true)) continue;
    parseInto(layer, key, raw, s.env);
  }
  return layer;
}

/** The settings given as flags: raw values by key, as the argv parser collected them. */
export function flagLayer(raw: ReadonlyMap<SettingKey, unknown>): Layer {
  const layer: Layer = {};
  for (const [key, value] of raw) parseInto(layer, key, value, `--${SETTINGS[key].flag}`);
  return layer;
}

/** The first layer that has `key`: pass them highest precedence first. */
export function pick<K extends SettingKey>(
  key: K,
  ...layers: readonly (Layer | undefined)[]
): Sourced<SettingValue<K>> | undefined {
  for (const layer of layers) {
    const found = layer?.[key];
    if (found !== undefined) return found;
  }
  return undefined;
}
