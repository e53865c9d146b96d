/**
 * What a container "does" once started, read from its command and args, so tests can make pods
 * finish:
 *   - `exit N` (also `sh -c "exit N"`): exits with code N as soon as it starts; `true` is
 *     `exit 0` and `false` is `exit 1`
 *   - `sleep S` (seconds, fractions allowed): runs S seconds, then exits 0; `sleep infinity` runs
 *   - anything else, or no command (the image's entrypoint): runs until stopped
 * What happens after an exit follows the pod's restartPolicy (see pods.ts).
 */
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import { parseCommand } from './command-line.ts';

export type Behaviour =
  | { readonly kind: 'run' }
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'sleep'; readonly ms: number };

/** `exit`'s argument as an exit code (0–255, wrapping like a shell), or undefined if not a number. */
export function parseExitCode(text: string | undefined): number | undefined {
  if (text === undefined) return 0;
  if (!/^-?\d+$/.test(text)) return undefined;
  return ((Number(text) % 256) + 256) % 256;
}

/** `sleep`'s argument in ms; Infinity for `infinity`; undefined when not a duration. */
export function parseSleepMs(text: string | undefined): number | undefined {
  if (text === 'infinity') return Infinity;
  if (text === undefined || !/^(?:\d+(?:\.\d*)?|\.\d+)s?$/.test(text)) return undefined;
  return Math.round(Number.parseFloat(text) * 1000);
}

export function behaviourOf(container: Container, env: ReadonlyMap<string, string>): Behaviour {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv.length === 0) return { kind: 'run' };
  const parsed = parseCommand(argv, env);
  if (!parsed.ok) return { kind: 'run' };
  switch (parsed.name) {
    case 'true':
      return { kind: 'exit', code: 0 };
    case 'false':
      return { kind: 'exit', code: 1 };
    case 'exit': {
      const code = parseExitCode(parsed.args[0]);
      return { kind: 'exit', code: code ?? 2 };
    }
    case 'sleep': {
      const ms = parseSleepMs(parsed.args[0]);
      return ms === undefined || ms === Infinity ? { kind: 'run' } : { kind: 'sleep', ms };
    }
    default:
      return { kind: 'run' };
  }
}
