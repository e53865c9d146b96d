/**
 * Bound service-account tokens: what TokenRequest (`serviceaccounts/<name>/token`) issues and
 * TokenReview checks. Tokens are JWTs laid out like kube-apiserver's, so code that decodes them
 * (or verifies them against `/openid/v1/jwks`) sees what it would see in a real cluster.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomUUID,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { errors, exportJWK, jwtVerify, SignJWT } from 'jose';
import type { JSONWebKeySet, JWK, JWTPayload } from 'jose';
import { ApiError } from '../api-error.ts';

export type TokenSigningAlgorithm = 'RS256' | 'ES256';

export interface CreateServiceAccountTokenIssuerOptions {
  /** The `iss` claim (kube's --service-account-issuer), e.g. https://kubernetes.default.svc.cluster.local */
  readonly issuer: string;
  /** Audiences the API server itself accepts (kube's --api-audiences); defaults to `[issuer]`. */
  readonly apiAudiences?: readonly string[];
  /** ES256 (default) is quick to generate; RS256 is what most real clusters use. */
  readonly algorithm?: TokenSigningAlgorithm;
  /** An existing signing key (PKCS#8, SEC 1 or PKCS#1 PEM) instead of a fresh one. */
  readonly privateKeyPem?: string;
  /** Cap on requested lifetimes (kube's --service-account-max-token-expiration); none by default. */
  readonly maxExpirationSeconds?: number;
  /**
   * kube's --service-account-extend-token-expiration (default true): a pod-bound token for the API
   * audiences requested for exactly 3607 s, as the kubelet requests them, is valid for a year and
   * only warns after 3607 s.
   */
  readonly extendExpiration?: boolean;
  /** The clock; tests move it to expire tokens. */
  readonly now?: () => Date;
}

export interface ObjectRef {
  readonly name: string;
  readonly uid: string;
}

export interface IssueTokenOptions {
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly serviceAccountUid: string;
  /** Empty or absent means the API server's own audiences, as TokenRequest defaults it. */
  readonly audiences?: readonly string[];
  /** Default 3600; at least 600 and at most 2^32, as TokenRequest validation demands. */
  readonly expirationSeconds?: number;
  readonly boundObject?: ObjectRef & { readonly kind: 'Pod' | 'Secret' };
  /**
   * The node: for a pod-bound token, the node the pod is scheduled to (kube embeds it);
   * without a bound object, the token is bound to the node itself.
   */
  readonly nodeName?: string;
  readonly nodeUid?: string;
}

export interface IssuedToken {
  readonly token: string;
  /** TokenRequest `status.expirationTimestamp`, RFC 3339 to the second. */
  readonly expirationTimestamp: string;
}

/** The `kubernetes.io` private claim, as kube lays it out. */
export interface KubernetesClaims {
  readonly namespace: string;
  readonly node?: Partial<ObjectRef>;
  readonly pod?: Partial<ObjectRef>;
  readonly secret?: Partial<ObjectRef>;
  readonly serviceaccount: Partial<ObjectRef>;
  readonly warnafter?: number;
}

export interface ServiceAccountUser {
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export type TokenVerification =
  | {
      readonly authenticated: true;
      readonly user: ServiceAccountUser;
      /** The token's audiences that the review asked about (TokenReview `status.audiences`). */
      readonly audiences: readonly string[];
      /** What the token is bound to, so the server can check those objects still exist. */
      readonly claims: KubernetesClaims;
    }
  | { readonly authenticated: false; readonly error: string };

export interface VerifyTokenOptions {
  /** TokenReview `spec.audiences`; empty or absent means the API server's own audiences. */
  readonly audiences?: readonly string[];
}

/** What `/openid/v1/jwks` serves. */
export type JsonWebKeySet = JSONWebKeySet;

/** TokenRequest validation bounds and default (pkg/apis/authentication/validation). */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
export const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
/** The lifetime the kubelet asks for, which triggers the extended-expiration transition rule. */
const WARN_ONLY_EXPIRATION_SECONDS = 3607;
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;
/** go-jose's default leeway on exp and nbf, which kube's validator inherits. */
const CLOCK_LEEWAY_SECONDS = 60;

const PREFIX = 'authentication.kubernetes.io';
export const SERVICE_ACCOUNT_EXTRA_KEYS = {
  podName: `${PREFIX}/pod-name`,
  podUid: `${PREFIX}/pod-uid`,
  nodeName: `${PREFIX}/node-name`,
  nodeUid: `${PREFIX}/node-uid`,
  credentialId: `${PREFIX}/credential-id`,
} as const;

const INVALID_TOKEN = 'invalid bearer token';

export class ServiceAccountTokenIssuer {
  readonly issuer: string;
  readonly algorithm: TokenSigningAlgorithm;
  readonly apiAudiences: readonly string[];
  /** The signing key, PKCS#8 PEM, to reuse it with `privateKeyPem` later. */
  readonly keyPem: string;
  /** The verification key, SPKI PEM (kube's --service-account-key-file). */
  readonly publicKeyPem: string;
  /** kube's key id: base64url SHA-256 of the DER public key. */
  readonly keyId: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #jwk: JWK;
  readonly #maxExpirationSeconds: number | undefined;
  readonly #extendExpiration: boolean;
  readonly #now: () => Date;

