import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInvalidInput, isUnsupported } from '../errors/errors.ts';
import { loadKubeconfig, staticCredentials } from './credentials.ts';

const execFileAsync = promisify(execFile);
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

  it('reads a token file again after a minute, and at once after invalidate', async () => {
    const tokenFile = join(dir, 'sa-token');
    await writeFile(tokenFile, 'first\n');
    // client-node's token-file provider, as loadFromCluster sets it up for the service account.
    const path = await kubeconfig(
      'token-file.yaml',
      `      as: someone
      auth-provider:
        name: tokenFile
        config: { tokenFile: ${JSON.stringify(tokenFile)} }`,
    );
    let now = 0;
    const { credentials } = await loadKubeconfig({ path }, () => now);
    expect(await credentials.headers(signal)).toEqual({
      Authorization: 'Bearer first',
      'Impersonate-User': 'someone',
    });
    await writeFile(tokenFile, 'second');
    now = 59_000;
    expect((await credentials.headers(signal)).Authorization).toBe('Bearer first');
    now = 61_000;
    expect(await credentials.headers(signal)).toEqual({
      Authorization: 'Bearer second',
      'Impersonate-User': 'someone',
    });
    await writeFile(tokenFile, 'third');
    credentials.invalidate();
    expect((await credentials.headers(signal)).Authorization).toBe('Bearer third');
    // Mid-rotation: the last token is kept rather than failing requests.
    await rm(tokenFile);
    credentials.invalidate();
    expect((await credentials.headers(signal)).Authorization).toBe('Bearer third');
  });

  it('says which kubeconfig could not be read', async () => {
    const missing = join(dir, 'missing.yaml');
    const err = await caught(loadKubeconfig({ path: missing }));
    expect(isInvalidInput(err)).toBe(true);
    expect(String(err)).toContain(missing);
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'clusters: [\n');
    expect(isInvalidInput(await caught(loadKubeconfig({ path: broken })))).toBe(true);
  });

  it('resolves fixed credentials without loading client-node into this process', async () => {
    const path = await kubeconfig('probe.yaml', '      token: probe');
    // A fresh Node that records every module it resolves, then loads the kubeconfig.
    const probe = `
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ resolve: (s, c, next) => { const r = next(s, c); seen.push(r.url); return r; } });
const { loadKubeconfig } = await import(${JSON.stringify(new URL('./credentials.ts', import.meta.url).href)});
const loaded = await loadKubeconfig({ path: ${JSON.stringify(path)} });
const headers = await loaded.credentials.headers(new AbortController().signal);
console.log(JSON.stringify({ headers, clientNode: seen.filter(u => u.includes('client-node')) }));
`;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', probe]);
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      headers: Record<string, string>;
      clientNode: string[];
    };
    expect(result.headers.Authorization).toBe('Bearer probe');
    expect(result.clientNode).toEqual([]);
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
