import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInvalidInput, isTransient } from '../errors/errors.ts';
import { runChildScript, siblingScript } from './child-script.ts';

let dir: string;
const helper = JSON.stringify(new URL('./child-script.ts', import.meta.url).href);
const errors = JSON.stringify(new URL('../errors/errors.ts', import.meta.url).href);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vk-child-script-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, `${name}.mjs`);
  await writeFile(
    path,
    `import { childScriptMain } from ${helper};
import { InvalidInputError } from ${errors};
${body}`,
  );
  return path;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe(runChildScript, () => {
  it('hands the input to the child and returns its result', async () => {
    const path = await script(
      'echo',
      'await childScriptMain(async input => ({ got: input, pid: process.pid }));',
    );
    const result = (await runChildScript(path, { a: [1, 'two'] }, { what: 'echo' })) as {
      got: unknown;
      pid: number;
    };
    expect(result.got).toEqual({ a: [1, 'two'] });
    expect(result.pid).not.toBe(process.pid);
  });

  it("keeps the kind of the child's error", async () => {
    const path = await script(
      'refuse',
      "await childScriptMain(async () => { throw new InvalidInputError('bad config'); });",
    );
    const err = await failure(runChildScript(path, null, { what: 'refuse' }));
    expect(isInvalidInput(err)).toBe(true);
    expect(String(err)).toContain('bad config');
  });

  it('reports a crash, an untyped error and a hang as transient, with what the child said', async () => {
    const crash = await script('crash', "console.error('out of luck'); process.exit(3);");
    const crashed = await failure(runChildScript(crash, null, { what: 'crashing job' }));
    expect(isTransient(crashed)).toBe(true);
    expect(String(crashed)).toMatch(/crashing job.*out of luck/s);

    const untyped = await script(
      'untyped',
      "await childScriptMain(async () => { throw new Error('plain'); });",
    );
    const plain = await failure(runChildScript(untyped, null, { what: 'plain job' }));
    expect(isTransient(plain)).toBe(true);
    expect(String(plain)).toContain('plain job: plain');

    const hang = await script('hang', 'setInterval(() => {}, 1000);');
    const hung = await failure(runChildScript(hang, null, { what: 'hung job', timeoutMs: 300 }));
    expect(isTransient(hung)).toBe(true);

    const silent = await script('silent', "console.log('not json');");
    expect(isTransient(await failure(runChildScript(silent, null, { what: 'silent' })))).toBe(true);
  });
});

describe(siblingScript, () => {
  it('keeps the extension of the module asking', () => {
    expect(siblingScript('file:///x/dist/kube/a.js', 'b')).toBe('/x/dist/kube/b.js');
    expect(siblingScript('file:///x/src/kube/a.ts', 'b')).toBe('/x/src/kube/b.ts');
  });
});
