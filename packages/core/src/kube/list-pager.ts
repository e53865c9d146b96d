/**
 * Paginated lists: one page at a time with `limit` and `continue`, so a list of 10,000 pods
 * never arrives as one 15 MB answer. Every page of one list shares its resourceVersion; a
 * continue token that expired midway fails the whole list with a GoneError (start over).
 */
import type { KubeClient, ListOptions } from './kube-client.ts';
import type { ResourceRef } from './resource-ref.ts';
import type { KubeList, KubeObject } from './types.ts';

export interface PagedListOptions extends Omit<ListOptions, 'limit' | 'continue'> {
  /** Items per page. @default 500 */
  readonly pageSize?: number;
}

export async function* listPages<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  options: PagedListOptions,
): AsyncGenerator<KubeList<T>> {
  const { pageSize = 500, ...rest } = options;
  let token: string | undefined;
  do {
    const page: KubeList<T> = await client.list<T>(ref, {
      ...rest,
      limit: pageSize,
      ...(token !== undefined ? { continue: token } : {}),
    });
    yield page;
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
}
