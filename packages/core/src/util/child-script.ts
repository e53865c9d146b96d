/**
 * One-shot work in a short-lived Node child process. Some libraries are needed for a moment and
 * then never again (client-node to read a kubeconfig, an X.509 builder for a certificate), yet
 * their modules would stay resident for the life of the process: tens of megabytes of a virtual
 * kubelet's idle footprint. Run in a child, they leave with it.
 *
 * The child gets its input as JSON in argv and prints one JSON line: `{ result }` or
 * `{ error: { kind, message } }`, rebuilt here as a VkError of the same kind.
 */
import { execFile } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorKind, TransientError, VkError, type ErrorKind } from '../errors/errors.ts';

type ChildAnswer =
  | { readonly result: unknown }
  | { readonly error: { readonly kind: ErrorKind | 'other'; readonly message: string } };

/** The script `name` beside `moduleUrl`, from source (.ts) under tests, from dist once built. */
export function siblingScript(moduleUrl: string, name: string): string {
  const extension = extname(fileURLToPath(moduleUrl));
  return fileURLToPath(new URL(`./${name}${extension}`, moduleUrl));
}

export interface ChildScriptOptions {
  /** What the child does, for error messages. */
  readonly what: string;
  /** A child that has not answered by then is stuck. @default 60 s */
  readonly timeoutMs?: number;
}

/**
 * Runs `script` with `input` and returns its result. The child's failures come back with their
 * taxonomy kind (an `InvalidInput` stays one); a crash or a timeout is Transient.
 */
export async function runChildScript(
  script: string,
  input: unknown,
  options: ChildScriptOptions,
): Promise<unknown> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [script, JSON.stringify(input)],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, out, errOut) => {
        if (err) {
          const detail = errOut.trim().split('\n').slice(-5).join('\n');
          reject(
            new TransientError(`${options.what}: the child process failed: ${detail}`, {
              cause: err,
            }),
          );
        } else {
          resolve(out);
        }
      },
    );
  });
  let answer: ChildAnswer;
  try {
    answer = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildAnswer;
  } catch (err) {
    throw new TransientError(`${options.what}: the child process printed no answer`, {
      cause: err,
    });
  }
  if ('error' in answer) {
    const { kind, message } = answer.error;
    if (kind === 'other') throw new TransientError(`${options.what}: ${message}`);
    throw new VkError(kind, message);
  }
  return answer.result;
}

/** The child side: handles the input from argv and prints the answer. */
export async function childScriptMain(handle: (input: unknown) => Promise<unknown>): Promise<void> {
  const answer: ChildAnswer = await handle(JSON.parse(process.argv[2] ?? 'null'))
    .then(result => ({ result }))
    .catch((err: unknown) => ({
      error: {
        kind: errorKind(err) ?? 'other',
        message: err instanceof Error ? err.message : String(err),
      },
    }));
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
