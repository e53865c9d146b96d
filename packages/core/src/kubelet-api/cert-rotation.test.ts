import { describe, expect, it } from 'vitest';
import { isIllegalState, TransientError } from '../errors/errors.ts';
import {
  CertificateRotation,
  rotatedServingSource,
  rotationDeadline,
  type RotatingCertificate,
} from './cert-rotation.ts';
import { FakeClock } from './test-support/fake-clock.ts';
import { until } from './test-support/https-client.ts';
import { recordingLogger } from './test-support/recording-logger.ts';

const HOUR = 3_600_000;

/** Certificates valid from `now` for `validityMs`, numbered in the order they are issued. */
function issuer(clock: FakeClock, validityMs: number, failures: readonly number[] = []) {
  const issued: RotatingCertificate[] = [];
  let calls = 0;
  const issue = async (signal: AbortSignal): Promise<RotatingCertificate> => {
    calls += 1;
    signal.throwIfAborted();
    if (failures.includes(calls)) throw new TransientError(`CSR ${calls} denied`);
    const n = issued.length + 1;
    const cert = {
      certPem: `cert-${n}`,
      keyPem: `key-${n}`,
      notBefore: new Date(clock.now()),
      notAfter: new Date(clock.now() + validityMs),
    };
    issued.push(cert);
    return cert;
  };
  return {
    issue,
    issued,
    get calls() {
      return calls;
    },
  };
}

describe('rotationDeadline', () => {
  const validity = { notBefore: new Date(10_000), notAfter: new Date(11_000) };

  it('is 70 % of the validity at the lowest jitter and 90 % at the highest', () => {
    expect(rotationDeadline(validity, () => 0).getTime()).toBe(10_700);
    expect(rotationDeadline(validity, () => 0.5).getTime()).toBe(10_800);
    expect(rotationDeadline(validity, () => 0.999_999).getTime()).toBeGreaterThanOrEqual(10_899);
  });

  it('stays within 70-90 % with real randomness', () => {
    for (let i = 0; i < 200; i++) {
      const at = rotationDeadline(validity).getTime();
      expect(at).toBeGreaterThanOrEqual(10_700);
      expect(at).toBeLessThan(10_900);
    }
  });
});

