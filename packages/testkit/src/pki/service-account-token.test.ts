import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import { ServiceAccountTokenIssuer, type IssueTokenOptions } from './service-account-token.ts';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const START = new Date('2030-01-01T00:00:00Z');
const START_SECONDS = START.getTime() / 1000;

/** An issuer on a clock the test moves. */
async function issuerAt(options: { algorithm?: 'RS256' | 'ES256' } = {}) {
  const clock = { now: START };
  const issuer = await ServiceAccountTokenIssuer.create({
    issuer: ISSUER,
    now: () => clock.now,
    ...options,
  });
  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { issuer, advance };
}

const podToken: IssueTokenOptions = {
  namespace: 'team-a',
  serviceAccountName: 'builder',
  serviceAccountUid: 'sa-uid-1',
  audiences: ['https://kubernetes.default.svc.cluster.local', 'vault'],
  expirationSeconds: 1800,
  boundObject: { kind: 'Pod', name: 'build-7f9c', uid: 'pod-uid-1' },
  nodeName: 'vk-1',
  nodeUid: 'node-uid-1',
};

describe(ServiceAccountTokenIssuer, () => {
  it('issues a pod-bound token with the claims layout of kube-apiserver', async () => {
    const { issuer } = await issuerAt();

    const { token, expirationTimestamp } = await issuer.issue(podToken);

    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: issuer.keyId });
    expect(Object.keys(claims)).toEqual([
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'kubernetes.io',
      'nbf',
      'sub',
    ]);
    expect(claims).toEqual({
      aud: ['https://kubernetes.default.svc.cluster.local', 'vault'],
      exp: START_SECONDS + 1800,
      iat: START_SECONDS,
      iss: ISSUER,
      jti: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ) as unknown,
      'kubernetes.io': {
        namespace: 'team-a',
        node: { name: 'vk-1', uid: 'node-uid-1' },
        pod: { name: 'build-7f9c', uid: 'pod-uid-1' },
        serviceaccount: { name: 'builder', uid: 'sa-uid-1' },
      },
      nbf: START_SECONDS,
      sub: 'system:serviceaccount:team-a:builder',
    });
    expect(expirationTimestamp).toBe('2030-01-01T00:30:00Z');
    expect(decodeJwt((await issuer.issue(podToken)).token).jti).not.toBe(claims.jti);
  });

  it('verifies its tokens into the user a TokenReview reports', async () => {
    const { issuer } = await issuerAt();
    const { token } = await issuer.issue(podToken);

    const review = await issuer.verify(token, { audiences: ['vault'] });

    expect(review).toEqual({
      authenticated: true,
      user: {
        username: 'system:serviceaccount:team-a:builder',
        uid: 'sa-uid-1',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
        extra: {
          'authentication.kubernetes.io/credential-id': [`JTI=${String(decodeJwt(token).jti)}`],
          'authentication.kubernetes.io/node-name': ['vk-1'],
          'authentication.kubernetes.io/node-uid': ['node-uid-1'],
          'authentication.kubernetes.io/pod-name': ['build-7f9c'],
          'authentication.kubernetes.io/pod-uid': ['pod-uid-1'],
        },
      },
      audiences: ['vault'],
      claims: decodeJwt(token)['kubernetes.io'],
    });
  });

  it('defaults audiences to the API server: issued for it, and checked against it', async () => {
    const { issuer } = await issuerAt();
    const { token } = await issuer.issue({
      namespace: 'default',
      serviceAccountName: 'default',
      serviceAccountUid: 'sa-uid-0',
    });

    expect(decodeJwt(token).aud).toEqual([ISSUER]);
    expect(decodeJwt(token).exp).toBe(START_SECONDS + 3600);
    const review = await issuer.verify(token);
    expect(review.authenticated && review.audiences).toEqual([ISSUER]);
    expect(review.authenticated && review.user.extra).toEqual({
      'authentication.kubernetes.io/credential-id': [`JTI=${String(decodeJwt(token).jti)}`],
    });
  });

  it('rejects a token for another audience with the error kube gives', async () => {
    const { issuer } = await issuerAt();
    const { token } = await issuer.issue({ ...podToken, audiences: ['vault'] });

    expect(await issuer.verify(token)).toEqual({
      authenticated: false,
      error: `token audiences ["vault"] is invalid for the target audiences ["${ISSUER}"]`,
    });
    expect(await issuer.verify(token, { audiences: ['telemetry', 'metrics'] })).toEqual({
      authenticated: false,
      error:
        'token audiences ["vault"] is invalid for the target audiences ["telemetry" "metrics"]',
    });
  });

  it('rejects an expired token, after the same minute of leeway kube allows', async () => {
    const { issuer, advance } = await issuerAt();
    const { token } = await issuer.issue({ ...podToken, expirationSeconds: 600 });

    advance(600 + 30);
    expect((await issuer.verify(token, { audiences: ['vault'] })).authenticated).toBe(true);
    advance(60);
    expect(await issuer.verify(token, { audiences: ['vault'] })).toEqual({
      authenticated: false,
      error: 'service account token has expired',
    });
  });

  it('rejects a token that is not valid yet', async () => {
    const { issuer, advance } = await issuerAt();
    const { token } = await issuer.issue(podToken);

    advance(-120);

    expect(await issuer.verify(token, { audiences: ['vault'] })).toEqual({
      authenticated: false,
      error: 'service account token is not valid yet',
    });
  });

  it('rejects tampered, foreign and malformed tokens', async () => {
    const { issuer } = await issuerAt();
    const { token } = await issuer.issue(podToken);
    const [header = '', payload = '', signature = ''] = token.split('.');
    const claims = decodeJwt(token);
    const escalated = Buffer.from(
      JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' }),
    ).toString('base64url');
    const stranger = await ServiceAccountTokenIssuer.create({ issuer: ISSUER });
    const sameKeyOtherIssuer = await ServiceAccountTokenIssuer.create({
      issuer: 'https://elsewhere.example',
      apiAudiences: ['vault'],
      privateKeyPem: issuer.keyPem,
    });
    const rejected = { authenticated: false, error: 'invalid bearer token' };

    expect(await issuer.verify(`${header}.${escalated}.${signature}`)).toEqual(rejected);
    expect(await issuer.verify(`${header}.${payload}.${signature.slice(0, -4)}AAAA`)).toEqual(
      rejected,
    );
    expect(await issuer.verify((await stranger.issue(podToken)).token)).toEqual(rejected);
    expect(await issuer.verify((await sameKeyOtherIssuer.issue(podToken)).token)).toEqual(rejected);
    expect(await issuer.verify('not-a-jwt')).toEqual(rejected);
    expect(await issuer.verify('')).toEqual(rejected);
  });

  it('answers a lifetime out of bounds with the 422 TokenRequest validation gives', async () => {
    const { issuer } = await issuerAt();
    const issueFor = async (expirationSeconds: number) => {
      try {
        await issuer.issue({ ...podToken, expirationSeconds });
      } catch (error) {
        return error;
      }
      throw new Error('expected a rejection');
    };

    const tooShort = await issueFor(599);
    expect(tooShort).toBeInstanceOf(ApiError);
    expect((tooShort as ApiError).toStatus()).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message:
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
      details: { group: 'authentication.k8s.io', kind: 'TokenRequest' },
    });
    expect((await issueFor(2 ** 32 + 1)) as ApiError).toMatchObject({
      message: expect.stringContaining(
        'may not specify a duration larger than 2^32 seconds',
      ) as unknown,
    });
    const longest = await issuer.issue({ ...podToken, expirationSeconds: 2 ** 32 });
    expect(decodeJwt(longest.token).exp).toBe(START_SECONDS + 2 ** 32);
  });

  it('shortens lifetimes to the configured maximum', async () => {
    const issuer = await ServiceAccountTokenIssuer.create({
      issuer: ISSUER,
      maxExpirationSeconds: 3600,
      now: () => START,
    });

    const issued = await issuer.issue({ ...podToken, expirationSeconds: 7200 });

    expect(decodeJwt(issued.token).exp).toBe(START_SECONDS + 3600);
    expect(issued.expirationTimestamp).toBe('2030-01-01T01:00:00Z');
  });

  it("extends the kubelet's 3607 s pod tokens to a year with a warn-after, as kube does", async () => {
    const { issuer } = await issuerAt();

    const kubelet = await issuer.issue({
      ...podToken,
      audiences: [],
      expirationSeconds: 3607,
    });
    const forVault = await issuer.issue({ ...podToken, expirationSeconds: 3607 });

    const claims = decodeJwt(kubelet.token);
    expect(claims.exp).toBe(START_SECONDS + 365 * 24 * 3600);
    expect(claims['kubernetes.io']).toMatchObject({ warnafter: START_SECONDS + 3607 });
    expect(kubelet.expirationTimestamp).toBe('2030-01-01T01:00:07Z');
    // Not for the API server's audiences alone: no extension.
    expect(decodeJwt(forVault.token).exp).toBe(START_SECONDS + 3607);
    expect(decodeJwt(forVault.token)['kubernetes.io']).not.toHaveProperty('warnafter');
  });

  it('binds tokens to a secret or to a node', async () => {
    const { issuer } = await issuerAt();
    const base = {
      namespace: 'team-a',
      serviceAccountName: 'builder',
      serviceAccountUid: 'sa-uid-1',
    };

    const secretBound = await issuer.issue({
      ...base,
      boundObject: { kind: 'Secret', name: 'creds', uid: 'secret-uid' },
    });
    const nodeBound = await issuer.issue({ ...base, nodeName: 'vk-1', nodeUid: 'node-uid-1' });

    const secretReview = await issuer.verify(secretBound.token);
    expect(secretReview.authenticated && secretReview.claims).toEqual({
      namespace: 'team-a',
      secret: { name: 'creds', uid: 'secret-uid' },
      serviceaccount: { name: 'builder', uid: 'sa-uid-1' },
    });
    expect(secretReview.authenticated && Object.keys(secretReview.user.extra)).toEqual([
      'authentication.kubernetes.io/credential-id',
    ]);
    const nodeReview = await issuer.verify(nodeBound.token);
    expect(nodeReview.authenticated && nodeReview.user.extra).toMatchObject({
      'authentication.kubernetes.io/node-name': ['vk-1'],
      'authentication.kubernetes.io/node-uid': ['node-uid-1'],
    });
    await expect(
      issuer.issue({
        ...base,
        boundObject: { kind: 'Secret', name: 'creds', uid: 'secret-uid' },
        nodeName: 'vk-1',
      }),
    ).rejects.toThrow(TypeError);
  });

  it('publishes a JWKS and discovery document a relying party can verify tokens with', async () => {
    const { issuer } = await issuerAt({ algorithm: 'RS256' });
    const { token } = await issuer.issue(podToken);

    const jwks = issuer.jwks();
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: 'vault',
      currentDate: START,
    });

    expect(protectedHeader).toEqual({ alg: 'RS256', kid: issuer.keyId });
    expect(payload.sub).toBe('system:serviceaccount:team-a:builder');
    expect(jwks.keys).toEqual([
      expect.objectContaining({
        kty: 'RSA',
        e: 'AQAB',
        alg: 'RS256',
        use: 'sig',
        kid: issuer.keyId,
      }),
    ]);
    expect(issuer.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(issuer.openIdConfiguration()).toEqual({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('keeps its key across restarts when given the PEM it handed out', async () => {
    const { issuer } = await issuerAt();
    const { token } = await issuer.issue(podToken);

    const restarted = await ServiceAccountTokenIssuer.create({
      issuer: ISSUER,
      privateKeyPem: issuer.keyPem,
      now: () => START,
    });

    expect(restarted.keyId).toBe(issuer.keyId);
    expect(restarted.algorithm).toBe('ES256');
    expect((await restarted.verify(token, { audiences: ['vault'] })).authenticated).toBe(true);
    await expect(
      ServiceAccountTokenIssuer.create({
        issuer: ISSUER,
        privateKeyPem: issuer.keyPem,
        algorithm: 'RS256',
      }),
    ).rejects.toThrow('the signing key is for ES256, not RS256');
  });
});
