import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FLAG_FIN, GoAwayStatus, RstStatus, SettingsId } from './frames.ts';
import {
  SpdySession,
  waitForStreams,
  type SpdySessionOptions,
  type SpdyStream,
} from './session.ts';
import { RawSpdyPeer, socketPair } from './test-support/spdy-client.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function rawSetup(
  options: SpdySessionOptions = {},
): Promise<{ session: SpdySession; peer: RawSpdyPeer }> {
  const pair = await socketPair();
  const session = new SpdySession(pair.server, options);
  const peer = new RawSpdyPeer(pair.client);
  cleanups.push(() => {
    session.destroy();
    peer.close();
    pair.close();
  });
  return { session, peer };
}

async function sessionPair(
  serverOptions: SpdySessionOptions = {},
  clientOptions: SpdySessionOptions = {},
): Promise<{ server: SpdySession; client: SpdySession }> {
  const pair = await socketPair();
  const server = new SpdySession(pair.server, serverOptions);
  const client = new SpdySession(pair.client, { ...clientOptions, role: 'client' });
  cleanups.push(() => {
    server.destroy();
    client.destroy();
    pair.close();
  });
  return { server, client };
}

function nextStream(session: SpdySession): Promise<SpdyStream> {
  return once(session, 'stream').then(([s]) => s as SpdyStream);
}

