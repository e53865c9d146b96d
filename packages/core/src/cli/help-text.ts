/**
 * The part of `--help` after the flag list: precedence, the config-file schema with an example,
 * and what is accepted only for compatibility.
 */
import { NODE_KEYS } from './config-file.ts';
import type { AppInfo } from './types.ts';

const WIDTH = 98;

function wrap(paragraph: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line].join('\n');
}

export function helpEpilogue(app: AppInfo): string {
  return `Precedence: flag, then config file, then environment variable, then default.
Boolean flags also take --flag=true or --flag=false, as upstream's do.

Config file (--config vk.yaml, YAML or JSON): any setting above, named as its flag in camelCase
(--pod-sync-workers is podSyncWorkers; --nodename is nodeName). Paths are relative to the file,
durations are Go durations (30s, 1m30s). Unknown keys are errors. A "nodes" list runs several
virtual nodes in one process, each with its own lease, taints and kubelet port. An entry may set
${wrap(`${NODE_KEYS.join(', ')}; each overrides the top level, and kubeletPort defaults to consecutive ports. Example:`)}

  kubeconfig: /etc/${app.name}/kubeconfig
  kubeApiQps: 100
  nodeStatusUpdateFrequency: 1m
  nodeLabels: { topology.kubernetes.io/region: west }
  nodes:
    - nodeName: ${app.name}-a
      providerConfig: a.toml
    - nodeName: ${app.name}-b
      providerConfig: b.toml
      registerWithTaints: ["dedicated=batch:NoSchedule"]

Tracing: the flags are validated (otlp is the only exporter accepted), but sending traces
is not implemented yet: a configured exporter is reported in the log and nothing is sent.

Also accepted and ignored, for upstream compatibility: --klog.<flag> (klog's flags).`;
}
