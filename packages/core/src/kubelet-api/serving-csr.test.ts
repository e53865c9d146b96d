import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.d.ts';
import { describe, expect, it } from 'vitest';
import { isInvalidInput, isTransient, NotFoundError, TransientError } from '../errors/errors.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { ResourceRef } from '../kube/resource-ref.ts';
import type { WatchEvent } from '../kube/types.ts';
import type { WatchStream } from '../kube/watch-stream.ts';
import { selfSignedServingCertificate } from './self-signed.ts';
import {
  createServingCertificateRequest,
  CsrDeletedError,
  CsrRefusedError,
  csrState,
  requestServingCertificate,
  servingCsrObject,
  servingNames,
  waitForCertificate,
} from './serving-csr.ts';
import { until } from './test-support/https-client.ts';
import { recordingLogger } from './test-support/recording-logger.ts';

const SAN_OID = '2.5.29.17';

function parseRequest(pem: string): x509.Pkcs10CertificateRequest {
  return new x509.Pkcs10CertificateRequest(pem);
}

function sansOf(request: x509.Pkcs10CertificateRequest): x509.JsonGeneralName[] {
  const raw = request.getExtension(SAN_OID);
  if (raw === null) return [];
  return new x509.SubjectAlternativeNameExtension(raw.rawData).names.toJSON();
}

describe('createServingCertificateRequest', () => {
  it('asks for O=system:nodes, CN=system:node:<node> with the node name and IP as SANs, on a P-256 key', async () => {
    const request = await createServingCertificateRequest({
      nodeName: 'vk-1',
      hosts: ['vk-1', 'vk-1.example.com', '10.0.0.7', 'fd00::7', ''],
    });
    const parsed = parseRequest(request.requestPem);
    expect(request.requestPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(parsed.subjectName.getField('CN')).toEqual(['system:node:vk-1']);
    expect(parsed.subjectName.getField('O')).toEqual(['system:nodes']);
    expect(sansOf(parsed)).toEqual([
      { type: 'dns', value: 'vk-1' },
      { type: 'dns', value: 'vk-1.example.com' },
      { type: 'ip', value: '10.0.0.7' },
      { type: 'ip', value: 'fd00::7' },
    ]);
    expect(parsed.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(await parsed.verify()).toBe(true);
    expect(request.usages).toEqual(['digital signature', 'server auth']);
    // The private key we keep is the one the request is for.
    const fromKey = createPublicKey(createPrivateKey(request.keyPem)).export({
      type: 'spki',
      format: 'der',
    });
    expect(Buffer.from(parsed.publicKey.rawData).equals(fromKey)).toBe(true);
  });

  it('adds key encipherment for an RSA key only', async () => {
    const request = await createServingCertificateRequest({ nodeName: 'vk-rsa', keyType: 'rsa' });
    const parsed = parseRequest(request.requestPem);
    expect(parsed.publicKey.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5' });
    expect(await parsed.verify()).toBe(true);
    expect(request.usages).toEqual(['key encipherment', 'digital signature', 'server auth']);
    expect(sansOf(parsed)).toEqual([{ type: 'dns', value: 'vk-rsa' }]);
  });

  it('refuses an empty node name', async () => {
    await expect(createServingCertificateRequest({ nodeName: '' })).rejects.toSatisfy(
      isInvalidInput,
    );
  });

  it('sorts names into DNS and IP, node name first, without duplicates', () => {
    expect(servingNames({ nodeName: 'n', hosts: ['127.0.0.1', 'n', 'x', '127.0.0.1'] })).toEqual({
      dnsNames: ['n', 'x'],
      ipAddresses: ['127.0.0.1'],
    });
  });
});

describe('servingCsrObject', () => {
  it('is a certificates.k8s.io/v1 CSR for the kubelet-serving signer with a generated name', async () => {
    const request = await createServingCertificateRequest({ nodeName: 'vk-1' });
    const csr = servingCsrObject(request);
    expect(csr).toEqual({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { generateName: 'csr-' },
      spec: {
        request: expect.any(String),
        signerName: 'kubernetes.io/kubelet-serving',
        usages: ['digital signature', 'server auth'],
      },
    });
    expect(Buffer.from(csr.spec.request, 'base64').toString('utf8')).toBe(request.requestPem);
  });
});

const csr = (status: CertificateSigningRequest['status'] = {}): CertificateSigningRequest => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'csr-abc', resourceVersion: '7' },
  spec: { request: '', signerName: 'kubernetes.io/kubelet-serving' },
  status,
});
const approved = { type: 'Approved', status: 'True', reason: 'ok', message: 'ok' };
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const issued = (pem = CERT_PEM) =>
  csr({ conditions: [approved], certificate: Buffer.from(pem).toString('base64') });