async function readAll(stream: SpdyStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('SpdySession: streams', () => {
  it('accepts a client stream, replies, and carries data both ways', async () => {
    const { session, peer } = await rawSetup();
    const streamP = nextStream(session);
    await peer.synStream(1, { streamType: 'stdin', 'x-multi': ['a', 'b'] });
    const stream = await streamP;
    expect(stream.id).toBe(1);
    expect(stream.header('streamType')).toBe('stdin');
    expect(stream.headers['x-multi']).toEqual(['a', 'b']);
    const reply = await peer.takeType('SYN_REPLY');
    expect(reply.streamId).toBe(1);
    expect(reply.headers).toEqual({});

    peer.data(1, 'hello ');
    peer.data(1, 'world', FLAG_FIN);
    expect((await readAll(stream)).toString()).toBe('hello world');

    stream.end('bye');
    expect((await peer.readStream(1)).toString()).toBe('bye');
    if (!stream.closed) await once(stream, 'close');
    expect(session.activeStreams.size).toBe(0);
    expect(stream.resetStatus).toBeUndefined();
  });

  it('keeps the header context in step over many streams', async () => {
    const { session, peer } = await rawSetup();
    const seen: string[] = [];
    session.on('stream', s => {
      seen.push(`${s.id}:${s.header('streamtype') ?? ''}`);
    });
    const types = ['error', 'stdin', 'stdout', 'stderr', 'resize'];
    for (const [i, t] of types.entries()) await peer.synStream(1 + 2 * i, { streamtype: t });
    for (let i = 0; i < types.length; i++) await peer.takeType('SYN_REPLY');
    expect(seen).toEqual(types.map((t, i) => `${1 + 2 * i}:${t}`));
  });

  it('opens streams in the client role and reads the reply', async () => {
    const { server, client } = await sessionPair();
    const seen = nextStream(server);
    server.on('stream', s => {
      s.pipe(s); // echo
    });
    const stream = await client.openStream({ streamType: 'data', port: '80' });
    expect({ ...(await seen).headers }).toEqual({ streamtype: ['data'], port: ['80'] });
    expect(stream.replyHeaders).toEqual({});
    stream.end('ping?');
    expect((await readAll(stream)).toString()).toBe('ping?');
  });

  it('rejects a stream id that goes backwards with GOAWAY(PROTOCOL_ERROR)', async () => {
    const { session, peer } = await rawSetup();
    const errors: Error[] = [];
    session.on('sessionError', e => errors.push(e));
    await peer.synStream(5, { a: 'b' });
    await peer.synStream(3, { a: 'b' });
    const goaway = await peer.takeType('GOAWAY');
    expect(goaway.status).toBe(GoAwayStatus.PROTOCOL_ERROR);
    expect(goaway.lastGoodStreamId).toBe(5);
    await peer.waitClosed();
    expect(errors).toHaveLength(1);
    expect(session.isClosed).toBe(true);
  });

  it('rejects an even (server-side) id from a client', async () => {
    const { peer } = await rawSetup();
    await peer.synStream(2, { a: 'b' });
    expect((await peer.takeType('GOAWAY')).status).toBe(GoAwayStatus.PROTOCOL_ERROR);
  });

  it('answers DATA on an unknown stream with RST_STREAM(INVALID_STREAM)', async () => {
    const { peer } = await rawSetup();
    peer.data(9, 'x');
    const rst = await peer.takeType('RST_STREAM');
    expect(rst).toMatchObject({ streamId: 9, status: RstStatus.INVALID_STREAM });
  });

  it('refuses streams beyond maxConcurrentStreams', async () => {
    const { peer } = await rawSetup({ maxConcurrentStreams: 1 });
    await peer.synStream(1, {});
    await peer.synStream(3, {});
    expect(await peer.takeType('RST_STREAM')).toMatchObject({
      streamId: 3,
      status: RstStatus.REFUSED_STREAM,
    });
  });
});

describe('SpdySession: control frames', () => {
  it('echoes a client PING and round-trips its own', async () => {
    const { session, peer } = await rawSetup();
    peer.send({ type: 'PING', id: 7 });
    expect((await peer.takeType('PING')).id).toBe(7);

    const rtt = session.ping();
    const ping = await peer.takeType('PING');
    expect(ping.id % 2).toBe(0);
    peer.send({ type: 'PING', id: ping.id });
    expect(await rtt).toBeGreaterThanOrEqual(0);
  });

  it('times out an unanswered ping', async () => {
    const { session } = await rawSetup();
    await expect(session.ping(50)).rejects.toThrow(/timed out/);
  });

  it('reports a peer RST_STREAM as reset, not as an error', async () => {
    const { session, peer } = await rawSetup();
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    const stream = await streamP;
    const errors: unknown[] = [];
    stream.on('error', e => errors.push(e));
    const reset = once(stream, 'reset');
    peer.send({ type: 'RST_STREAM', streamId: 1, status: RstStatus.CANCEL });
    expect(await reset).toEqual([RstStatus.CANCEL]);
    if (!stream.closed) await once(stream, 'close');
    expect(stream.resetStatus).toBe(RstStatus.CANCEL);
    expect(errors).toEqual([]);
    expect(session.activeStreams.size).toBe(0);
  });

  it('sends RST_STREAM when the application resets a stream', async () => {
    const { session, peer } = await rawSetup();
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    (await streamP).reset();
    expect(await peer.takeType('RST_STREAM')).toMatchObject({
      streamId: 1,
      status: RstStatus.CANCEL,
    });
  });

  it('closes after a peer GOAWAY once open streams finish', async () => {
    const { session, peer } = await rawSetup();
    const goaway = once(session, 'goaway');
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    const stream = await streamP;
    peer.send({ type: 'GOAWAY', lastGoodStreamId: 0, status: GoAwayStatus.OK });
    expect(await goaway).toEqual([0, GoAwayStatus.OK]);
    expect(session.isClosed).toBe(false);
    peer.data(1, '', FLAG_FIN);
    stream.resume();
    stream.end();
    await peer.waitClosed();
    expect(session.isClosed).toBe(true);
  });

  it('close() sends GOAWAY(OK) with the last accepted stream and refuses new streams', async () => {
    const { session, peer } = await rawSetup();
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    const stream = await streamP;
    session.close();
    const goaway = await peer.takeType('GOAWAY');
    expect(goaway).toMatchObject({ lastGoodStreamId: 1, status: GoAwayStatus.OK });
    await peer.synStream(3, {});
    expect(await peer.takeType('RST_STREAM')).toMatchObject({
      streamId: 3,
      status: RstStatus.REFUSED_STREAM,
    });
    stream.resume();
    peer.data(1, '', FLAG_FIN);
    stream.end();
    await peer.waitClosed();
  });

  it('GOAWAY + close after idleTimeoutMs with no frames', async () => {
    const { session, peer } = await rawSetup({ idleTimeoutMs: 150 });
    const started = Date.now();
    // Activity postpones the timeout.
    await new Promise(r => setTimeout(r, 100));
    peer.send({ type: 'PING', id: 1 });
    await peer.takeType('PING');
    const goaway = await peer.takeType('GOAWAY', 2000);
    expect(goaway.status).toBe(GoAwayStatus.OK);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    await peer.waitClosed();
    expect(session.isClosed).toBe(true);
  });

  it('sends keepalive PINGs and stays open while the peer answers them', async () => {
    const { session, peer } = await rawSetup({ keepaliveMs: 40 });
    for (let i = 0; i < 4; i++) {
      const ping = await peer.takeType('PING', 1000);
      expect(ping.id % 2).toBe(0);
      peer.send({ type: 'PING', id: ping.id });
    }
    expect(session.isClosed).toBe(false);
  });

  it('destroys the session when a keepalive PING goes unanswered', async () => {
    const { session } = await rawSetup({ keepaliveMs: 40 });
    const started = Date.now();
    await once(session, 'close');
    // One interval to send the PING, one more to find it unanswered.
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(session.isClosed).toBe(true);
  });

  it('keepalive PINGs and their answers do not hold an idle session open', async () => {
    const { session, peer } = await rawSetup({ idleTimeoutMs: 250, keepaliveMs: 40 });
    const started = Date.now();
    let answered = 0;
    const answer = async (): Promise<void> => {
      for (;;) {
        const f = await peer.take(x => x.type === 'PING' || x.type === 'GOAWAY', 2000);
        if (f.type !== 'PING') return;
        answered++;
        peer.send({ type: 'PING', id: f.id });
      }
    };
    await answer();
    expect(answered).toBeGreaterThanOrEqual(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    await peer.waitClosed();
    expect(session.isClosed).toBe(true);
  });

  it('does not call a peer dead while its answers wait behind a full stream buffer', async () => {
    // 100 ms between PINGs: short enough for several to go unanswered while the buffer is full,
    // long enough that a busy test machine's scheduling does not count as a dead peer.
    const { session, peer } = await rawSetup({ keepaliveMs: 100 });
    const streamP = nextStream(session);
    await peer.synStream(1, { streamtype: 'data' });
    const stream = await streamP;
    // A Go-style peer ignores windows: 300 KiB fills the 128 KiB buffer and pauses the socket.
    for (let i = 0; i < 10; i++) peer.data(1, Buffer.alloc(30 * 1024, i));
    await new Promise(r => setTimeout(r, 50));
    // Answer its PINGs at once; the answers sit unread behind the data.
    let answering = true;
    const answer = async (): Promise<void> => {
      // Stops once the connection ends: take() then fails at once, and looping on it would
      // starve the event loop (the test would hang instead of failing on its assertions).
      while (answering && !peer.ended) {
        const ping = await peer.takeType('PING', 5000).catch(() => undefined);
        if (ping) peer.send({ type: 'PING', id: ping.id });
      }
    };
    const answered = answer();
    try {
      await new Promise(r => setTimeout(r, 500));
      expect(session.isClosed).toBe(false);
      let total = 0;
      stream.on('data', (c: Buffer) => (total += c.length));
      peer.data(1, '', FLAG_FIN);
      await once(stream, 'end');
      expect(total).toBe(300 * 1024);
      await new Promise(r => setTimeout(r, 300));
      expect(session.isClosed).toBe(false);
    } finally {
      answering = false;
    }
    await answered;
  });

  it('turns garbage on the wire into GOAWAY(PROTOCOL_ERROR) without throwing', async () => {
    const { session, peer } = await rawSetup();
    const errors: Error[] = [];
    session.on('sessionError', e => errors.push(e));
    peer.write(Buffer.from('80020006000000040000000180', 'hex')); // SPDY/2 PING
    expect((await peer.takeType('GOAWAY')).status).toBe(GoAwayStatus.PROTOCOL_ERROR);
    await peer.waitClosed();
    expect(errors[0]?.message).toMatch(/version 2/);
  });

  it('treats an oversized frame and a corrupt header block as session errors', async () => {
    const a = await rawSetup({ maxFramePayload: 1024 });
    a.peer.data(1, Buffer.alloc(2048));
    expect((await a.peer.takeType('GOAWAY')).status).toBe(GoAwayStatus.PROTOCOL_ERROR);

    const b = await rawSetup();
    b.peer.send({
      type: 'SYN_STREAM',
      streamId: 1,
      associatedStreamId: 0,
      priority: 0,
      slot: 0,
      flags: 0,
      headerBlock: Buffer.from('junk'),
    });
    expect((await b.peer.takeType('GOAWAY')).status).toBe(GoAwayStatus.PROTOCOL_ERROR);
  });

  it('ignores unknown control frame types', async () => {
    const { peer } = await rawSetup();
    peer.send({ type: 'UNKNOWN', controlType: 10, flags: 0, payload: Buffer.from('cred') });
    peer.send({ type: 'PING', id: 3 });
    expect((await peer.takeType('PING')).id).toBe(3);
    expect(peer.frames.find(f => f.type === 'GOAWAY')).toBeUndefined();
  });
});

describe('SpdySession: flow control', () => {
  it('stops sending when the peer window is exhausted and resumes on WINDOW_UPDATE', async () => {
    const { session, peer } = await rawSetup({ sendFlowControl: true });
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    const stream = await streamP;
    let finished = false;
    stream.end(Buffer.alloc(200 * 1024, 7), () => {
      finished = true;
    });
    const received = async (until: number): Promise<number> => {
      let n = 0;
      while (n < until) {
        const f = await peer.take(x => x.type === 'DATA' && x.streamId === 1, 2000);
        if (f.type === 'DATA') n += f.data.length;
      }
      return n;
    };
    expect(await received(65536)).toBe(65536);
    // Nothing more may come until we open the window.
    await new Promise(r => setTimeout(r, 200));
    expect(peer.frames.filter(f => f.type === 'DATA')).toHaveLength(0);
    expect(finished).toBe(false);

    // Stream window alone is not enough: the SPDY/3.1 session window is exhausted too.
    peer.send({ type: 'WINDOW_UPDATE', streamId: 1, delta: 1 << 20 });
    await new Promise(r => setTimeout(r, 100));
    expect(peer.frames.filter(f => f.type === 'DATA')).toHaveLength(0);
    peer.send({ type: 'WINDOW_UPDATE', streamId: 0, delta: 1 << 20 });
    const rest = await peer.readStream(1);
    expect(rest.length).toBe(200 * 1024 - 65536);
    expect(finished).toBe(true);
  });

  it('a reset while a write waits for window ends the write quietly', async () => {
    const { session, peer } = await rawSetup({ sendFlowControl: true });
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    const stream = await streamP;
    const errors: unknown[] = [];
    stream.on('error', e => errors.push(e));
    let callbackErr: unknown = 'not called';
    stream.write(Buffer.alloc(100 * 1024), err => {
      callbackErr = err;
    });
    let n = 0;
    while (n < 65536) {
      const f = await peer.takeType('DATA');
      n += f.data.length;
    }
    peer.send({ type: 'RST_STREAM', streamId: 1, status: RstStatus.CANCEL });
    if (!stream.closed) await once(stream, 'close');
    await new Promise(r => setTimeout(r, 20));
    expect(errors).toEqual([]);
    expect(callbackErr).not.toBe('not called');
    expect(session.isClosed).toBe(false);
    peer.send({ type: 'PING', id: 5 });
    expect((await peer.takeType('PING')).id).toBe(5);
  });

  it('applies SETTINGS_INITIAL_WINDOW_SIZE to open streams', async () => {
    const { session, peer } = await rawSetup({ sendFlowControl: true });
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    const stream = await streamP;
    peer.send({
      type: 'SETTINGS',
      flags: 0,
      settings: [{ flags: 0, id: SettingsId.INITIAL_WINDOW_SIZE, value: 1000 }],
    });
    peer.send({ type: 'PING', id: 1 });
    await peer.takeType('PING'); // settings processed
    stream.write(Buffer.alloc(5000));
    const f = await peer.takeType('DATA');
    expect(f.data.length).toBe(1000);
    await new Promise(r => setTimeout(r, 100));
    expect(peer.frames.filter(x => x.type === 'DATA')).toHaveLength(0);
  });

  it('grants window only as the reader consumes', async () => {
    const { session, peer } = await rawSetup();
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    const stream = await streamP;
    stream.pause();
    peer.data(1, Buffer.alloc(65536));
    await new Promise(r => setTimeout(r, 150));
    expect(peer.frames.filter(f => f.type === 'WINDOW_UPDATE')).toHaveLength(0);
    stream.resume();
    const update = await peer.take(f => f.type === 'WINDOW_UPDATE' && f.streamId === 1);
    expect(update.type === 'WINDOW_UPDATE' && update.delta).toBeGreaterThanOrEqual(32768);
    await peer.take(f => f.type === 'WINDOW_UPDATE' && f.streamId === 0);
  });

  it('resets a stream that overruns the window when strictReceiveWindow is on', async () => {
    const { session, peer } = await rawSetup({ strictReceiveWindow: true });
    const streamP = nextStream(session);
    await peer.synStream(1, {});
    (await streamP).pause();
    peer.data(1, Buffer.alloc(65536));
    peer.data(1, Buffer.alloc(1));
    expect(await peer.takeType('RST_STREAM')).toMatchObject({
      streamId: 1,
      status: RstStatus.FLOW_CONTROL_ERROR,
    });
  });

  it('moves 100 MB client→server intact with bounded buffering (windows respected)', async () => {
    const { server, client } = await sessionPair({}, { sendFlowControl: true });
    const total = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;

    let maxServerBuffered = 0;
    let maxInFlight = 0;
    let consumed = 0;
    let produced = 0;
    const serverDone = new Promise<string>((resolve, reject) => {
      server.on('stream', s => {
        const hash = createHash('sha256');
        s.on('data', (c: Buffer) => {
          maxServerBuffered = Math.max(maxServerBuffered, s.readableLength);
          consumed += c.length;
          hash.update(c);
        });
        s.on('end', () => {
          s.end();
          resolve(hash.digest('hex'));
        });
        s.on('error', reject);
      });
    });
    const stream = await client.openStream({ streamtype: 'data' });
    const sent = createHash('sha256');
    async function* source(): AsyncGenerator<Buffer> {
      while (produced < total) {
        sent.update(chunk);
        produced += chunk.length;
        // Bytes the producer is ahead of the consumer: bounded by window + stream/socket buffers.
        maxInFlight = Math.max(maxInFlight, produced - consumed);
        yield chunk;
      }
    }
    await pipeline(source(), stream);
    const got = await serverDone;
    expect(got).toBe(sent.digest('hex'));
    expect(consumed).toBe(total);
    expect(maxServerBuffered).toBeLessThanOrEqual(64 * 1024);
    // window (64 KiB) + the stream's writable buffer (64 KiB) + one source chunk + socket buffers.
    expect(maxInFlight).toBeLessThan(8 * 1024 * 1024);
  }, 120_000);

  it('moves 100 MB server→client to a slow Go-style reader with bounded memory (no windows)', async () => {
    // Server mode as used with kubectl: ignore windows, rely on socket backpressure.
    const { server, client } = await sessionPair(
      { sendFlowControl: false },
      { sendFlowControl: false },
    );
    const total = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    server.on('stream', s => {
      async function* source(): AsyncGenerator<Buffer> {
        while (produced < total) {
          produced += chunk.length;
          maxAhead = Math.max(maxAhead, produced - consumed);
          yield chunk;
        }
      }
      void pipeline(source(), s);
    });
    const stream = await client.openStream({ streamtype: 'stdout' });
    const hash = createHash('sha256');
    let pauses = 0;
    for await (const c of stream) {
      const b = c as Buffer;
      consumed += b.length;
      hash.update(b);
      // A slow consumer now and then.
      if ((consumed & (16 * 1024 * 1024 - 1)) < b.length) {
        pauses++;
        await new Promise(r => setTimeout(r, 50));
      }
    }
    expect(consumed).toBe(total);
    expect(pauses).toBeGreaterThan(3);
    const want = createHash('sha256');
    for (let i = 0; i < total / chunk.length; i++) want.update(chunk);
    expect(hash.digest('hex')).toBe(want.digest('hex'));
    // The producer never ran far ahead: TCP backpressure reached it.
    expect(maxAhead).toBeLessThan(24 * 1024 * 1024);
  }, 120_000);
});

describe('waitForStreams', () => {
  it('resolves with the expected streams', async () => {
    const { session, peer } = await rawSetup();
    const wait = waitForStreams(session, 2, 1000, s => s.header('streamtype') !== 'ignored');
    await peer.synStream(1, { streamtype: 'ignored' });
    await peer.synStream(3, { streamtype: 'stdout' });
    await peer.synStream(5, { streamtype: 'error' });
    const streams = await wait;
    expect(streams.map(s => s.id)).toEqual([3, 5]);
  });

  it('rejects after creationTimeoutMs', async () => {
    const { session, peer } = await rawSetup();
    const wait = waitForStreams(session, 3, 100);
    await peer.synStream(1, {});
    await expect(wait).rejects.toThrow(/got 1 of 3/);
  });

  it('rejects when the session closes first', async () => {
    const { session } = await rawSetup();
    const wait = waitForStreams(session, 1, 5000);
    session.destroy();
    await expect(wait).rejects.toThrow(/closed/);
  });

  it('handles a SYN_STREAM carrying FIN (no request body)', async () => {
    const { session, peer } = await rawSetup();
    const p = nextStream(session);
    await peer.synStream(1, {}, FLAG_FIN);
    const s = await p;
    expect((await readAll(s)).length).toBe(0);
    expect(s.readableEnded).toBe(true);
  });
});
