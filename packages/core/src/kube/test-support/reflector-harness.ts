/**
 * Drives a Reflector against a testkit server for the fault tests: a recorder that checks every
 * handler call against a model of what the handlers have seen (an add of something known, an
 * update from a version never delivered, a no-op update or a delete of something unknown is a
 * violation), and helpers to mutate the server and wait until cache, model and server agree.
 */
import type { ConfigMap } from 'kubernetes-types/core/v1.d.ts';
import { isNotFound } from '../../errors/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { systemSleep, type Sleep } from '../clock.ts';
import { HttpKubeClient } from '../http-kube-client.ts';
import type { RequestInfo } from '../kube-client.ts';
import { Reflector, type ReflectorOptions } from '../reflector.ts';
import { Resources, type ResourceRef } from '../resource-ref.ts';
import type { TestkitProcess } from '@vkubelet/testkit';

export const SELECTOR = 'owner=reflector-test';
const signal = new AbortController().signal;

export interface Delivery {
  readonly type: 'add' | 'update' | 'delete';
  readonly name: string;
  /** The delivered object's version (for deletes, the final state's). */
  readonly rv: string;
}

export class Recorder {
  readonly deliveries: Delivery[] = [];
  readonly violations: string[] = [];
  /** name → resourceVersion, as the handlers were told. */
  readonly model = new Map<string, string>();

  readonly handlers = {
    onAdd: (o: ConfigMap): void => {
      const { name, rv } = identity(o);
      if (this.model.has(name)) this.violations.push(`add of known ${name}@${rv}`);
      this.model.set(name, rv);
      this.deliveries.push({ type: 'add', name, rv });
    },
    onUpdate: (old: ConfigMap, o: ConfigMap): void => {
      const { name, rv } = identity(o);
      const before = identity(old).rv;
      if (this.model.get(name) !== before) {
        this.violations.push(
          `update of ${name} from ${before}, but handlers saw ${this.model.get(name) ?? 'nothing'}`,
        );
      }
      if (before === rv) this.violations.push(`no-op update of ${name}@${rv}`);
      this.model.set(name, rv);
      this.deliveries.push({ type: 'update', name, rv });
    },
    onDelete: (o: ConfigMap): void => {
      const { name, rv } = identity(o);
      if (!this.model.delete(name)) this.violations.push(`delete of unknown ${name}`);
      this.deliveries.push({ type: 'delete', name, rv });
    },
  };
}

function identity(o: ConfigMap): { name: string; rv: string } {
  return { name: o.metadata?.name ?? '?', rv: o.metadata?.resourceVersion ?? '?' };
}

export interface LogRecord {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export interface Harness {
  readonly ns: string;
  readonly userAgent: string;
  readonly ref: ResourceRef;
  readonly reflector: Reflector<ConfigMap>;
  readonly recorder: Recorder;
  readonly requests: (RequestInfo & { at: number })[];
  readonly sleeps: number[];
  readonly logs: LogRecord[];
  /** Creates or updates a labelled ConfigMap; resolves with its new resourceVersion. */
  put(name: string, value: string): Promise<string>;
  remove(name: string): Promise<void>;
  /** Waits until the reflector's cache, the handlers' model and the server agree. */
  converged(timeoutMs?: number): Promise<void>;
  /** Waits for `predicate`, polling. */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  count(verb: string, code?: number): number;
  stop(): Promise<void>;
}

export async function startHarness(
  kit: TestkitProcess,
  admin: HttpKubeClient,
  name: string,
  overrides: Partial<ReflectorOptions<ConfigMap>> = {},
  beforeRun: (ns: string) => Promise<void> = () => Promise.resolve(),
): Promise<Harness> {
  const ns = `reflector-${name}`;
  const userAgent = `reflector-test/${name}`;
  await admin.create(Resources.namespaces, { metadata: { name: ns } }, { signal });
  const ref: ResourceRef = { ...Resources.configMaps, namespace: ns };
  const requests: Harness['requests'] = [];
  const sleeps: number[] = [];
  const logs: LogRecord[] = [];
  const logger: Logger = {
    debug: (fields, message) => logs.push({ level: 'debug', message, fields }),
    info: (fields, message) => logs.push({ level: 'info', message, fields }),
    warn: (fields, message) => logs.push({ level: 'warn', message, fields }),
    error: (fields, message) => logs.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  const sleep: Sleep = (ms, s) => {
    sleeps.push(ms);
    return systemSleep(ms, s);
  };
  const client = await HttpKubeClient.fromKubeconfig({
    path: kit.kubeconfigPath,
    userAgent,
    qps: Infinity,
    timeoutMs: 5_000,
    onRequest: info => requests.push({ ...info, at: Date.now() }),
  });
  const recorder = new Recorder();
  const reflector = new Reflector<ConfigMap>({
    client,
    ref,
    labelSelector: SELECTOR,
    handlers: recorder.handlers,
    backoff: { initialMs: 50, maxMs: 400, jitter: 0 },
    logger,
    sleep,
    ...overrides,
  });

  const until = async (
    predicate: () => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await systemSleep(10);
    }
  };

  await beforeRun(ns);
  const controller = new AbortController();
  const running = reflector.run(controller.signal);
  await reflector.synced;

  const put = async (objectName: string, value: string): Promise<string> => {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: objectName, labels: { owner: 'reflector-test' } },
      data: { value },
    };
    try {
      const current = await admin.get<ConfigMap>({ ...ref, name: objectName }, { signal });
      const updated = await admin.update<ConfigMap>(
        { ...ref, name: objectName },
        { ...current, data: { value } },
        { signal },
      );
      return updated.metadata?.resourceVersion ?? '';
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const created = await admin.create<ConfigMap>(ref, body, { signal });
      return created.metadata?.resourceVersion ?? '';
    }
  };

  const serverState = async (): Promise<Map<string, string>> => {
    const list = await admin.list<ConfigMap>(ref, { signal, labelSelector: SELECTOR });
    return new Map(
      list.items.map(c => [c.metadata?.name ?? '', c.metadata?.resourceVersion ?? '']),
    );
  };

  const same = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean =>
    a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

  return {
    ns,
    userAgent,
    ref,
    reflector,
    recorder,
    requests,
    sleeps,
    logs,
    put,
    remove: async objectName => {
      await admin.delete({ ...ref, name: objectName }, { signal });
    },
    converged: async (timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const server = await serverState();
        const cache = new Map(
          reflector.list().map(c => [c.metadata?.name ?? '', c.metadata?.resourceVersion ?? '']),
        );
        if (same(server, cache) && same(server, recorder.model)) return;
        if (Date.now() > deadline) {
          throw new Error(
            `never converged: server ${JSON.stringify([...server])}, cache ${JSON.stringify([...cache])}, handlers ${JSON.stringify([...recorder.model])}`,
          );
        }
        await systemSleep(25);
      }
    },
    until,
    count: (verb, code) =>
      requests.filter(r => r.verb === verb && (code === undefined || r.code === code)).length,
    stop: async () => {
      controller.abort();
      await running;
      client.close();
    },
  };
}
