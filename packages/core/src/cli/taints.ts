/**
 * A node's taints, as upstream computes them plus kubelet's `--register-with-taints`: the
 * provider taint `<key>=<value>:<effect>` (key `virtual-kubelet.io/provider`, value the provider
 * name, effect NoSchedule unless `--taint`/`--taint-value`/`--taint-effect` or
 * `$VKUBELET_TAINT_KEY`/`_VALUE`/`_EFFECT` say otherwise), none with `--disable-taint`, then the
 * extra taints. The effect is validated even when the taint is disabled: a typo in it is still
 * a mistake worth hearing about.
 */
import type { Taint } from 'kubernetes-types/core/v1.d.ts';
import { CliUsageError } from './errors.ts';
import type { Sourced } from './layer.ts';
import type { SettingKey, SettingValue } from './settings.ts';

export const DEFAULT_TAINT_KEY = 'virtual-kubelet.io/provider';

type Get = <K extends SettingKey>(key: K) => Sourced<SettingValue<K>> | undefined;

export function nodeTaints(get: Get, provider: string, nodeWhere: string): Taint[] {
  const effect = get('taintEffect')?.value ?? 'NoSchedule';
  const extra = get('registerWithTaints')?.value ?? [];
  const taints: Taint[] = [];
  if (get('disableTaint')?.value !== true) {
    const key = get('taint')?.value ?? DEFAULT_TAINT_KEY;
    const value = get('taintValue')?.value ?? provider;
    taints.push(value === '' ? { key, effect } : { key, value, effect });
  }
  for (const taint of extra) {
    // The API server rejects a Node with two taints of the same key and effect.
    if (taints.some(t => t.key === taint.key && t.effect === taint.effect)) {
      const where = get('registerWithTaints')?.where ?? nodeWhere;
      throw new CliUsageError(
        `${where}: more than one taint with key ${JSON.stringify(taint.key)} and effect ${taint.effect}`,
      );
    }
    taints.push(taint);
  }
  return taints;
}
