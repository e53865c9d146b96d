/**
 * The cluster CA: one self-signed ECDSA P-256 root that issues the API server's serving
 * certificate, client certificates for tests, and the certificates of approved CSRs.
 * Issued certificates follow the shape Go's crypto/x509 gives kube's own: critical CA:FALSE
 * basic constraints, a critical key usage, an extended key usage, SANs, and an authority key id.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  decodeCertificateSigningRequest,
  subjectAltNames,
  subjectName,
} from './certificate-signing-request.ts';
import { x509UsagesFor } from './key-usages.ts';
import {
  checkSignerPolicy,
  DEFAULT_SIGNING_DURATION_SECONDS,
  isBuiltInSignerName,
  SIGNING_BACKDATE_SECONDS,
  signedCertificateValidity,
} from './signers.ts';
import {
  type CryptoKey,
  generateEcKeyPair,
  importSigningKeyPem,
  privateKeyToPem,
  randomSerialNumber,
  signingAlgorithmFor,
  wholeSeconds,
  x509,
} from './x509.ts';

const { ExtendedKeyUsage, KeyUsageFlags } = x509;

/** kubeadm's CA lifetime: ten years, long enough that no test outlives it. */
const DEFAULT_CA_VALIDITY_SECONDS = 10 * 365 * 24 * 60 * 60;
/** Serving and client certificates issued directly last a year unless asked otherwise. */
const DEFAULT_LEAF_VALIDITY_SECONDS = 365 * 24 * 60 * 60;

export interface CreateCertificateAuthorityOptions {
  readonly commonName: string;
  readonly validitySeconds?: number;
  /** Ceiling on CSR-signed certificate lifetimes (kube's --cluster-signing-duration). */
  readonly signingDurationSeconds?: number;
}

export interface LoadCertificateAuthorityOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly signingDurationSeconds?: number;
}

export interface IssuedCertificate {
  readonly certPem: string;
  /** The certificate's fresh ECDSA P-256 private key, PKCS#8 PEM. */
  readonly keyPem: string;
}

export interface ServerCertificateOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly validitySeconds?: number;
}

export interface ClientCertificateOptions {
  /** Becomes the subject CN: kube's username for the certificate. */
  readonly user: string;
  /** Each becomes a subject O: kube's groups for the certificate. */
  readonly groups?: readonly string[];
  readonly validitySeconds?: number;
}

export interface SignCertificateSigningRequestOptions {
  /** The CSR object's `spec.request`, decoded from base64: a PEM CERTIFICATE REQUEST. */
  readonly requestPem: string;
  readonly signerName: string;
  readonly usages: readonly string[];
  /** The CSR object's `spec.expirationSeconds`. */
  readonly expirationSeconds?: number | undefined;
  /** The CSR object's name, used in error messages. */
  readonly csrName?: string;
}

interface LeafProfile {
  readonly subject: x509.JsonName | x509.Name;
  readonly publicKey: x509.PublicKey | CryptoKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyUsages: readonly x509.KeyUsageFlags[];
  readonly extendedKeyUsages: readonly string[];
  readonly subjectAltNames: readonly x509.JsonGeneralName[];
}