  private constructor(
    options: CreateServiceAccountTokenIssuerOptions,
    algorithm: TokenSigningAlgorithm,
    privateKey: KeyObject,
    jwk: JWK,
  ) {
    this.issuer = options.issuer;
    this.algorithm = algorithm;
    this.apiAudiences = options.apiAudiences ?? [options.issuer];
    this.#privateKey = privateKey;
    this.#publicKey = createPublicKey(privateKey);
    this.keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKeyPem = this.#publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const spki = this.#publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha256').update(spki).digest('base64url');
    this.#jwk = { ...jwk, kid: this.keyId, alg: algorithm, use: 'sig' };
    this.#maxExpirationSeconds = options.maxExpirationSeconds;
    this.#extendExpiration = options.extendExpiration ?? true;
    this.#now = options.now ?? (() => new Date());
  }

  static async create(
    options: CreateServiceAccountTokenIssuerOptions,
  ): Promise<ServiceAccountTokenIssuer> {
    let privateKey: KeyObject;
    if (options.privateKeyPem === undefined) {
      privateKey = await generateSigningKey(options.algorithm ?? 'ES256');
    } else {
      privateKey = createPrivateKey(options.privateKeyPem);
    }
    const algorithm = algorithmForKey(privateKey, options.algorithm);
    const jwk = await exportJWK(createPublicKey(privateKey));
    return new ServiceAccountTokenIssuer(options, algorithm, privateKey, jwk);
  }

  /**
   * Issues a token as TokenRequest does. A lifetime outside [600, 2^32] seconds is a 422 Invalid
   * on `spec.expirationSeconds`, the error kube-apiserver returns.
   */
  async issue(options: IssueTokenOptions): Promise<IssuedToken> {
    let expirationSeconds = options.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
    validateExpiration(expirationSeconds);
    if (options.boundObject?.kind === 'Secret' && options.nodeName !== undefined) {
      throw new TypeError('kube binds a token to a node only through a pod or directly');
    }
    if (
      this.#maxExpirationSeconds !== undefined &&
      expirationSeconds > this.#maxExpirationSeconds
    ) {
      expirationSeconds = this.#maxExpirationSeconds;
    }
    const audiences =
      options.audiences !== undefined && options.audiences.length > 0
        ? [...options.audiences]
        : [...this.apiAudiences];

    // The kubelet's 3607 s tokens get a year, with a warning after the 3607 s (see options).
    let lifetime = expirationSeconds;
    let warnAfter: number | undefined;
    const now = Math.floor(this.#now().getTime() / 1000);
    if (
      this.#extendExpiration &&
      options.boundObject?.kind === 'Pod' &&
      expirationSeconds === WARN_ONLY_EXPIRATION_SECONDS &&
      audiences.every(a => this.apiAudiences.includes(a))
    ) {
      warnAfter = now + expirationSeconds;
      lifetime = EXTENDED_EXPIRATION_SECONDS;
    }

    const ref = (name: string, uid: string | undefined): Partial<ObjectRef> =>
      uid === undefined || uid === '' ? { name } : { name, uid };
    const kubernetes: KubernetesClaims = {
      namespace: options.namespace,
      ...(options.nodeName !== undefined ? { node: ref(options.nodeName, options.nodeUid) } : {}),
      ...(options.boundObject?.kind === 'Pod'
        ? { pod: ref(options.boundObject.name, options.boundObject.uid) }
        : {}),
      ...(options.boundObject?.kind === 'Secret'
        ? { secret: ref(options.boundObject.name, options.boundObject.uid) }
        : {}),
      serviceaccount: ref(options.serviceAccountName, options.serviceAccountUid),
      ...(warnAfter !== undefined ? { warnafter: warnAfter } : {}),
    };
    // Claims in the alphabetical order kube's encoder writes them.
    const payload: JWTPayload = {
      aud: audiences,
      exp: now + lifetime,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': kubernetes,
      nbf: now,
      sub: serviceAccountUsername(options.namespace, options.serviceAccountName),
    };
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: this.algorithm, kid: this.keyId })
      .sign(this.#privateKey);
    return { token, expirationTimestamp: rfc3339(now + expirationSeconds) };
  }

