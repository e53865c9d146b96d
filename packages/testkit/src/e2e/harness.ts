/**
 * The harness of the kubectl end-to-end suite: the standalone `vk-testkit` server in a process
 * of its own, the real kubectl run against it (stdout, stderr and exit code kept apart), and a
 * reader for kubectl's column-aligned tables.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/vk-testkit.js', import.meta.url));

/** How a child process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface CommandResult extends ExitStatus {
  readonly stdout: string;
  readonly stderr: string;
}

export interface StandaloneServer {
  readonly url: string;
  readonly kubeconfig: string;
  readonly pid: number;
  /** Stderr so far (the server logs controller failures there as JSON lines). */
  readonly stderr: () => string;
  /** SIGTERM, then how the process ended (SIGKILL if it has not exited after `graceMs`). */
  stop(graceMs?: number): Promise<ExitStatus>;
}

function exitOf(child: ChildProcess): Promise<ExitStatus> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise(resolve => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
}

async function terminate(child: ChildProcess, graceMs: number): Promise<ExitStatus> {
  const exited = exitOf(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>(resolve => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([exited, killed]);
  clearTimeout(timer);
  return exited;
}

/**
 * Spawns `vk-testkit --port 0 --kubeconfig-out <file>` with this Node and waits for the one JSON
 * line it prints once it listens.
 */
export function startStandaloneServer(
  kubeconfigPath: string,
  timeoutMs = 30_000,
): Promise<StandaloneServer> {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--kubeconfig-out', kubeconfigPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise<StandaloneServer>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`vk-testkit ${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const timer = setTimeout(() => {
      fail(`printed no JSON line within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once('error', err => {
      fail(`did not start: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      fail(`exited before listening (code ${String(code)}, signal ${String(signal)})`);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      let line: unknown;
      try {
        line = JSON.parse(stdout.slice(0, newline));
      } catch {
        fail('printed a first line that is not JSON');
        return;
      }
      const { url, kubeconfig, pid } = (line ?? {}) as Record<string, unknown>;
      if (typeof url !== 'string' || typeof kubeconfig !== 'string' || typeof pid !== 'number') {
        fail('printed a line without url, kubeconfig and pid');
        return;
      }
      resolve({
        url,
        kubeconfig,
        pid,
        stderr: () => stderr,
        stop: (graceMs = 10_000) => terminate(child, graceMs),
      });
    });
  });
}

export interface RunOptions {
  /** Written to stdin, which is then closed (for `-f -`). */
  readonly input?: string;
  /** The command is killed and the run rejected after this long. */
  readonly timeoutMs?: number;
}

/** A kubectl started in the background (`get -w`, `wait`) whose output is watched as it comes. */
export class BackgroundCommand {
  private out = '';
  private err = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly listeners = new Set<() => void>();
  private readonly exited: Promise<ExitStatus>;
  readonly description: string;

  constructor(child: ChildProcessWithoutNullStreams, description: string) {
    this.child = child;
    this.description = description;
    this.exited = exitOf(child);
    const notify = (): void => {
      for (const listener of this.listeners) listener();
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.out += chunk;
      notify();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.err += chunk;
      notify();
    });
    void this.exited.then(notify);
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private waitFor(
    stream: 'stdout' | 'stderr',
    pattern: RegExp,
    timeoutMs: number,
  ): Promise<RegExpExecArray> {
    const read = (): string => (stream === 'stdout' ? this.out : this.err);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(read());
        if (match) {
          done();
          resolve(match);
        } else if (!this.running) {
          done();
          reject(this.failure(`exited before its ${stream} matched ${String(pattern)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(this.failure(`${stream} did not match ${String(pattern)} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves with the first match once stdout matches `pattern`. */
  waitForStdout(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return this.waitFor('stdout', pattern, timeoutMs);
  }

  /** Resolves with the first match once stderr matches `pattern` (`-v=6` request logs). */
  waitForStderr(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return this.waitFor('stderr', pattern, timeoutMs);
  }

  /** The result once the command ends by itself; rejects (and kills it) after `timeoutMs`. */
  async result(timeoutMs = 15_000): Promise<CommandResult> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(this.failure(`did not exit within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const status = await Promise.race([this.exited, timedOut]);
      return { ...status, stdout: this.out, stderr: this.err };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the command (SIGTERM, then SIGKILL) and returns what it printed. */
  async stop(): Promise<CommandResult> {
    const status = await terminate(this.child, 5_000);
    return { ...status, stdout: this.out, stderr: this.err };
  }

  private failure(why: string): Error {
    return new Error(
      `${this.description} ${why}\n--- stdout\n${this.out}\n--- stderr\n${this.err}`,
    );
  }
}

/** Runs one kubectl binary against one kubeconfig, with a private discovery and HTTP cache. */
export class Kubectl {
  readonly binary: string;
  readonly kubeconfig: string;
  readonly cacheDir: string;
  private readonly background = new Set<BackgroundCommand>();

  constructor(binary: string, kubeconfig: string, cacheDir: string) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
  }

  /** The same server and cache through another kubectl binary. */
  withBinary(binary: string): Kubectl {
    return new Kubectl(binary, this.kubeconfig, this.cacheDir);
  }

  private spawn(args: readonly string[]): ChildProcessWithoutNullStreams {
    const child = spawn(
      this.binary,
      ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: this.kubeconfig } },
    );
    // A kubectl that exits without reading stdin must not turn into an EPIPE crash here.
    child.stdin.on('error', () => undefined);
    return child;
  }

  private describe(args: readonly string[]): string {
    return `${this.binary} ${args.join(' ')}`;
  }

  /** Runs to completion; rejects only when kubectl cannot start or outlives `timeoutMs`. */
  async run(args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const child = this.spawn(args);
    const command = new BackgroundCommand(child, this.describe(args));
    const failed = new Promise<never>((_resolve, reject) => {
      child.once('error', reject);
    });
    child.stdin.end(options.input ?? '');
    return Promise.race([command.result(options.timeoutMs ?? 20_000), failed]);
  }

  /** Starts kubectl in the background; `stopAll()` ends whatever a failed test left running. */
  start(args: readonly string[]): BackgroundCommand {
    const child = this.spawn(args);
    child.stdin.end();
    const command = new BackgroundCommand(child, this.describe(args));
    this.background.add(command);
    return command;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.background].map(async c => c.stop()));
    this.background.clear();
  }
}

/** One table row keyed by column header (`NAME`, `READY`, `LAST SEEN`, ...). */
export type TableRow = Readonly<Record<string, string>>;

/**
 * Reads kubectl's human-readable table. Columns are found from where each header starts
 * (headers may hold one space, as `LAST SEEN`; columns are at least three spaces apart), so
 * empty cells and cells with spaces are read right.
 */
export function parseTable(text: string): TableRow[] {
  const lines = text.split('\n').filter(line => line.trim() !== '');
  const [header, ...rows] = lines;
  if (header === undefined) return [];
  const columns = [...header.matchAll(/\S+(?: \S+)*/g)].map(m => ({
    name: m[0],
    start: m.index,
  }));
  return rows.map(line => {
    const row: Record<string, string> = {};
    columns.forEach((column, i) => {
      const end = columns[i + 1]?.start ?? line.length;
      row[column.name] = line.slice(column.start, end).trim();
    });
    return row;
  });
}