describe('csrState', () => {
  it('reads pending, approved, issued, denied and failed', () => {
    expect(csrState(csr())).toEqual({ kind: 'pending', approved: false });
    expect(csrState(csr({ conditions: [approved] }))).toEqual({ kind: 'pending', approved: true });
    expect(csrState(issued())).toEqual({ kind: 'issued', certificatePem: CERT_PEM });
    expect(
      csrState(
        csr({ conditions: [{ type: 'Denied', status: 'True', reason: 'No', message: 'nope' }] }),
      ),
    ).toEqual({ kind: 'denied', reason: 'No', message: 'nope' });
    expect(
      csrState(
        csr({
          conditions: [
            approved,
            { type: 'Failed', status: 'True', reason: 'SignerValidationFailure' },
          ],
        }),
      ),
    ).toEqual({ kind: 'failed', reason: 'SignerValidationFailure', message: '' });
  });

  it('does not trust a certificate next to a Denied condition', () => {
    const both = issued();
    both.status?.conditions?.push({ type: 'Denied', status: 'True' });
    expect(csrState(both).kind).toBe('denied');
  });
});

/** A watch the test feeds by hand. */
class FakeWatch implements WatchStream<CertificateSigningRequest> {
  readonly #queue: (WatchEvent<CertificateSigningRequest> | Error | 'end')[] = [];
  #wake: (() => void) | undefined;
  closed = false;

  push(item: WatchEvent<CertificateSigningRequest> | Error | 'end'): void {
    this.#queue.push(item);
    this.#wake?.();
  }

