/** Server-side printing (`as=Table`) with kube-apiserver's columns and cell formats. */
export {
  parseIncludeObject,
  printedColumns,
  singleObjectTable,
  toTable,
  type IncludeObject,
  type TableOptions,
} from './table.ts';
export type { ColumnDefinition } from './columns.ts';
export type { PrinterColumn } from './custom-resource.ts';
export { humanDuration } from './duration.ts';
export { summarizePod } from './pod-printer.ts';
export { nodeRoles, nodeStatus } from './node-printer.ts';
