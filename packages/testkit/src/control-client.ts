/**
 * Drives a testkit API server running in another process through its /testkit/v1 control API
 * (faults, request counts, restart, authorization rules), using the admin kubeconfig's token.
 */
import { request } from 'node:https';
import type { AccessRule, DefaultPolicy } from './server/auth.ts';
import type { FaultOperation } from './server/control.ts';
import type { RequestCount } from './server/request-counter.ts';

export interface TestkitEndpoint {
  readonly url: string;
  readonly caPem: string;
  readonly token: string;
}

export class TestkitControlClient {
  private readonly endpoint: TestkitEndpoint;

  constructor(endpoint: TestkitEndpoint) {
    this.endpoint = endpoint;
  }

  fault(op: FaultOperation): Promise<Record<string, unknown>> {
    return this.call('POST', '/testkit/v1/faults', op) as Promise<Record<string, unknown>>;
  }

  async requests(userAgent?: string): Promise<RequestCount[]> {
    const query = userAgent === undefined ? '' : `?userAgent=${encodeURIComponent(userAgent)}`;
    const body = (await this.call('GET', `/testkit/v1/requests${query}`)) as {
      items: RequestCount[];
    };
    return body.items;
  }

  async resetRequests(): Promise<void> {
    await this.call('DELETE', '/testkit/v1/requests');
  }

  async restart(downtimeMs = 0): Promise<void> {
    await this.call('POST', '/testkit/v1/restart', { downtimeMs });
  }

  async authorization(defaultPolicy: DefaultPolicy, rules: readonly AccessRule[]): Promise<void> {
    await this.call('POST', '/testkit/v1/authorization', { defaultPolicy, rules });
  }

  async addToken(token: string, username: string, groups: readonly string[] = []): Promise<void> {
    await this.call('POST', '/testkit/v1/tokens', { token, username, groups });
  }

  clientCertificate(
    user: string,
    groups: readonly string[] = [],
  ): Promise<{ certPem: string; keyPem: string }> {
    return this.call('POST', '/testkit/v1/client-certificates', { user, groups }) as Promise<{
      certPem: string;
      keyPem: string;
    }>;
  }

  servingCertificate(options: {
    commonName: string;
    dnsNames?: readonly string[];
    ipAddresses?: readonly string[];
  }): Promise<{ certPem: string; keyPem: string }> {
    return this.call('POST', '/testkit/v1/serving-certificates', options) as Promise<{
      certPem: string;
      keyPem: string;
    }>;
  }

  private call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.endpoint.url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.endpoint.caPem,
          headers: {
            Authorization: `Bearer ${this.endpoint.token}`,
            ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 300) {
              reject(
                new Error(
                  `testkit control ${method} ${path} answered ${res.statusCode ?? 0}: ${text}`,
                ),
              );
              return;
            }
            resolve(text === '' ? {} : (JSON.parse(text) as unknown));
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
