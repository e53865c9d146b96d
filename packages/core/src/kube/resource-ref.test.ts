import { describe, expect, it } from 'vitest';
import { isInvalidInput } from '../errors/errors.ts';
import {
  parseResourcePath,
  queryString,
  resourceLabel,
  resourcePath,
  Resources,
  type ResourceRef,
} from './resource-ref.ts';

describe(resourcePath, () => {
  it.each<[ResourceRef, string]>([
    [{ version: 'v1', resource: 'nodes' }, '/api/v1/nodes'],
    [{ version: 'v1', resource: 'nodes', name: 'n1' }, '/api/v1/nodes/n1'],
    [
      { version: 'v1', resource: 'nodes', name: 'n1', subresource: 'status' },
      '/api/v1/nodes/n1/status',
    ],
    [{ ...Resources.pods, namespace: 'ns' }, '/api/v1/namespaces/ns/pods'],
    [
      { ...Resources.pods, namespace: 'ns', name: 'web', subresource: 'status' },
      '/api/v1/namespaces/ns/pods/web/status',
    ],
    [
      { ...Resources.serviceAccounts, namespace: 'ns', name: 'default', subresource: 'token' },
      '/api/v1/namespaces/ns/serviceaccounts/default/token',
    ],
    [
      { ...Resources.leases, namespace: 'kube-node-lease', name: 'node-1' },
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1',
    ],
    [Resources.tokenReviews, '/apis/authentication.k8s.io/v1/tokenreviews'],
    [
      { ...Resources.certificateSigningRequests, name: 'csr-1', subresource: 'approval' },
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval',
    ],
    [{ group: '', version: 'v1', resource: 'namespaces', name: 'a' }, '/api/v1/namespaces/a'],
  ])('%j is %s', (ref, path) => {
    expect(resourcePath(ref)).toBe(path);
  });

  it('escapes segments', () => {
    expect(resourcePath({ version: 'v1', resource: 'nodes', name: 'a/b c' })).toBe(
      '/api/v1/nodes/a%2Fb%20c',
    );
  });

  it.each<ResourceRef>([
    { version: 'v1', resource: 'pods', namespace: 'ns', subresource: 'status' },
    { version: '', resource: 'pods' },
    { version: 'v1', resource: '' },
    { version: 'v1', resource: 'pods', namespace: '' },
    { version: 'v1', resource: 'pods', name: '' },
  ])('refuses %j', ref => {
    let caught: unknown;
    try {
      resourcePath(ref);
    } catch (err) {
      caught = err;
    }
    expect(isInvalidInput(caught)).toBe(true);
  });
});

describe(parseResourcePath, () => {
  it('reads back what resourcePath writes', () => {
    const refs: ResourceRef[] = [
      { ...Resources.pods, namespace: 'ns', name: 'web', subresource: 'status' },
      { ...Resources.leases, namespace: 'kube-node-lease', name: 'node-1' },
      { ...Resources.nodes, name: 'n1' },
      Resources.subjectAccessReviews,
      { ...Resources.namespaces, name: 'ns', subresource: 'status' },
    ];
    for (const ref of refs) expect(parseResourcePath(resourcePath(ref))).toEqual(ref);
    expect(parseResourcePath('/api/v1/namespaces/ns/pods?watch=true')).toEqual({
      version: 'v1',
      resource: 'pods',
      namespace: 'ns',
    });
  });

  it('says undefined for non-resource paths', () => {
    expect(parseResourcePath('/healthz')).toBeUndefined();
    expect(parseResourcePath('/apis')).toBeUndefined();
    expect(parseResourcePath('/version')).toBeUndefined();
  });
});

describe(queryString, () => {
  it('keeps defined values and escapes them', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ a: undefined })).toBe('');
    expect(
      queryString({ labelSelector: 'app in (a,b)', limit: 5, watch: true, continue: undefined }),
    ).toBe('?labelSelector=app+in+%28a%2Cb%29&limit=5&watch=true');
  });
});

describe(resourceLabel, () => {
  it('names the subresource too', () => {
    expect(resourceLabel(Resources.pods)).toBe('pods');
    expect(resourceLabel({ ...Resources.pods, name: 'x', subresource: 'status' })).toBe(
      'pods/status',
    );
  });
});
