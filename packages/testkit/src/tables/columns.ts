/**
 * meta.k8s.io/v1 TableColumnDefinition and the pieces every printer shares. Priority 0 columns
 * show in `kubectl get`; priority 1 columns only with `-o wide`.
 */
import type { Json, KubeObject } from '../kube-object.ts';

export interface ColumnDefinition {
  readonly name: string;
  /** An OpenAPI type: string, integer, number, boolean or date. */
  readonly type: string;
  /** An OpenAPI format; "name" marks the column holding the object's name. */
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export function column(
  name: string,
  type: string,
  description: string,
  options: { readonly format?: string; readonly priority?: number } = {},
): ColumnDefinition {
  return { name, type, format: options.format ?? '', description, priority: options.priority ?? 0 };
}

export const NAME_DESCRIPTION =
  'The name of the object, unique among objects of its kind in its namespace (or in the cluster, for cluster-scoped kinds). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

export const CREATED_DESCRIPTION =
  'When the server created the object, as an RFC3339 time in UTC. Set by the system; read-only.';

export const NAME_COLUMN = column('Name', 'string', NAME_DESCRIPTION, { format: 'name' });
export const AGE_COLUMN = column('Age', 'string', CREATED_DESCRIPTION);

/** The metav1.TableRowCondition a printer may attach to a row. */
export interface RowCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface PrintedRow {
  readonly cells: Json[];
  readonly conditions?: readonly RowCondition[];
}

/** A server-side printer: its columns, and one row of cells per object. */
export interface Printer {
  readonly columns: readonly ColumnDefinition[];
  row(obj: KubeObject, now: Date): PrintedRow;
}
