/** The node printer: STATUS from the Ready condition plus cordoning, ROLES from role labels. */
import type { KubeObject } from '../kube-object.ts';
import { at, list, str } from '../selectors/object-access.ts';
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from './columns.ts';
import { timestampSince } from './duration.ts';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

const ADDRESSES_DESCRIPTION =
  "The node's reachable addresses (InternalIP, ExternalIP, Hostname, ...), as reported by the node.";

const COLUMNS = [
  NAME_COLUMN,
  column('Status', 'string', 'The status of the node'),
  column('Roles', 'string', 'The roles of the node'),
  AGE_COLUMN,
  column('Version', 'string', 'The kubelet version the node reports.'),
  column('Internal-IP', 'string', ADDRESSES_DESCRIPTION, { priority: 1 }),
  column('External-IP', 'string', ADDRESSES_DESCRIPTION, { priority: 1 }),
  column('OS-Image', 'string', 'The operating system image the node reports.', { priority: 1 }),
  column('Kernel-Version', 'string', 'The kernel version the node reports (uname -r).', {
    priority: 1,
  }),
  column('Container-Runtime', 'string', 'The container runtime and its version, as reported.', {
    priority: 1,
  }),
];

/** Ready/NotReady/Unknown from the Ready condition, then SchedulingDisabled when cordoned. */
export function nodeStatus(node: KubeObject): string {
  const status: string[] = [];
  // Only the Ready condition is shown; if it appears twice the later one wins, as in Go's map.
  const ready = list(at(node, 'status', 'conditions'))
    .filter(c => str(at(c, 'type')) === 'Ready')
    .at(-1);
  if (ready !== undefined) status.push(str(at(ready, 'status')) === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (at(node, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** Sorted roles from `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`. */
export function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX)) {
      const role = key.slice(ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (key === ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function firstAddress(node: KubeObject, type: string): string {
  const address = list(at(node, 'status', 'addresses')).find(a => str(at(a, 'type')) === type);
  return address === undefined ? '<none>' : str(at(address, 'address'));
}

export const nodePrinter: Printer = {
  columns: COLUMNS,
  row(node, now) {
    const info = at(node, 'status', 'nodeInfo');
    return {
      cells: [
        node.metadata.name ?? '',
        nodeStatus(node),
        nodeRoles(node),
        timestampSince(node.metadata.creationTimestamp, now),
        str(at(info, 'kubeletVersion')),
        firstAddress(node, 'InternalIP'),
        firstAddress(node, 'ExternalIP'),
        str(at(info, 'osImage')) || '<unknown>',
        str(at(info, 'kernelVersion')) || '<unknown>',
        str(at(info, 'containerRuntimeVersion')) || '<unknown>',
      ],
    };
  },
};
