/**
 * The bundle an image ships (tools/bundle-app.ts), built into a temporary folder: its entries
 * sit where the core's `siblingScript` looks for them, its child scripts work on their own, and
 * loading it leaves out the built-in modules nothing uses.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const appDir = join(import.meta.dirname, '..');
const tool = join(appDir, '..', '..', 'tools', 'bundle-app.ts');

describe('vk-mock bundle', () => {
  let dir = '';
  let out = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vk-bundle-'));
    out = join(dir, 'bundle');
    await run(process.execPath, [tool, appDir, out], { timeout: 60_000 });
  }, 90_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes main and every child script of the core side by side', async () => {
    const files = await readdir(out);
    expect(files).toEqual(
      expect.arrayContaining(['main.mjs', 'kubeconfig-child.mjs', 'certificate-child.mjs']),
    );
    // Chunks stay beside the entries (a chunk elsewhere would look for its sibling scripts
    // there): every chunk a file imports is a file of this folder.
    const imported = new Set<string>();
    for (const file of files.filter(name => name.endsWith('.mjs'))) {
      const code = await readFile(join(out, file), 'utf8');
      for (const [, spec] of code.matchAll(/(?:from |import\()"(\.[^"]*)"/g))
        imported.add(spec ?? '');
    }
    expect(imported.size).toBeGreaterThan(0);
    for (const spec of imported) {
      expect(spec).toMatch(/^\.\/[^/]+\.mjs$/);
      expect(files).toContain(spec.slice(2));
    }
  });

  it('runs', async () => {
    const { stdout } = await run(process.execPath, [join(out, 'main.mjs'), '--version']);
    expect(stdout).toMatch(/^vk-mock \d+\.\d+\.\d+ \(provider mock\)/);
  });

  it('runs the kubeconfig child script on its own', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]',
        'users: [{name: u, user: {token: bundle-token}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, [
      join(out, 'kubeconfig-child.mjs'),
      JSON.stringify({ path: kubeconfig }),
    ]);
    const answer = JSON.parse(stdout.trim()) as {
      result: { server: string; refresh: string; headers: Record<string, string> };
    };
    expect(answer.result.server).toBe('https://10.0.0.1:6443');
    expect(answer.result.refresh).toBe('none');
    expect(answer.result.headers.Authorization).toBe('Bearer bundle-token');
  });

  it('loads no built-in module that only an ESM namespace import would pull in', async () => {
    // An `import … from 'node:http'` reads every export, lazy getters included: http.WebSocket
    // loads undici, crypto.webcrypto loads WebCrypto. The bundle imports built-ins as require does.
    const probe = join(dir, 'probe.mjs');
    await writeFile(
      probe,
      "process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList)));\n",
    );
    const { stderr } = await run(process.execPath, [
      '--import',
      probe,
      join(out, 'main.mjs'),
      '--version',
    ]);
    const loaded = JSON.parse(stderr.slice(stderr.indexOf('['))) as string[];
    // What the virtual kubelet does use is there, so the list is the right one.
    expect(loaded).toEqual(expect.arrayContaining(['NativeModule tls', 'NativeModule http']));
    expect(loaded.filter(m => /undici|webcrypto|http2/.test(m))).toEqual([]);
  });
});