describe('CertificateRotation', () => {
  it('issues at once, then renews at the jittered deadline and swaps the certificate in', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const certs = issuer(clock, 100_000);
    const seen: [boolean, string][] = [];
    const rotation = new CertificateRotation({
      issue: certs.issue,
      clock,
      random: () => 0.5,
      onCertificate: (first, cert) => {
        seen.push([first, cert.certPem]);
      },
    });
    expect(rotation.current).toBeUndefined();
    const stop = new AbortController();
    const running = rotation.run(stop.signal);
    await until(() => clock.sleeping === 1);
    expect(rotation.current?.certPem).toBe('cert-1');
    expect(seen).toEqual([[true, 'cert-1']]);
    expect(rotation.deadline?.getTime()).toBe(1_700_000_000_000 + 80_000);

    clock.advance(79_999);
    await until(() => clock.sleeping === 1);
    expect(certs.calls).toBe(1);
    clock.advance(1);
    await until(() => certs.calls === 2 && clock.sleeping === 1);
    expect(rotation.current?.certPem).toBe('cert-2');
    expect(seen).toEqual([
      [true, 'cert-1'],
      [false, 'cert-2'],
    ]);
    // The next deadline counts from the new certificate.
    expect(rotation.deadline?.getTime()).toBe(1_700_000_000_000 + 80_000 + 80_000);

    stop.abort();
    await running;
  });

  it('retries a failed first request with backoff and serves nothing meanwhile', async () => {
    const clock = new FakeClock();
    const certs = issuer(clock, 100_000, [1, 2]);
    const log = recordingLogger();
    const rotation = new CertificateRotation({
      issue: certs.issue,
      clock,
      random: () => 0,
      logger: log,
    });
    const source = rotatedServingSource(rotation);
    const stop = new AbortController();
    const running = rotation.run(stop.signal);
    await until(() => clock.sleeping === 1);
    expect(certs.calls).toBe(1);
    expect(clock.sleeps).toEqual([2000]);
    expect(rotation.current).toBeUndefined();
    expect(() => source.load()).toThrow(/no kubelet serving certificate/);
    expect(() => source.load()).toThrow(expect.toSatisfy(isIllegalState));
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('no kubelet serving certificate yet'),
      fields: { err: 'CSR 1 denied', retryInMs: 2000 },
    });

    clock.advance(2000);
    await until(() => certs.calls === 2 && clock.sleeping === 1);
    expect(clock.sleeps).toEqual([2000, 4000]);
    clock.advance(4000);
    await until(() => rotation.current !== undefined);
    expect(source.load()).toMatchObject({ certPem: 'cert-1', keyPem: 'key-1' });
    stop.abort();
    await running;
  });

  it('keeps serving the current certificate when renewal fails, and retries until it works', async () => {
    const clock = new FakeClock();
    const certs = issuer(clock, 10 * HOUR, [2, 3]);
    const log = recordingLogger();
    const rotation = new CertificateRotation({
      issue: certs.issue,
      clock,
      random: () => 0,
      logger: log,
    });
    const stop = new AbortController();
    const running = rotation.run(stop.signal);
    await until(() => rotation.current !== undefined && clock.sleeping === 1);
    clock.advance(7 * HOUR);
    await until(() => certs.calls === 2 && clock.sleeping === 1);
    expect(rotation.current?.certPem).toBe('cert-1');
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('still serving the current certificate'),
    });
    clock.advance(2000);
    await until(() => certs.calls === 3 && clock.sleeping === 1);
    expect(rotation.current?.certPem).toBe('cert-1');
    clock.advance(4000);
    await until(() => certs.calls === 4 && clock.sleeping === 1);
    expect(rotation.current?.certPem).toBe('cert-2');
    // Success resets the backoff: the next failure waits 2 s again.
    expect(clock.sleeps.filter(ms => ms < HOUR)).toEqual([2000, 4000]);
    stop.abort();
    await running;
  });

  it('says when the certificate it still serves has expired', async () => {
    const clock = new FakeClock();
    const certs = issuer(clock, HOUR, [2, 3, 4, 5, 6, 7, 8]);
    const log = recordingLogger();
    const rotation = new CertificateRotation({ issue: certs.issue, clock, logger: log });
    const stop = new AbortController();
    const running = rotation.run(stop.signal);
    await until(() => rotation.current !== undefined && clock.sleeping === 1);
    clock.advance(2 * HOUR);
    await until(() => certs.calls === 2 && clock.sleeping === 1);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringContaining('has expired'),
    });
    stop.abort();
    await running;
  });

  it('waits for a year-long certificate in steps a timer can hold', async () => {
    const clock = new FakeClock();
    const certs = issuer(clock, 365 * 24 * HOUR);
    const rotation = new CertificateRotation({ issue: certs.issue, clock });
    const stop = new AbortController();
    const running = rotation.run(stop.signal);
    await until(() => clock.sleeping === 1);
    expect(clock.sleeps).toEqual([HOUR]);
    clock.advance(HOUR);
    await until(() => clock.sleeps.length === 2);
    expect(certs.calls).toBe(1);
    clock.advance(365 * 24 * HOUR);
    await until(() => certs.calls === 2);
    stop.abort();
    await running;
  });

  it('ends quietly when aborted while waiting or while a request is in flight', async () => {
    const clock = new FakeClock();
    const log = recordingLogger();
    let entered = false;
    const rotation = new CertificateRotation({
      issue: signal =>
        new Promise((_, reject) => {
          entered = true;
          signal.addEventListener('abort', () => {
            reject(signal.reason as Error);
          });
        }),
      clock,
      logger: log,
    });
    const stop = new AbortController();
    const running = rotation.run(stop.signal);
    await until(() => entered);
    stop.abort();
    await running;
    expect(log.lines.filter(l => l.level !== 'debug')).toEqual([]);
  });

  it('fails run when onCertificate fails (the port cannot be bound)', async () => {
    const clock = new FakeClock();
    const certs = issuer(clock, HOUR);
    const rotation = new CertificateRotation({
      issue: certs.issue,
      clock,
      onCertificate: () => Promise.reject(new Error('listen EADDRINUSE')),
    });
    await expect(rotation.run(new AbortController().signal)).rejects.toThrow('EADDRINUSE');
  });
});
