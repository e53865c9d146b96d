/**
 * The mock's durable state, so a restarted virtual kubelet finds its pods still running in the
 * "backend", as it would with a cloud. A journal of JSON lines: every change of a pod appends the
 * pod's whole record, a removal appends its key. Changes are written together once per event-loop
 * turn, and createPod waits for that write, so a SIGKILL right after it returns loses nothing. The
 * file is compacted when opened if overtaken entries outnumber live ones or its last line is torn.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
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

interface Replayed {
  readonly pods: Map<string, PersistedPod>;
  readonly assignedIPs: number;
  /** Entries read, live or overtaken. */
  readonly entries: number;
  /** The file ended in a line a kill cut short. */
  readonly torn: boolean;
}

/**
 * Folds journal lines into the live pods. Only the file's unterminated last line may be torn (a
 * write cut by a kill) and is forgiven; any other line that is not an entry is an error.
 */
class JournalReplay {
  readonly pods = new Map<string, PersistedPod>();
  assignedIPs = 0;
  entries = 0;
  torn = false;
  // Parsed lines repeat most of their strings (namespaces, images, paths): kept once.
  readonly #strings = new StringPool();
  readonly #path: string;
  #lineNumber = 0;

  constructor(path: string) {
    this.#path = path;
  }

  line(raw: string, terminated: boolean): void {
    this.#lineNumber += 1;
    if (raw.trim() === '') return;
    if (!terminated) this.torn = true;
    let entry: unknown;
    try {
      entry = this.#strings.internAll(JSON.parse(raw));
    } catch (err) {
      if (!terminated) return;
      throw new InvalidInputError(
        `mock state file ${this.#path}: line ${this.#lineNumber} is not JSON`,
        { cause: err },
      );
    }
    if (isObject(entry) && isObject(entry.put) && typeof entry.put.key === 'string') {
      this.pods.set(entry.put.key, entry.put as unknown as PersistedPod);
      if (typeof entry.ips === 'number') this.assignedIPs = Math.max(this.assignedIPs, entry.ips);
    } else if (isObject(entry) && isObject(entry.drop) && typeof entry.drop.key === 'string') {
      if (this.pods.get(entry.drop.key)?.uid === entry.drop.uid) this.pods.delete(entry.drop.key);
    } else {
      throw new InvalidInputError(
        `mock state file ${this.#path}: line ${this.#lineNumber} is neither a "put" nor a "drop" entry`,
      );
    }
    this.entries += 1;
  }
}

/** Replays journal text into the live pods (see JournalReplay). */
export function replayJournal(text: string, path: string): Replayed {
  const replay = new JournalReplay(path);
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) replay.line(raw, i < lines.length - 1);
  return replay;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Replays the file a line at a time: the journal of 10,000 pods is some 50 MB, and read whole it
 * would be one string of that size on top of the pods parsed from it.
 */
async function readJournal(path: string): Promise<Replayed> {
  const replay = new JournalReplay(path);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return replay;
    throw new InvalidInputError(`mock state file ${path}: cannot read it`, { cause: err });
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    // The start of a line the last chunk cut, copied out of the reused chunk.
    let carried: Buffer | undefined;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      let start = 0;
      for (
        let nl = chunk.indexOf(10, 0);
        nl !== -1 && nl < bytesRead;
        nl = chunk.indexOf(10, start)
      ) {
        const line = carried
          ? Buffer.concat([carried, chunk.subarray(0, nl)]).toString('utf8')
          : chunk.toString('utf8', start, nl);
        carried = undefined;
        replay.line(line, true);
        start = nl + 1;
      }
      if (start < bytesRead) {
        const rest = chunk.subarray(start, bytesRead);
        carried = carried ? Buffer.concat([carried, rest]) : Buffer.from(rest);
      }
    }
    if (carried) replay.line(carried.toString('utf8'), false);
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw new InvalidInputError(`mock state file ${path}: cannot read it`, { cause: err });
  } finally {
    await handle.close();
  }
  return replay;
}

/** Writes the live pods as a compacted journal, in chunks of about a megabyte. */
async function writeCompacted(
  path: string,
  pods: Iterable<PersistedPod>,
  assignedIPs: number,
): Promise<void> {
  const handle = await open(path, 'w');
  try {
    let batch: string[] = [];
    let size = 0;
    for (const pod of pods) {
      const text = line({ put: pod, ips: assignedIPs });
      batch.push(text);
      size += text.length;
      if (size >= CHUNK_BYTES) {
        await handle.write(batch.join(''));
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) await handle.write(batch.join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens (or creates) the state file: replays it and appends from there on. A file with more
 * overtaken entries than live ones, or a torn last line (which the next append would run into),
 * is first rewritten compacted, through a temporary file and a rename, so a kill mid-way keeps the
 * old one. A file that is mostly live is kept as it is: rewriting 10,000 pods costs a second of
 * CPU on the way to the node's first lease.
 */
export async function openMockStateFile(path: string): Promise<MockStateFile> {
  const { pods, assignedIPs, entries, torn } = await readJournal(path);
  if (torn || entries > 2 * pods.size) {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeCompacted(temporary, pods.values(), assignedIPs);
    await rename(temporary, path);
  }
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
