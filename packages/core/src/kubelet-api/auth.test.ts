import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS_USER,
  bearerToken,
  KubeletAuth,
  subresourceForPath,
  verbForMethod,
  type NodeAccessAttributes,
  type UserInfo,
} from './auth.ts';
import { HttpError } from './http-errors.ts';

const signal = new AbortController().signal;
const fakeRequest = (headers: Record<string, string> = {}): IncomingMessage =>
  ({ headers, socket: {} }) as unknown as IncomingMessage;

function statusOf(promise: Promise<unknown>): Promise<number | 'ok'> {
  return promise.then(
    () => 'ok' as const,
    (err: unknown) => {
      if (err instanceof HttpError) return err.status;
      throw err;
    },
  );
}

describe('request attributes', () => {
  it.each([
    ['/stats/summary', 'stats'],
    ['/stats', 'stats'],
    ['/statsx', 'proxy'],
    ['/metrics/resource', 'metrics'],
    ['/metrics', 'metrics'],
    ['/logs/', 'log'],
    ['/logs/kubelet.log', 'log'],
    ['/containerLogs/ns/p/c', 'proxy'],
    ['/pods', 'proxy'],
    ['/runningpods/', 'proxy'],
    ['/exec/ns/p/c', 'proxy'],
    ['/healthz', 'proxy'],
  ])('%s → %s', (path, subresource) => {
    expect(subresourceForPath(path)).toBe(subresource);
  });

  it.each([
    ['GET', 'get'],
    ['HEAD', 'get'],
    ['POST', 'create'],
    ['PUT', 'update'],
    ['PATCH', 'patch'],
    ['DELETE', 'delete'],
    ['OPTIONS', 'options'],
  ])('%s → %s', (method, verb) => {
    expect(verbForMethod(method)).toBe(verb);
  });

  it('reads bearer tokens from the header and the WebSocket subprotocol', () => {
    expect(bearerToken(fakeRequest({ authorization: 'Bearer abc' }))).toBe('abc');
    expect(bearerToken(fakeRequest({ authorization: 'bearer  abc ' }))).toBe('abc');
    expect(bearerToken(fakeRequest({ authorization: 'Basic abc' }))).toBeUndefined();
    expect(bearerToken(fakeRequest({ authorization: 'Bearer ' }))).toBeUndefined();
    const encoded = Buffer.from('ws-token').toString('base64url');
    expect(
      bearerToken(
        fakeRequest({
          'sec-websocket-protocol': `v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.${encoded}`,
        }),
      ),
    ).toBe('ws-token');
  });
});

