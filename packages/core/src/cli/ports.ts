/**
 * Kubelet API ports for the nodes of one process: each needs its own. A node either has an
 * explicit port (its config-file entry's `kubeletPort`) or takes the next free one counting up
 * from the base port (`--kubelet-port`, top-level `kubeletPort`, `$KUBELET_PORT`, 10250),
 * skipping explicit ports and the metrics port. `--kubelet-port` on the command line overrides
 * the file, so then every node counts up from it.
 */
import { CliUsageError } from './errors.ts';
import type { Sourced } from './layer.ts';

export interface PortRequest {
  /** The node's name, for messages. */
  readonly nodeName: string;
  readonly explicit: Sourced<number> | undefined;
}

export function assignPorts(
  requests: readonly PortRequest[],
  base: Sourced<number> | undefined,
  metrics: Sourced<number> | undefined,
): number[] {
  const taken = new Map<number, string>();
  for (const { nodeName, explicit } of requests) {
    if (explicit === undefined) continue;
    const owner = taken.get(explicit.value);
    if (owner !== undefined) {
      throw new CliUsageError(
        `${explicit.where}: port ${explicit.value} is already the kubelet port of node ${JSON.stringify(owner)}`,
      );
    }
    if (explicit.value === metrics?.value) {
      throw new CliUsageError(
        `${explicit.where}: port ${explicit.value} is also the metrics port (${metrics.where})`,
      );
    }
    taken.set(explicit.value, nodeName);
  }
  const first = base?.value ?? 10250;
  if (first === metrics?.value) {
    throw new CliUsageError(
      `kubelet port ${first} (${base?.where ?? 'default'}) is also the metrics port (${metrics.where})`,
    );
  }
  let next = first;
  return requests.map(({ nodeName, explicit }) => {
    if (explicit !== undefined) return explicit.value;
    while (taken.has(next) || next === metrics?.value) next++;
    if (next > 65535) {
      throw new CliUsageError(
        `no free kubelet port for node ${JSON.stringify(nodeName)}: counting up from ${first} passed 65535`,
      );
    }
    taken.set(next, nodeName);
    return next++;
  });
}
