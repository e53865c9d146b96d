/**
 * The mock's durable state, so a restarted virtual kubelet finds its pods still running in the
 * "backend", as it would with a cloud. A journal of JSON lines: every change of a pod appends the
 * pod's whole record, a removal appends its key. Changes are written together once per event-loop
 * turn, and createPod waits for that write, so a SIGKILL right after it returns loses nothing. The
 * file is compacted when opened.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { InvalidInputError, StringPool } from '@vkubelet/core';
import type { PersistedPod } from './persisted-pod.ts';

/** What the runtime starts from and where it records its changes. */
export interface MockStateStore {
  /**
   * The pods alive when the store was opened, handed over once (later calls return none): the
   * store must not hold a second copy of every pod for the life of the process.
   */
  takePods(): readonly PersistedPod[];
  /** How many pod IPs were handed out, so a restart never reuses one. */
  readonly assignedIPs: number;
  put(pod: PersistedPod, assignedIPs: number): void;
  drop(key: string, uid: string): void;
  /** Resolves once everything put or dropped so far is written. */
  flushed(): Promise<void>;
}

export interface MockStateFile extends MockStateStore {
  readonly path: string;
  /** How many pods the file held when opened. */
  readonly restoredCount: number;
  close(): void;
}

type JournalEntry =
  | { readonly put: PersistedPod; readonly ips: number }
  | { readonly drop: { readonly key: string; readonly uid: string } };

const line = (entry: JournalEntry): string => `${JSON.stringify(entry)}\n`;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Replays the journal text into the live pods; only a torn last line (a write cut by a kill) is forgiven. */
export function replayJournal(
  text: string,
  path: string,
): { pods: Map<string, PersistedPod>; assignedIPs: number } {
  const pods = new Map<string, PersistedPod>();
  // Parsed lines repeat most of their strings (namespaces, images, paths): kept once.
  const strings = new StringPool();
  let assignedIPs = 0;
  const lines = text.split('\n');
  const last = lines.length - 1;
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    let entry: unknown;
    try {
      entry = strings.internAll(JSON.parse(raw));
    } catch (err) {
      if (i === last) break;
      throw new InvalidInputError(`mock state file ${path}: line ${i + 1} is not JSON`, {
        cause: err,
      });
    }
    if (isObject(entry) && isObject(entry.put) && typeof entry.put.key === 'string') {
      pods.set(entry.put.key, entry.put as unknown as PersistedPod);
      if (typeof entry.ips === 'number') assignedIPs = Math.max(assignedIPs, entry.ips);
    } else if (isObject(entry) && isObject(entry.drop) && typeof entry.drop.key === 'string') {
      if (pods.get(entry.drop.key)?.uid === entry.drop.uid) pods.delete(entry.drop.key);
    } else {
      throw new InvalidInputError(
        `mock state file ${path}: line ${i + 1} is neither a "put" nor a "drop" entry`,
      );
    }
  }
  return { pods, assignedIPs };
}

/**
 * Opens (or creates) the state file: replays it, rewrites it compacted (through a temporary file
 * and a rename, so a kill mid-way keeps the old one) and appends from there on.
 */
export async function openMockStateFile(path: string): Promise<MockStateFile> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new InvalidInputError(`mock state file ${path}: cannot read it`, { cause: err });
    }
  }
  const { pods, assignedIPs } = replayJournal(text, path);
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    for (const pod of pods.values()) await handle.write(line({ put: pod, ips: assignedIPs }));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  let fd: number | undefined = openSync(path, 'a');
  // Per pod key, only its last entry of a turn is written (a create that starts at once is one
  // line), and serialized only then.
  let pending = new Map<string, JournalEntry>();
  let waiters: (() => void)[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const text = [...pending.values()].map(line).join('');
    const done = waiters;
    pending = new Map();
    waiters = [];
    // Closed at shutdown: what happens after is not kept.
    if (fd !== undefined && text !== '') writeSync(fd, text);
    for (const resolve of done) resolve();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  const append = (key: string, entry: JournalEntry): void => {
    pending.delete(key); // re-inserted last, so entries keep the order of their last change
    pending.set(key, entry);
    schedule();
  };
  let restored: PersistedPod[] | undefined = [...pods.values()];
  return {
    path,
    restoredCount: restored.length,
    takePods() {
      const taken = restored ?? [];
      restored = undefined;
      return taken;
    },
    assignedIPs,
    put(pod, ips) {
      append(pod.key, { put: pod, ips });
    },
    drop(key, uid) {
      append(key, { drop: { key, uid } });
    },
    flushed() {
      if (!scheduled) return Promise.resolve();
      return new Promise(resolve => waiters.push(resolve));
    },
    close() {
      if (scheduled) flush();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