  close(): void {
    this.closed = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<CertificateSigningRequest>> {
    for (;;) {
      const item = this.#queue.shift();
      if (item === undefined) {
        if (this.closed) return;
        await new Promise<void>(resolve => {
          this.#wake = resolve;
        });
        continue;
      }
      if (item === 'end') return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

/** get/watch/create over one CSR; everything else is not needed here. */
class FakeCsrClient {
  current: CertificateSigningRequest | Error;
  readonly watches: FakeWatch[] = [];
  readonly watchOptions: { resourceVersion?: string; signal: AbortSignal }[] = [];
  watchFailure: Error | undefined;
  gets = 0;
  created: unknown[] = [];

  constructor(current: CertificateSigningRequest | Error) {
    this.current = current;
  }

  get client(): KubeClient {
    return {
      get: async (ref: ResourceRef) => {
        this.gets += 1;
        expect(ref).toMatchObject({ group: 'certificates.k8s.io', name: 'csr-abc' });
        if (this.current instanceof Error) throw this.current;
        return structuredClone(this.current);
      },
      watch: async (
        ref: ResourceRef,
        options: { resourceVersion?: string; signal: AbortSignal },
      ) => {
        expect(ref).toMatchObject({ resource: 'certificatesigningrequests', name: 'csr-abc' });
        this.watchOptions.push(options);
        if (this.watchFailure) throw this.watchFailure;
        const watch = new FakeWatch();
        options.signal.addEventListener('abort', () => {
          watch.push(options.signal.reason as Error);
        });
        this.watches.push(watch);
        return watch;
      },
      create: async (_ref: ResourceRef, body: CertificateSigningRequest) => {
        this.created.push(body);
        return { ...body, metadata: { name: 'csr-abc' } };
      },
    } as unknown as KubeClient;
  }
}

const noSleep = { sleeps: [] as number[] };
function recordSleep(ms: number): Promise<void> {
  noSleep.sleeps.push(ms);
  return Promise.resolve();
}

describe('waitForCertificate', () => {
  it('watches from the version it read until the request is approved and signed', async () => {
    const fake = new FakeCsrClient(csr());
    const log = recordingLogger();
    const waiting = waitForCertificate(fake.client, 'csr-abc', new AbortController().signal, {
      logger: log,
    });
    await until(() => fake.watches.length === 1);
    expect(fake.watchOptions[0]?.resourceVersion).toBe('7');
    const watch = fake.watches[0]!;
    watch.push({ type: 'MODIFIED', object: csr({ conditions: [approved] }) });
    watch.push({ type: 'MODIFIED', object: issued() });
    await expect(waiting).resolves.toBe(CERT_PEM);
    expect(watch.closed).toBe(true);
    expect(log.lines.map(l => l.message)).toContain(
      'serving certificate request approved, waiting for the signer',
    );
  });

  it('answers at once when the certificate is already there', async () => {
    const fake = new FakeCsrClient(issued());
    await expect(
      waitForCertificate(fake.client, 'csr-abc', new AbortController().signal),
    ).resolves.toBe(CERT_PEM);
    expect(fake.watches).toHaveLength(0);
  });

  it('rejects with the reason when the request is denied', async () => {
    const fake = new FakeCsrClient(csr());
    const waiting = waitForCertificate(fake.client, 'csr-abc', new AbortController().signal);
    await until(() => fake.watches.length === 1);
    fake.watches[0]!.push({
      type: 'MODIFIED',
      object: csr({
        conditions: [
          { type: 'Denied', status: 'True', reason: 'NotOurNode', message: 'who are you' },
        ],
      }),
    });
    const err: unknown = await waiting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsrRefusedError);
    expect(isInvalidInput(err)).toBe(true);
    expect((err as Error).message).toBe(
      'certificate signing request csr-abc was denied, reason: NotOurNode, message: who are you',
    );
  });

  it('rejects when the signer failed the request', async () => {
    const fake = new FakeCsrClient(
      csr({ conditions: [approved, { type: 'Failed', status: 'True', reason: 'Bad' }] }),
    );
    await expect(
      waitForCertificate(fake.client, 'csr-abc', new AbortController().signal),
    ).rejects.toThrow('certificate signing request csr-abc failed, reason: Bad');
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    const fake = new FakeCsrClient(csr());
    const stop = new AbortController();
    const waiting = waitForCertificate(fake.client, 'csr-abc', stop.signal);
    await until(() => fake.watches.length === 1);
    const reason = new Error('shutting down');
    stop.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('polls with backoff when it cannot watch', async () => {
    const fake = new FakeCsrClient(csr());
    fake.watchFailure = new TransientError('watch refused');
    noSleep.sleeps.length = 0;
    const waiting = waitForCertificate(fake.client, 'csr-abc', new AbortController().signal, {
      sleep: async ms => {
        await recordSleep(ms);
        if (noSleep.sleeps.length === 3) fake.current = issued();
      },
      backoff: { initialMs: 100, maxMs: 400, jitter: 0 },
    });
    await expect(waiting).resolves.toBe(CERT_PEM);
    expect(noSleep.sleeps).toEqual([100, 200, 400]);
    expect(fake.gets).toBe(4);
  });

  it('reads again at once when the server ends the watch', async () => {
    const fake = new FakeCsrClient(csr());
    const waiting = waitForCertificate(fake.client, 'csr-abc', new AbortController().signal, {
      sleep: () => Promise.reject(new Error('must not sleep')),
    });
    await until(() => fake.watches.length === 1);
    fake.current = issued();
    fake.watches[0]!.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '8' } } });
    fake.watches[0]!.push('end');
    await expect(waiting).resolves.toBe(CERT_PEM);
    expect(fake.gets).toBe(2);
  });

  it('backs off when watches end before any event (no hot loop)', async () => {
    const fake = new FakeCsrClient(csr());
    const sleeps: number[] = [];
    const waiting = waitForCertificate(fake.client, 'csr-abc', new AbortController().signal, {
      sleep: async ms => {
        sleeps.push(ms);
        if (sleeps.length === 2) fake.current = issued();
      },
      backoff: { initialMs: 100, maxMs: 400, jitter: 0 },
    });
    await until(() => fake.watches.length === 1);
    fake.watches[0]!.push('end');
    await until(() => fake.watches.length === 2);
    fake.watches[1]!.push('end');
    await expect(waiting).resolves.toBe(CERT_PEM);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up when the request is deleted', async () => {
    const fake = new FakeCsrClient(csr());
    const waiting = waitForCertificate(fake.client, 'csr-abc', new AbortController().signal);
    await until(() => fake.watches.length === 1);
    fake.watches[0]!.push({ type: 'DELETED', object: csr() });
    await expect(waiting).rejects.toBeInstanceOf(CsrDeletedError);

    const gone = new FakeCsrClient(new NotFoundError('not found'));
    await expect(
      waitForCertificate(gone.client, 'csr-abc', new AbortController().signal),
    ).rejects.toBeInstanceOf(CsrDeletedError);
  });

  it('gives up with a TransientError after timeoutMs', async () => {
    const fake = new FakeCsrClient(csr());
    const err: unknown = await waitForCertificate(
      fake.client,
      'csr-abc',
      new AbortController().signal,
      { timeoutMs: 50 },
    ).catch((e: unknown) => e);
    expect(isTransient(err)).toBe(true);
    expect((err as Error).message).toMatch(/csr-abc was not approved and signed within 50 ms/);
  });
});

describe('requestServingCertificate', () => {
  it('creates the CSR, names it in the log, and refuses a certificate for another key', async () => {
    const other = await selfSignedServingCertificate({ commonName: 'x', hosts: ['x'] });
    const fake = new FakeCsrClient(issued(other.certPem));
    const log = recordingLogger();
    const names: string[] = [];
    const err: unknown = await requestServingCertificate(
      fake.client,
      new AbortController().signal,
      {
        nodeName: 'vk-1',
        hosts: ['127.0.0.1'],
        logger: log,
        onCreated: name => names.push(name),
      },
    ).catch((e: unknown) => e);
    expect(names).toEqual(['csr-abc']);
    expect(fake.created).toEqual([
      expect.objectContaining({
        metadata: { generateName: 'csr-' },
        spec: expect.objectContaining({ signerName: 'kubernetes.io/kubelet-serving' }),
      }),
    ]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: expect.stringContaining('kubectl certificate approve csr-abc'),
      }),
    );
    expect(isInvalidInput(err)).toBe(true);
    expect((err as Error).message).toContain('not for the requested key');
  });
});
