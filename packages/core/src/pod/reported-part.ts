import type { Pod } from 'kubernetes-types/core/v1.d.ts';

/**
 * What a report is kept for until it is written: its status and the metadata writeStatus reads.
 * A polling provider builds whole new pods every round; keeping them would hold a second full
 * copy of every pod.
 */
export function reportedPart(pod: Pod): Pod {
  const m = pod.metadata ?? {};
  return {
    metadata: {
      ...(m.namespace !== undefined && { namespace: m.namespace }),
      ...(m.name !== undefined && { name: m.name }),
      ...(m.uid !== undefined && { uid: m.uid }),
      ...(m.annotations !== undefined && { annotations: m.annotations }),
      ...(m.deletionTimestamp !== undefined && { deletionTimestamp: m.deletionTimestamp }),
      ...(m.deletionGracePeriodSeconds !== undefined && {
        deletionGracePeriodSeconds: m.deletionGracePeriodSeconds,
      }),
    },
    ...(pod.status !== undefined && { status: pod.status }),
  };
}
