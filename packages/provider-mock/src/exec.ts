/**
 * The commands `kubectl exec` can run in a mock container, all built in:
 *
 *   echo [-n] ARGS…   ARGS joined by spaces
 *   env               the container's environment, sorted by name, one NAME=value per line
 *   cat PATH…         files from the pod's volumes at their mount paths
 *   cat               stdin copied to stdout until EOF (an interactive session); with a
 *                     tty, Ctrl-D ends the input too, as the terminal's line discipline would
 *   exit [N]          ends with exit code N
 *   sleep S           waits S seconds (or `infinity`) on the provider's clock
 *   true / false      exit code 0 / 1
 *   stty size         "<rows> <cols>" of the next terminal size the client sends (tty only)
 *   tty-sizes [N]     "<rows> <cols>" for each of the next N sizes the client sends (tty only)
 *   sh -c "<one of these>"   also bash/ash/dash, with quotes and $VAR expansion
 *
 * Anything else exits 127 with a message on stderr. With a tty, stderr goes to stdout.
 * Aborting the signal ends the session: the promise rejects with the signal's reason.
 */
import type { AttachIO, ExecResult } from '@vkubelet/core';
import { raceAbort, sleep, untilAborted } from './abort.ts';
import { parseExitCode, parseSleepMs } from './behaviour.ts';
import type { Clock } from './clock.ts';
import { parseCommand } from './command-line.ts';
import { forEachChunk, write } from './streams.ts';
import type { FileLookup } from './volumes.ts';

/** What a command can see of its container. */
export interface ExecContainer {
  readonly env: ReadonlyMap<string, string>;
  lookupFile(path: string): FileLookup;
  readonly clock: Clock;
}

const result = (exitCode: number): ExecResult => ({ exitCode });

export async function runBuiltin(
  argv: readonly string[],
  io: AttachIO,
  container: ExecContainer,
  signal: AbortSignal,
): Promise<ExecResult> {
  const out = io.stdout;
  const err = io.tty ? io.stdout : io.stderr;
  const parsed = parseCommand(argv, container.env);
  if (!parsed.ok) {
    await write(err, `${parsed.error}\n`);
    return result(2);
  }
  const { name, args } = parsed;
  switch (name) {
    case 'echo': {
      const noNewline = args[0] === '-n';
      const words = noNewline ? args.slice(1) : args;
      await write(out, words.join(' ') + (noNewline ? '' : '\n'));
      return result(0);
    }
    case 'env': {
      const lines = [...container.env]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => `${key}=${value}\n`);
      await write(out, lines.join(''));
      return result(0);
    }
    case 'cat':
      return result(await cat(args, io, container, err, signal));
    case 'exit': {
      const code = parseExitCode(args[0]);
      if (code !== undefined) return result(code);
      await write(err, `sh: exit: Illegal number: ${args[0] ?? ''}\n`);
      return result(2);
    }
    case 'sleep': {
      const ms = parseSleepMs(args[0]);
      if (ms === undefined) {
        await write(err, `sleep: invalid time interval '${args[0] ?? ''}'\n`);
        return result(1);
      }
      await (ms === Infinity ? untilAborted(signal) : sleep(container.clock, ms, signal));
      return result(0);
    }
    case 'true':
      return result(0);
    case 'false':
      return result(1);
    case 'stty':
      return result(await sttySize(args, io, err, signal));
    case 'tty-sizes':
      return result(await ttySizes(args, io, err, signal));
    default:
      await write(
        err,
        parsed.viaShell
          ? `sh: ${name}: not found\n`
          : `exec: "${argv[0] ?? ''}": executable file not found in $PATH\n`,
      );
      return result(127);
  }
}

async function cat(
  paths: readonly string[],
  io: AttachIO,
  container: ExecContainer,
  err: AttachIO['stderr'],
  signal: AbortSignal,
): Promise<number> {
  if (paths.length === 0) {
    if (io.stdin) await copyInput(io, signal);
    return 0;
  }
  let status = 0;
  for (const path of paths) {
    const file = container.lookupFile(path);
    if (file.kind === 'file') {
      await write(io.stdout, file.data);
      continue;
    }
    status = 1;
    const problem = file.kind === 'directory' ? 'Is a directory' : 'No such file or directory';
    await write(err, `cat: ${path}: ${problem}\n`);
  }
  return status;
}

const CTRL_D = 0x04;

/** stdin to stdout until EOF, or, with a tty, until Ctrl-D. */
async function copyInput(io: AttachIO, signal: AbortSignal): Promise<void> {
  const stdin = io.stdin;
  if (!stdin) return;
  if (!io.tty) {
    await forEachChunk(stdin, chunk => write(io.stdout, chunk), signal);
    return;
  }
  const eof = new AbortController();
  try {
    await forEachChunk(
      stdin,
      async chunk => {
        const end = chunk.indexOf(CTRL_D);
        await write(io.stdout, end < 0 ? chunk : chunk.subarray(0, end));
        if (end >= 0) eof.abort();
      },
      AbortSignal.any([signal, eof.signal]),
    );
  } catch (err) {
    if (signal.aborted || !eof.signal.aborted) throw err;
  }
}

async function ttySizes(
  args: readonly string[],
  io: AttachIO,
  err: AttachIO['stderr'],
  signal: AbortSignal,
): Promise<number> {
  const count = args.length === 0 ? 1 : Number(args[0]);
  if (args.length > 1 || !Number.isInteger(count) || count < 1) {
    await write(err, 'usage: tty-sizes [COUNT]\n');
    return 2;
  }
  if (!io.tty) {
    await write(err, 'tty-sizes: standard input: Not a tty\n');
    return 1;
  }
  const sizes = io.resize?.[Symbol.asyncIterator]();
  for (let i = 0; sizes && i < count; i++) {
    const event = await raceAbort(sizes.next(), signal);
    if (event.done === true) break;
    await write(io.stdout, `${event.value.height} ${event.value.width}\n`);
  }
  return 0;
}

async function sttySize(
  args: readonly string[],
  io: AttachIO,
  err: AttachIO['stderr'],
  signal: AbortSignal,
): Promise<number> {
  if (args.length !== 1 || args[0] !== 'size') {
    await write(err, 'stty: the mock only knows "stty size"\n');
    return 1;
  }
  if (!io.tty) {
    await write(err, 'stty: standard input: Not a tty\n');
    return 1;
  }
  const size = await nextSize(io.resize, signal);
  await write(io.stdout, `${size?.height ?? 0} ${size?.width ?? 0}\n`);
  return 0;
}

/** The next size from the client's resize events; undefined when there are none. */
async function nextSize(
  resize: AttachIO['resize'],
  signal: AbortSignal,
): Promise<{ width: number; height: number } | undefined> {
  if (!resize) return undefined;
  const event = await raceAbort(resize[Symbol.asyncIterator]().next(), signal);
  return event.done === true ? undefined : event.value;
}