export class CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
  readonly #certificate: x509.X509Certificate;
  readonly #signingKey: CryptoKey;
  readonly #authorityKeyId: string;
  readonly #signingDurationSeconds: number;

  private constructor(
    certificate: x509.X509Certificate,
    signingKey: CryptoKey,
    keyPem: string,
    authorityKeyId: string,
    signingDurationSeconds: number,
  ) {
    this.#certificate = certificate;
    this.#signingKey = signingKey;
    this.#authorityKeyId = authorityKeyId;
    this.#signingDurationSeconds = signingDurationSeconds;
    this.certPem = certificate.toString('pem');
    this.keyPem = keyPem;
  }

  /** A new self-signed root with a fresh key. */
  static async create(options: CreateCertificateAuthorityOptions): Promise<CertificateAuthority> {
    const keys = await generateEcKeyPair();
    const now = wholeSeconds(new Date());
    const keyId = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerialNumber(),
      name: subjectName(options.commonName, []),
      notBefore: new Date(now.getTime() - SIGNING_BACKDATE_SECONDS * 1000),
      notAfter: new Date(
        now.getTime() + (options.validitySeconds ?? DEFAULT_CA_VALIDITY_SECONDS) * 1000,
      ),
      keys,
      signingAlgorithm: signingAlgorithmFor(keys.privateKey),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
          true,
        ),
        keyId,
      ],
    });
    return new CertificateAuthority(
      certificate,
      keys.privateKey,
      await privateKeyToPem(keys.privateKey),
      keyId.keyId,
      options.signingDurationSeconds ?? DEFAULT_SIGNING_DURATION_SECONDS,
    );
  }

  /** An existing CA (e.g. one kept on disk between demo runs). The key must match the cert. */
  static async fromPem(options: LoadCertificateAuthorityOptions): Promise<CertificateAuthority> {
    const certificate = new x509.X509Certificate(options.certPem);
    if (certificate.getExtension(x509.BasicConstraintsExtension)?.ca !== true) {
      throw new TypeError('the certificate is not a CA certificate (basicConstraints CA:FALSE)');
    }
    const publicKeyDer = createPublicKey(createPrivateKey(options.keyPem)).export({
      type: 'spki',
      format: 'der',
    });
    if (!publicKeyDer.equals(Buffer.from(certificate.publicKey.rawData))) {
      throw new TypeError('the private key does not belong to the CA certificate');
    }
    const signingKey = await importSigningKeyPem(options.keyPem);
    const keyId =
      certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
      (await x509.SubjectKeyIdentifierExtension.create(certificate.publicKey)).keyId;
    return new CertificateAuthority(
      certificate,
      signingKey,
      await privateKeyToPem(signingKey),
      keyId,
      options.signingDurationSeconds ?? DEFAULT_SIGNING_DURATION_SECONDS,
    );
  }

  get notAfter(): Date {
    return this.#certificate.notAfter;
  }

  /** A TLS serving certificate (serverAuth) for the given names. */
  async issueServerCertificate(options: ServerCertificateOptions): Promise<IssuedCertificate> {
    const sans = subjectAltNames(options.dnsNames ?? [], options.ipAddresses ?? []);
    if (sans.length === 0) {
      // Clients match hostnames against SANs only, never the CN, so a SAN-less cert is useless.
      throw new TypeError('a server certificate needs at least one DNS name or IP address');
    }
    return this.#issueWithFreshKey(subjectName(options.commonName, []), {
      validitySeconds: options.validitySeconds,
      extendedKeyUsages: [ExtendedKeyUsage.serverAuth],
      subjectAltNames: sans,
    });
  }

  /** A TLS client certificate that kube authenticates as `user` in `groups`. */
  async issueClientCertificate(options: ClientCertificateOptions): Promise<IssuedCertificate> {
    if (options.user === '') {
      throw new TypeError(
        'a client certificate needs a user: kube ignores certificates without a CN',
      );
    }
    return this.#issueWithFreshKey(subjectName(options.user, options.groups ?? []), {
      validitySeconds: options.validitySeconds,
      extendedKeyUsages: [ExtendedKeyUsage.clientAuth],
      subjectAltNames: [],
    });
  }

  /**
   * Signs an approved CertificateSigningRequest as kube-controller-manager's signer would and
   * returns the certificate PEM for `status.certificate`.
   *
   * Throws ApiError (422 Invalid) for a request that is not a valid, self-signed PEM CSR or for
   * unknown usages; SignerValidationError when the signer's policy refuses the request (the CSR
   * then gets condition Failed/SignerValidationFailure). Only built-in signer names are accepted:
   * kube leaves CSRs for other signers pending, so the caller must not ask.
   */
  async signCertificateSigningRequest(
    options: SignCertificateSigningRequestOptions,
  ): Promise<string> {
    if (!isBuiltInSignerName(options.signerName)) {
      throw new Error(`${options.signerName} is not a signer this CA signs for`);
    }
    const { request, info } = await decodeCertificateSigningRequest(
      options.requestPem,
      options.csrName,
    );
    const usages = x509UsagesFor(options.usages, options.csrName);
    checkSignerPolicy(options.signerName, info, options.usages);
    const validity = signedCertificateValidity({
      now: wholeSeconds(new Date()),
      expirationSeconds: options.expirationSeconds,
      maxDurationSeconds: this.#signingDurationSeconds,
      caNotAfter: this.notAfter,
    });
    // The requested SANs carry over; every other requested extension is dropped, as kube does.
    const sans: x509.JsonGeneralName[] = [
      ...info.dnsNames.map(value => ({ type: 'dns' as const, value })),
      ...info.emailAddresses.map(value => ({ type: 'email' as const, value })),
      ...info.ipAddresses.map(value => ({ type: 'ip' as const, value })),
      ...info.uris.map(value => ({ type: 'url' as const, value })),
    ];
    const certificate = await this.#sign({
      subject: request.subjectName,
      publicKey: request.publicKey,
      ...validity,
      keyUsages: usages.keyUsages,
      extendedKeyUsages: usages.extendedKeyUsages,
      subjectAltNames: sans,
    });
    return certificate.toString('pem');
  }

  async #issueWithFreshKey(
    subject: x509.JsonName,
    profile: {
      validitySeconds: number | undefined;
      extendedKeyUsages: readonly string[];
      subjectAltNames: readonly x509.JsonGeneralName[];
    },
  ): Promise<IssuedCertificate> {
    const keys = await generateEcKeyPair();
    const now = wholeSeconds(new Date()).getTime();
    const validitySeconds = profile.validitySeconds ?? DEFAULT_LEAF_VALIDITY_SECONDS;
    const certificate = await this.#sign({
      subject,
      publicKey: keys.publicKey,
      notBefore: new Date(now - SIGNING_BACKDATE_SECONDS * 1000),
      notAfter: new Date(Math.min(now + validitySeconds * 1000, this.notAfter.getTime())),
      // ECDSA keys sign; key encipherment is an RSA-only usage.
      keyUsages: [KeyUsageFlags.digitalSignature],
      extendedKeyUsages: profile.extendedKeyUsages,
      subjectAltNames: profile.subjectAltNames,
    });
    return {
      certPem: certificate.toString('pem'),
      keyPem: await privateKeyToPem(keys.privateKey),
    };
  }

  async #sign(profile: LeafProfile): Promise<x509.X509Certificate> {
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
    ];
    if (profile.keyUsages.length > 0) {
      const bits = profile.keyUsages.reduce((all, bit) => all | bit);
      extensions.push(new x509.KeyUsagesExtension(bits, true));
    }
    if (profile.extendedKeyUsages.length > 0) {
      extensions.push(new x509.ExtendedKeyUsageExtension([...profile.extendedKeyUsages]));
    }
    if (profile.subjectAltNames.length > 0) {
      extensions.push(new x509.SubjectAlternativeNameExtension([...profile.subjectAltNames]));
    }
    extensions.push(new x509.AuthorityKeyIdentifierExtension(this.#authorityKeyId));
    return x509.X509CertificateGenerator.create({
      serialNumber: randomSerialNumber(),
      subject: profile.subject,
      issuer: this.#certificate.subjectName,
      publicKey: profile.publicKey,
      signingKey: this.#signingKey,
      signingAlgorithm: signingAlgorithmFor(this.#signingKey),
      notBefore: profile.notBefore,
      notAfter: profile.notAfter,
      extensions,
    });
  }
}
