/**
 * What a process's RSS is made of, from /proc/<pid>/status: pages mapped from files (the node
 * binary's code and read-only data, shared libraries) and anonymous pages (V8's heap, malloc,
 * stacks). Read beside the memory targets because the file-backed part is the runtime's floor
 * (clean pages every Node process on the machine shares) while the anonymous part is what the
 * virtual kubelet itself holds.
 */
import { readFileSync } from 'node:fs';

export interface RssParts {
  /** RssFile: file-backed pages (bytes). */
  readonly file: number;
  /** RssAnon: anonymous pages (bytes). */
  readonly anon: number;
}

/** Parses the RssFile and RssAnon lines of a /proc/<pid>/status text; undefined without them. */
export function parseRssParts(status: string): RssParts | undefined {
  const kb = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const file = kb('RssFile');
  const anon = kb('RssAnon');
  return file !== undefined && anon !== undefined ? { file, anon } : undefined;
}

/** The parts of `pid`'s RSS now; undefined where /proc is not there (not Linux) or it has exited. */
export function rssParts(pid: number): RssParts | undefined {
  try {
    return parseRssParts(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
