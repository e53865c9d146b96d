/**
 * `vk-testkit`: runs the testkit API server standalone, prints its URL, writes a kubeconfig,
 * and stops cleanly on SIGINT/SIGTERM.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TestApiServer } from './server/api-server.ts';

const HELP = `Usage: vk-testkit [options]

A Kubernetes API server for tests and local demos (REST + watch, in memory).

Options:
  --port <n>              port to listen on (default 0: a free port)
  --host <addr>           address to listen on (default 127.0.0.1)
  --kubeconfig-out <file> write an admin kubeconfig here
  --scheduler             bind unscheduled pods to Ready nodes (off by default)
  --anonymous             accept requests without credentials as system:anonymous
  --bookmark-interval <ms> BOOKMARK period for watches that allow them (default 60000)
  -h, --help              show this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'kubeconfig-out': { type: 'string' },
      scheduler: { type: 'boolean', default: false },
      anonymous: { type: 'boolean', default: false },
      'bookmark-interval': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer between 0 and 65535, got ${values.port}`);
  }
  const bookmark = values['bookmark-interval'];
  const server = await TestApiServer.start({
    port,
    host: values.host,
    scheduler: values.scheduler,
    anonymous: values.anonymous,
    ...(bookmark !== undefined ? { bookmarkIntervalMs: Number(bookmark) } : {}),
    onError: (source, err) => {
      process.stderr.write(`${JSON.stringify({ level: 'error', source, error: String(err) })}\n`);
    },
  });
  const out = values['kubeconfig-out'];
  if (out !== undefined) await writeFile(out, server.kubeconfig(), { mode: 0o600 });
  process.stdout.write(
    `${JSON.stringify({ url: server.url, kubeconfig: out ?? null, pid: process.pid })}\n`,
  );
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`vk-testkit: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
