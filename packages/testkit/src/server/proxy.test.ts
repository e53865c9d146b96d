import { createServer, type Server } from 'node:https';
import { connect, TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../test-support/raw-client.ts';
import { TestApiServer } from './api-server.ts';

type Obj = Record<string, any>;

let server: TestApiServer;
let api: RawClient;
let kubelet: Server;
const seen: { path: string; user: string | undefined }[] = [];

beforeAll(async () => {
  server = await TestApiServer.start();
  api = new RawClient({ url: server.url, caPem: server.caPem, token: server.adminToken });
  const cert = await server.ca.issueServerCertificate({
    commonName: 'fake-kubelet',
    ipAddresses: ['127.0.0.1'],
  });
  kubelet = createServer(
    { cert: cert.certPem, key: cert.keyPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket;
      const cn = socket instanceof TLSSocket ? socket.getPeerCertificate().subject.CN : undefined;
      const user = Array.isArray(cn) ? cn[0] : cn;
      seen.push({ path: req.url ?? '', user });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`kubelet saw ${req.url ?? ''}`);
    },
  );
  kubelet.on('upgrade', (req: IncomingMessage, socket) => {
    seen.push({ path: req.url ?? '', user: undefined });
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n',
    );
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
  });
  await new Promise<void>(resolve => kubelet.listen(0, '127.0.0.1', resolve));
  const port = (kubelet.address() as { port: number }).port;
  await api.post('/api/v1/nodes', {
    metadata: { name: 'vk' },
    status: {
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
    },
  });
  await api.post('/api/v1/namespaces/default/pods', {
    metadata: { name: 'two' },
    spec: {
      nodeName: 'vk',
      containers: [
        { name: 'a', image: 'i' },
        { name: 'b', image: 'i' },
      ],
    },
  });
  await api.post('/api/v1/namespaces/default/pods', {
    metadata: { name: 'one' },
    spec: { nodeName: 'vk', containers: [{ name: 'only', image: 'i' }] },
  });
  await api.post('/api/v1/namespaces/default/pods', {
    metadata: { name: 'homeless' },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  });
});

afterAll(async () => {
  kubelet.close();
  await server.stop();
});

describe('kubelet proxy', () => {
  it('relays pods/log to /containerLogs with the query and the kubelet client certificate', async () => {
    const res = await api.get('/api/v1/namespaces/default/pods/one/log?tailLines=5&follow=false');
    expect(res.status).toBe(200);
    expect(res.text).toBe('kubelet saw /containerLogs/default/one/only?tailLines=5&follow=false');
    expect(seen.at(-1)?.user).toBe('kube-apiserver-kubelet-client');
  });

  it('asks for a container when a pod has several, and rejects unknown ones', async () => {
    const res = await api.get('/api/v1/namespaces/default/pods/two/log');
    expect(res.status).toBe(400);
    expect((res.body as Obj).message).toBe(
      'a container name must be specified for pod two, choose one of: [a b]',
    );
    expect((await api.get('/api/v1/namespaces/default/pods/two/log?container=b')).text).toBe(
      'kubelet saw /containerLogs/default/two/b',
    );
    const bad = await api.get('/api/v1/namespaces/default/pods/two/log?container=zzz');
    expect((bad.body as Obj).message).toBe('container zzz is not valid for pod two');
  });

  it('refuses pods without a node', async () => {
    const res = await api.get('/api/v1/namespaces/default/pods/homeless/log');
    expect(res.status).toBe(400);
    expect((res.body as Obj).message).toBe('pod homeless does not have a host assigned');
  });

  it('relays nodes/proxy paths', async () => {
    const res = await api.get('/api/v1/nodes/vk/proxy/stats/summary');
    expect(res.text).toBe('kubelet saw /stats/summary');
  });

  it('passes upgrades through byte for byte', async () => {
    const socket = connect({
      host: '127.0.0.1',
      port: server.port,
      ca: server.caPem,
      servername: 'localhost',
    });
    await new Promise<void>(resolve => socket.once('secureConnect', resolve));
    socket.write(
      'POST /api/v1/namespaces/default/pods/one/exec?command=sh&stdout=true HTTP/1.1\r\n' +
        `Host: 127.0.0.1\r\nAuthorization: Bearer ${server.adminToken}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n`,
    );
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (received.includes('\r\n\r\n') && !received.includes('echo:')) socket.write('ping');
    });
    await expect.poll(() => received, { timeout: 5000 }).toContain('echo:ping');
    expect(received.startsWith('HTTP/1.1 101')).toBe(true);
    expect(seen.at(-1)?.path).toBe('/exec/default/one/only?command=sh&stdout=true');
    socket.destroy();
  });

  it('rejects an unauthenticated upgrade with 401', async () => {
    const socket = connect({
      host: '127.0.0.1',
      port: server.port,
      ca: server.caPem,
      servername: 'localhost',
    });
    await new Promise<void>(resolve => socket.once('secureConnect', resolve));
    socket.write(
      'GET /api/v1/namespaces/default/pods/one/exec HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    await expect.poll(() => received).toContain('HTTP/1.1 401');
    socket.destroy();
  });
});
