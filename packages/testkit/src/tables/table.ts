/**
 * Server-side printing: the `meta.k8s.io/v1` Table kube-apiserver returns for
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, which is what `kubectl get` asks for.
 * The server always prints every column (wide); kubectl hides priority > 0 unless `-o wide`.
 */
import { ApiError } from '../api-error.ts';
import type { Json, KubeObject } from '../kube-object.ts';
import { goQuote } from '../selectors/go-format.ts';
import { resolveResourceKey } from '../selectors/resource-key.ts';
import {
  CREATED_DESCRIPTION,
  NAME_COLUMN,
  column,
  type ColumnDefinition,
  type PrintedRow,
  type Printer,
} from './columns.ts';
import {
  configMapPrinter,
  csrPrinter,
  eventPrinter,
  leasePrinter,
  namespacePrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core-printers.ts';
import { customResourcePrinter, type PrinterColumn } from './custom-resource.ts';
import { nodePrinter } from './node-printer.ts';
import { podPrinter } from './pod-printer.ts';

/** What each row's `object` holds: nothing, a PartialObjectMetadata, or the whole object. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  readonly includeObject: IncludeObject;
  /** The clock ages are measured against. */
  readonly now: Date;
  readonly listMeta: {
    readonly resourceVersion?: string;
    readonly continue?: string;
    readonly remainingItemCount?: number;
  };
  /** Omit column definitions (TableOptions.noHeaders); they serialize as null. */
  readonly noHeaders?: boolean;
  /** For a custom resource: its version's additionalPrinterColumns (none means just Age). */
  readonly customResource?: { readonly columns?: readonly PrinterColumn[] };
}

const PRINTERS: Readonly<Record<string, Printer>> = {
  pods: podPrinter,
  nodes: nodePrinter,
  namespaces: namespacePrinter,
  events: eventPrinter,
  'events.events.k8s.io': eventPrinter,
  secrets: secretPrinter,
  configmaps: configMapPrinter,
  services: servicePrinter,
  serviceaccounts: serviceAccountPrinter,
  'leases.coordination.k8s.io': leasePrinter,
  'certificatesigningrequests.certificates.k8s.io': csrPrinter,
};

/**
 * rest.NewDefaultTableConvertor, used by built-in kinds without a printer: Name and an absolute
 * "Created At" timestamp. Unlike printers it leaves `rows` null for an empty list.
 */
const DEFAULT_PRINTER: Printer = {
  columns: [NAME_COLUMN, column('Created At', 'date', CREATED_DESCRIPTION)],
  row: obj => ({ cells: [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? null] }),
};

/**
 * The includeObject query parameter; absent or empty means Metadata.
 * @throws ApiError 400 for any other value, as the apiserver does.
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObject {
  if (value === null || value === undefined || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw ApiError.badRequest(`unrecognized includeObject value: ${goQuote(value)}`);
}

function printerFor(resource: string, options: TableOptions): Printer {
  if (options.customResource !== undefined) {
    return customResourcePrinter(options.customResource.columns);
  }
  const key = resolveResourceKey(resource, Object.keys(PRINTERS));
  return (key === undefined ? undefined : PRINTERS[key]) ?? DEFAULT_PRINTER;
}

/** Which printer a resource gets: its own, the default Name/Created At, or a custom resource's. */
export function printedColumns(
  resource: string,
  options?: Pick<TableOptions, 'customResource'>,
): readonly ColumnDefinition[] {
  return printerFor(resource, { includeObject: 'None', now: new Date(0), listMeta: {}, ...options })
    .columns;
}

function toJsonValue(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

/** meta.AsPartialObjectMetadata: the object's metadata under the Table's group version. */
function partialObjectMetadata(obj: KubeObject): Json {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: toJsonValue(obj.metadata),
  };
}

function rowJson(printed: PrintedRow, obj: KubeObject, include: IncludeObject): Json {
  const row: Record<string, Json> = { cells: printed.cells };
  if (printed.conditions !== undefined && printed.conditions.length > 0) {
    row.conditions = printed.conditions.map(c => ({ ...c }));
  }
  // A RawExtension with nothing in it still serializes, as null.
  row.object =
    include === 'None'
      ? null
      : include === 'Metadata'
        ? partialObjectMetadata(obj)
        : toJsonValue(obj);
  return row;
}

function columnJson(c: ColumnDefinition): Json {
  return {
    name: c.name,
    type: c.type,
    format: c.format,
    description: c.description,
    priority: c.priority,
  };
}

/**
 * A `meta.k8s.io/v1` Table of `objects` for a list (or, with one object, a get) of `resource`,
 * named as in resolveResourceKey ("pods", "leases", "events.events.k8s.io", ...).
 */
export function toTable(
  resource: string,
  objects: readonly KubeObject[],
  options: TableOptions,
): Json {
  const printer = printerFor(resource, options);
  const metadata: Record<string, Json> = {};
  const { resourceVersion, continue: continueToken, remainingItemCount } = options.listMeta;
  if (resourceVersion !== undefined && resourceVersion !== '') {
    metadata.resourceVersion = resourceVersion;
  }
  if (continueToken !== undefined && continueToken !== '') metadata.continue = continueToken;
  if (remainingItemCount !== undefined) metadata.remainingItemCount = remainingItemCount;
  const rows = objects.map(obj =>
    rowJson(printer.row(obj, options.now), obj, options.includeObject),
  );
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.noHeaders === true ? null : printer.columns.map(columnJson),
    rows: printer === DEFAULT_PRINTER && rows.length === 0 ? null : rows,
  };
}

/** The Table for a GET of one object: one row, and the object's resourceVersion. */
export function singleObjectTable(
  resource: string,
  object: KubeObject,
  options: Omit<TableOptions, 'listMeta'>,
): Json {
  return toTable(resource, [object], {
    ...options,
    listMeta: { resourceVersion: object.metadata.resourceVersion ?? '' },
  });
}