  /** Checks a token as TokenReview does: signature, issuer, time, audience, claim shape. */
  async verify(token: string, options: VerifyTokenOptions = {}): Promise<TokenVerification> {
    const requested =
      options.audiences !== undefined && options.audiences.length > 0
        ? options.audiences
        : this.apiAudiences;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#publicKey, {
        algorithms: [this.algorithm],
        issuer: this.issuer,
        currentDate: this.#now(),
        clockTolerance: CLOCK_LEEWAY_SECONDS,
      }));
    } catch (error) {
      return { authenticated: false, error: verificationError(error) };
    }

    const tokenAudiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    // The review's audiences the token carries, in the token's order.
    const audiences = tokenAudiences.filter(a => requested.includes(a));
    if (audiences.length === 0) {
      return {
        authenticated: false,
        error: `token audiences ${goQuote(tokenAudiences)} is invalid for the target audiences ${goQuote(requested)}`,
      };
    }
    const claims = kubernetesClaimsOf(payload);
    if (claims === undefined) return { authenticated: false, error: INVALID_TOKEN };

    const extra: Record<string, string[]> = {};
    const keys = SERVICE_ACCOUNT_EXTRA_KEYS;
    if (typeof payload.jti === 'string' && payload.jti !== '') {
      extra[keys.credentialId] = [`JTI=${payload.jti}`];
    }
    if (claims.pod?.name !== undefined && claims.pod.uid !== undefined) {
      extra[keys.podName] = [claims.pod.name];
      extra[keys.podUid] = [claims.pod.uid];
    }
    if (claims.node?.name !== undefined) {
      extra[keys.nodeName] = [claims.node.name];
      if (claims.node.uid !== undefined) extra[keys.nodeUid] = [claims.node.uid];
    }
    return {
      authenticated: true,
      user: {
        username: serviceAccountUsername(claims.namespace, claims.serviceaccount.name ?? ''),
        uid: claims.serviceaccount.uid ?? '',
        groups: [
          'system:serviceaccounts',
          `system:serviceaccounts:${claims.namespace}`,
          'system:authenticated',
        ],
        extra,
      },
      audiences,
      claims,
    };
  }

  /** The key set served at `/openid/v1/jwks`. */
  jwks(): JsonWebKeySet {
    return { keys: [{ ...this.#jwk }] };
  }

  /** The document served at `/.well-known/openid-configuration`. */
  openIdConfiguration(jwksUri = new URL('/openid/v1/jwks', this.issuer).toString()): {
    readonly issuer: string;
    readonly jwks_uri: string;
    readonly response_types_supported: readonly string[];
    readonly subject_types_supported: readonly string[];
    readonly id_token_signing_alg_values_supported: readonly string[];
  } {
    return {
      issuer: this.issuer,
      jwks_uri: jwksUri,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [this.algorithm],
    };
  }
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

function validateExpiration(seconds: number): void {
  let message: string | undefined;
  if (!Number.isInteger(seconds) || seconds < MIN_TOKEN_EXPIRATION_SECONDS) {
    message = 'may not specify a duration less than 10 minutes';
  } else if (seconds > MAX_TOKEN_EXPIRATION_SECONDS) {
    message = 'may not specify a duration larger than 2^32 seconds';
  }
  if (message !== undefined) {
    // TokenRequest bodies usually carry no name, hence kube's `TokenRequest... "" is invalid`.
    throw ApiError.invalid(
      'TokenRequest',
      '',
      [{ field: 'spec.expirationSeconds', message: `Invalid value: ${seconds}: ${message}` }],
      'authentication.k8s.io',
    );
  }
}

async function generateSigningKey(algorithm: TokenSigningAlgorithm): Promise<KeyObject> {
  const generate = promisify(generateKeyPair);
  const { privateKey } =
    algorithm === 'RS256'
      ? await generate('rsa', { modulusLength: 2048 })
      : await generate('ec', { namedCurve: 'P-256' });
  return privateKey;
}

function algorithmForKey(
  key: KeyObject,
  requested: TokenSigningAlgorithm | undefined,
): TokenSigningAlgorithm {
  const actual =
    key.asymmetricKeyType === 'rsa'
      ? 'RS256'
      : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        ? 'ES256'
        : undefined;
  if (actual === undefined) {
    throw new TypeError('the signing key must be RSA or ECDSA P-256');
  }
  if (requested !== undefined && requested !== actual) {
    throw new TypeError(`the signing key is for ${actual}, not ${requested}`);
  }
  return actual;
}

/** The TokenReview error kube's service-account authenticator gives for each failure. */
function verificationError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'service account token has expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
    return 'service account token is not valid yet';
  }
  // Bad signature, wrong issuer, not a JWT: kube's authenticator does not recognise the token.
  return INVALID_TOKEN;
}

function kubernetesClaimsOf(payload: JWTPayload): KubernetesClaims | undefined {
  const claims = payload['kubernetes.io'];
  if (typeof claims !== 'object' || claims === null) return undefined;
  const { namespace, serviceaccount } = claims as Partial<KubernetesClaims>;
  if (typeof namespace !== 'string' || namespace === '') return undefined;
  if (typeof serviceaccount?.name !== 'string' || serviceaccount.name === '') return undefined;
  return claims as KubernetesClaims;
}

/** Go's `%q` of a []string, which kube's audience error uses: ["a" "b"]. */
function goQuote(values: readonly string[]): string {
  return `[${values.map(v => JSON.stringify(v)).join(' ')}]`;
}

function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
