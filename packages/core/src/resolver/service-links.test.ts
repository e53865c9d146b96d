import type { Service } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import { hasClusterIP, serviceEnvironment, serviceEnvVars } from './service-links.ts';

const svc = (
  namespace: string,
  name: string,
  clusterIP: string,
  ports: Service['spec'] = {},
): Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ...ports },
});

describe(serviceEnvVars, () => {
  it('generates host, ports, named ports and Docker-link vars for every port, in kubelet order', () => {
    const service = svc('apps', 'my-db', '10.0.0.11', {
      ports: [
        { name: 'sql', port: 5432 },
        { name: 'metrics-http', port: 9187, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    });
    expect(serviceEnvVars(service)).toEqual([
      ['MY_DB_SERVICE_HOST', '10.0.0.11'],
      ['MY_DB_SERVICE_PORT', '5432'],
      ['MY_DB_SERVICE_PORT_SQL', '5432'],
      ['MY_DB_SERVICE_PORT_METRICS_HTTP', '9187'],
      ['MY_DB_PORT', 'tcp://10.0.0.11:5432'],
      ['MY_DB_PORT_5432_TCP', 'tcp://10.0.0.11:5432'],
      ['MY_DB_PORT_5432_TCP_PROTO', 'tcp'],
      ['MY_DB_PORT_5432_TCP_PORT', '5432'],
      ['MY_DB_PORT_5432_TCP_ADDR', '10.0.0.11'],
      ['MY_DB_PORT_9187_TCP', 'tcp://10.0.0.11:9187'],
      ['MY_DB_PORT_9187_TCP_PROTO', 'tcp'],
      ['MY_DB_PORT_9187_TCP_PORT', '9187'],
      ['MY_DB_PORT_9187_TCP_ADDR', '10.0.0.11'],
      ['MY_DB_PORT_53_UDP', 'udp://10.0.0.11:53'],
      ['MY_DB_PORT_53_UDP_PROTO', 'udp'],
      ['MY_DB_PORT_53_UDP_PORT', '53'],
      ['MY_DB_PORT_53_UDP_ADDR', '10.0.0.11'],
    ]);
  });

  it('brackets an IPv6 cluster IP in URLs only', () => {
    const vars = new Map(
      serviceEnvVars(svc('apps', 'v6', 'fd00::a', { ports: [{ port: 80, protocol: 'SCTP' }] })),
    );
    expect(vars.get('V6_SERVICE_HOST')).toBe('fd00::a');
    expect(vars.get('V6_PORT')).toBe('sctp://[fd00::a]:80');
    expect(vars.get('V6_PORT_80_SCTP_ADDR')).toBe('fd00::a');
  });

  it('gives nothing for headless or ExternalName services and only the host for a portless one', () => {
    expect(serviceEnvVars(svc('apps', 'headless', 'None', { ports: [{ port: 80 }] }))).toEqual([]);
    expect(serviceEnvVars(svc('apps', 'external', '', { ports: [{ port: 80 }] }))).toEqual([]);
    expect(serviceEnvVars(svc('apps', 'odd', '10.0.0.1'))).toEqual([
      ['ODD_SERVICE_HOST', '10.0.0.1'],
    ]);
    expect(hasClusterIP({ metadata: { name: 'x' } })).toBe(false);
  });
});

describe(serviceEnvironment, () => {
  const kubernetes = svc('default', 'kubernetes', '10.96.0.1', {
    ports: [{ name: 'https', port: 443 }],
  });
  const other = svc('default', 'other', '10.96.0.2', { ports: [{ port: 80 }] });
  const own = [
    svc('apps', 'zeta', '10.0.0.3', { ports: [{ port: 3 }] }),
    svc('apps', 'alpha', '10.0.0.1', { ports: [{ port: 1 }] }),
    svc('apps', 'headless', 'None', { ports: [{ port: 2 }] }),
  ];

  it('includes the namespace services (sorted by name) and default/kubernetes when links are on', () => {
    const env = serviceEnvironment('apps', true, own, [kubernetes, other]);
    const hosts = [...env.keys()].filter(k => k.endsWith('_SERVICE_HOST'));
    expect(hosts).toEqual(['ALPHA_SERVICE_HOST', 'KUBERNETES_SERVICE_HOST', 'ZETA_SERVICE_HOST']);
    expect(env.get('KUBERNETES_SERVICE_PORT_HTTPS')).toBe('443');
    expect(env.has('OTHER_SERVICE_HOST')).toBe(false);
  });

  it('keeps only default/kubernetes when links are off', () => {
    const env = serviceEnvironment('apps', false, own, [kubernetes, other]);
    expect([...env.keys()]).toEqual([
      'KUBERNETES_SERVICE_HOST',
      'KUBERNETES_SERVICE_PORT',
      'KUBERNETES_SERVICE_PORT_HTTPS',
      'KUBERNETES_PORT',
      'KUBERNETES_PORT_443_TCP',
      'KUBERNETES_PORT_443_TCP_PROTO',
      'KUBERNETES_PORT_443_TCP_PORT',
      'KUBERNETES_PORT_443_TCP_ADDR',
    ]);
  });

  it('lets a service named kubernetes in the pod namespace win, as the kubelet does', () => {
    const local = svc('apps', 'kubernetes', '10.0.0.99', { ports: [{ port: 8443 }] });
    const env = serviceEnvironment('apps', true, [local], [kubernetes]);
    expect(env.get('KUBERNETES_SERVICE_HOST')).toBe('10.0.0.99');
  });

  it('does not depend on the order services are listed in', () => {
    const a = serviceEnvironment('apps', true, own, [kubernetes]);
    const b = serviceEnvironment('apps', true, [...own].reverse(), [kubernetes]);
    expect([...a]).toEqual([...b]);
  });
});