describe('KubeletAuth', () => {
  function setup(options: { anonymous?: boolean } = {}) {
    let now = 0;
    const tokenCalls: string[] = [];
    const sarCalls: NodeAccessAttributes[] = [];
    const allowed = new Set(['alice']);
    let tokenFailure: Error | undefined;
    let sarFailure: Error | undefined;
    const auth = new KubeletAuth({
      nodeName: 'node-1',
      anonymous: options.anonymous ?? false,
      now: () => now,
      reviewToken: async token => {
        tokenCalls.push(token);
        if (tokenFailure) throw tokenFailure;
        return token === 'alice-token' ? { username: 'alice', groups: ['dev'] } : undefined;
      },
      authorization: async attributes => {
        sarCalls.push(attributes);
        if (sarFailure) throw sarFailure;
        return { allowed: allowed.has(attributes.user.username) };
      },
    });
    return {
      auth,
      tokenCalls,
      sarCalls,
      allowed,
      advance: (ms: number) => (now += ms),
      failTokens: (err: Error | undefined) => (tokenFailure = err),
      failSar: (err: Error | undefined) => (sarFailure = err),
    };
  }

  it('authenticates a token, adds system:authenticated, caches success for 2 minutes', async () => {
    const t = setup();
    const user = await t.auth.authenticate(
      fakeRequest({ authorization: 'Bearer alice-token' }),
      signal,
    );
    expect(user).toEqual({ username: 'alice', groups: ['dev', 'system:authenticated'] });
    await t.auth.authenticate(fakeRequest({ authorization: 'Bearer alice-token' }), signal);
    t.advance(119_000);
    await t.auth.authenticate(fakeRequest({ authorization: 'Bearer alice-token' }), signal);
    expect(t.tokenCalls).toHaveLength(1);
    t.advance(2_000);
    await t.auth.authenticate(fakeRequest({ authorization: 'Bearer alice-token' }), signal);
    expect(t.tokenCalls).toHaveLength(2);
  });

  it('caches failed tokens, never review errors', async () => {
    const t = setup();
    const bad = () => t.auth.authenticate(fakeRequest({ authorization: 'Bearer bad' }), signal);
    expect(await statusOf(bad())).toBe(401);
    expect(await statusOf(bad())).toBe(401);
    expect(t.tokenCalls).toHaveLength(1);

    t.failTokens(new Error('apiserver down'));
    const logged: string[] = [];
    const good = () =>
      t.auth.authenticate(fakeRequest({ authorization: 'Bearer alice-token' }), signal, (_f, m) =>
        logged.push(m),
      );
    expect(await statusOf(good())).toBe(401);
    expect(logged).toEqual(['token review failed']);
    t.failTokens(undefined);
    expect(await statusOf(good())).toBe('ok');
  });

  it('no credentials: 401, or system:anonymous when enabled; a bad token is 401 either way', async () => {
    expect(await statusOf(setup().auth.authenticate(fakeRequest(), signal))).toBe(401);
    const t = setup({ anonymous: true });
    expect(await t.auth.authenticate(fakeRequest(), signal)).toEqual(ANONYMOUS_USER);
    expect(
      await statusOf(t.auth.authenticate(fakeRequest({ authorization: 'Bearer bad' }), signal)),
    ).toBe(401);
  });

  it('authorizes with the kubelet attributes and caches allow 5 minutes, deny 30 seconds', async () => {
    const t = setup();
    const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
    const bob: UserInfo = { username: 'bob', groups: [] };
    const attributes = await t.auth.authorize(alice, 'GET', '/stats/summary', signal);
    expect(attributes).toMatchObject({
      verb: 'get',
      resource: 'nodes',
      name: 'node-1',
      subresource: 'stats',
      apiGroup: '',
      apiVersion: 'v1',
    });
    await t.auth.authorize(alice, 'GET', '/stats/summary', signal);
    expect(t.sarCalls).toHaveLength(1);
    // A different subresource or verb is a different question.
    await t.auth.authorize(alice, 'GET', '/pods', signal);
    await t.auth.authorize(alice, 'POST', '/pods', signal);
    expect(t.sarCalls).toHaveLength(3);

    await expect(t.auth.authorize(bob, 'GET', '/pods', signal)).rejects.toThrow(
      'Forbidden (user=bob, verb=get, resource=nodes, subresource(s)=[proxy])',
    );
    t.allowed.add('bob');
    expect(await statusOf(t.auth.authorize(bob, 'GET', '/pods', signal))).toBe(403); // cached deny
    t.advance(30_001);
    expect(await statusOf(t.auth.authorize(bob, 'GET', '/pods', signal))).toBe('ok');

    t.allowed.delete('alice');
    t.advance(299_000 - 30_001);
    expect(await statusOf(t.auth.authorize(alice, 'GET', '/stats/summary', signal))).toBe('ok');
    t.advance(2_000);
    expect(await statusOf(t.auth.authorize(alice, 'GET', '/stats/summary', signal))).toBe(403);
  });

  it('a failed access review is 500 and not cached', async () => {
    const t = setup();
    const alice: UserInfo = { username: 'alice', groups: [] };
    t.failSar(new Error('apiserver down'));
    await expect(t.auth.authorize(alice, 'GET', '/pods', signal)).rejects.toMatchObject({
      status: 500,
      message: 'Authorization error (user=alice, verb=get, resource=nodes, subresource(s)=[proxy])',
    });
    t.failSar(undefined);
    expect(await statusOf(t.auth.authorize(alice, 'GET', '/pods', signal))).toBe('ok');
  });

  it('AlwaysAllow asks nobody', async () => {
    const auth = new KubeletAuth({ nodeName: 'n', authorization: 'AlwaysAllow' });
    const attributes = await auth.authorize(ANONYMOUS_USER, 'DELETE', '/pods', signal);
    expect(attributes.verb).toBe('delete');
  });
});
