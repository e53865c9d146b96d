import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInvalidInput, isUnsupported } from '../errors/errors.ts';
import { loadKubeconfig, staticCredentials } from './credentials.ts';

let dir: string;
const signal = new AbortController().signal;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vk-credentials-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function kubeconfig(
  name: string,
  user: string,
  cluster = 'server: https://127.0.0.1:6443',
): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster:
      ${cluster}
users:
  - name: u
    user:
${user}
contexts:
  - name: ctx
    context: { cluster: c, user: u }
current-context: ctx
`,
  );
  return path;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe(loadKubeconfig, () => {
  it('turns a token into a bearer header and basic auth into a Basic header', async () => {
    const token = await loadKubeconfig({
      path: await kubeconfig('token.yaml', '      token: abc'),
    });
    expect(token.server).toBe('https://127.0.0.1:6443');
    expect((await token.credentials.headers(signal)).Authorization).toBe('Bearer abc');

    const basic = await loadKubeconfig({
      path: await kubeconfig('basic.yaml', '      username: alice\n      password: s3cret'),
    });
    expect((await basic.credentials.headers(signal)).Authorization).toBe(
      `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
    );
  });

  it('keeps TLS settings for the agent', async () => {
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const loaded = await loadKubeconfig({
      path: await kubeconfig(
        'tls.yaml',
        '      token: t',
        `server: https://10.0.0.1:6443
      certificate-authority-data: ${ca.toString('base64')}
      tls-server-name: kubernetes.default`,
      ),
    });
    expect(Buffer.from(loaded.credentials.tls.ca ?? '').toString()).toBe(ca.toString());
    expect(loaded.credentials.tls.servername).toBe('kubernetes.default');
  });

  it('asks an exec plugin again after the cache time, and at once after invalidate', async () => {
    const counter = join(dir, 'count');
    await writeFile(counter, '0');
    const plugin = join(dir, 'plugin.mjs');
    // Each run prints a new token that is already expired, so client-node does not cache it.
    await writeFile(
      plugin,
      `import { readFileSync, writeFileSync } from 'node:fs';
const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;
writeFileSync(${JSON.stringify(counter)}, String(n));
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: { token: 'tok-' + n, expirationTimestamp: '2000-01-01T00:00:00Z' },
}));
`,
    );
    const path = await kubeconfig(
      'exec.yaml',
      `      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: ${JSON.stringify(process.execPath)}
        args: [${JSON.stringify(plugin)}]
        interactiveMode: Never`,
    );
    let now = 0;
    const { credentials } = await loadKubeconfig({ path }, () => now);
    const auth = async (): Promise<string | undefined> =>
      (await credentials.headers(signal)).Authorization;
    expect(await auth()).toBe('Bearer tok-1');
    now = 4_000;
    expect(await auth()).toBe('Bearer tok-1');
    now = 6_000;
    expect(await auth()).toBe('Bearer tok-2');
    credentials.invalidate();
    // Concurrent callers share one plugin run.
    const both = await Promise.all([auth(), auth()]);
    expect(both).toEqual(['Bearer tok-3', 'Bearer tok-3']);
  });

  it('refuses unknown contexts, odd servers and proxies it cannot use', async () => {
    const path = await kubeconfig('ctx.yaml', '      token: t');
    expect(isInvalidInput(await caught(loadKubeconfig({ path, context: 'nope' })))).toBe(true);
    const ftp = await kubeconfig('ftp.yaml', '      token: t', 'server: ftp://example');
    expect(isInvalidInput(await caught(loadKubeconfig({ path: ftp })))).toBe(true);
    const proxied = await kubeconfig(
      'proxy.yaml',
      '      token: t',
      'server: https://127.0.0.1:6443\n      proxy-url: http://proxy:3128',
    );
    expect(isUnsupported(await caught(loadKubeconfig({ path: proxied })))).toBe(true);
  });
});

describe(staticCredentials, () => {
  it('sends the token and extra headers', async () => {
    const credentials = staticCredentials({ token: 't', headers: { 'Impersonate-User': 'bob' } });
    expect(await credentials.headers(signal)).toEqual({
      Authorization: 'Bearer t',
      'Impersonate-User': 'bob',
    });
  });
});
