// The demo server without a browser: the frames a sync client exchanges with
// it over a real WebSocket, as @absolutejs/sync's socket sends them.
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { startLiveCursorsServer, type LiveCursorsServer } from '../examples/live-cursors/server.js';
import { presenceErrorCode } from '../src/index.js';

type Frame = Record<string, unknown> & { type: string };

const started: LiveCursorsServer[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.close();
});

const start = async (pack: Parameters<typeof startLiveCursorsServer>[0] = {}): Promise<LiveCursorsServer> => {
  const server = await startLiveCursorsServer({ cleanupEveryMs: 50, ...pack });
  started.push(server);
  return server;
};

/** A socket as `user`, collecting frames; `next(match)` waits (with a deadline) for the first unread one that matches. */
const connect = async (server: LiveCursorsServer, user: string) => {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/sync/ws?user=${user}`);
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    for (const wake of [...waiters]) wake();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = (match: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> =>
    new Promise((resolve, reject) => {
      const look = (): void => {
        const index = frames.findIndex(match);
        if (index === -1) return;
        waiters.delete(look);
        clearTimeout(timer);
        resolve(frames.splice(index, 1)[0] as Frame);
      };
      const timer = setTimeout(() => {
        waiters.delete(look);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
      }, timeoutMs);
      waiters.add(look);
      look();
    });
  const send = (frame: object): void => socket.send(JSON.stringify(frame));
  return { socket, next, send };
};

describe('the live-cursors server', () => {
  test('serves the page, the config and the client scripts, and nothing else', async () => {
    const server = await start({ pack: { heartbeatTtlSec: 7 } });
    expect(await (await fetch(`${server.url}/`)).text()).toContain('/examples/live-cursors/browser/app.js');
    expect(await (await fetch(`${server.url}/config.json`)).json()).toEqual({ heartbeatTtlSec: 7, typingTtlSec: 5 });
    for (const path of ['/package.json', '/src/../package.json', '/spec/engine.js', '/src/client/nope.js']) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  test('subscribe gets a snapshot, a mutation its diff then its ack with the stored row, and a rejection only a message', async () => {
    const server = await start();
    const ada = await connect(server, 'Ada');
    ada.send({ type: 'subscribe', id: 'c1', collection: 'presence', params: { channel: 'room' } });
    expect(await ada.next((f) => f.type === 'snapshot')).toMatchObject({ id: 'c1', rows: [] });
    ada.send({ type: 'mutate', mutationId: 1, name: 'presence:heartbeat', args: { channel: 'room', session: 's1', state: { name: 'Ada' } } });
    const diff = await ada.next((f) => f.type === 'diff');
    const ack = await ada.next((f) => f.type === 'ack');
    expect(diff).toMatchObject({ id: 'c1', added: [{ actorId: 'Ada', sessionId: 's1', state: { name: 'Ada' } }], changed: [], removed: [] });
    expect(typeof diff['cursor']).toBe('string');
    expect(ack).toMatchObject({ mutationId: 1, result: { actorId: 'Ada', sessionId: 's1' } });
    expect(typeof (ack['result'] as { heartbeatAt: unknown }).heartbeatAt).toBe('number');
    ada.send({ type: 'mutate', mutationId: 2, name: 'presence:cursor', args: { channel: 'room', session: 'other', cursor: { x: 1 } } });
    const reject = await ada.next((f) => f.type === 'reject');
    expect(Object.keys(reject).sort()).toEqual(['message', 'mutationId', 'type']);
    expect(presenceErrorCode(reject['message'])).toBe('NOT_PRESENT');
  });

  test('a resumed subscribe gets the changes it missed; unsubscribe and close end the subscriptions', async () => {
    const server = await start({ pack: { heartbeatTtlSec: 60 } });
    const ada = await connect(server, 'Ada');
    ada.send({ type: 'subscribe', id: 'c1', collection: 'presence', params: { channel: 'room' } });
    const { cursor } = await ada.next((f) => f.type === 'snapshot');
    ada.send({ type: 'unsubscribe', id: 'c1' });
    const grace = await connect(server, 'Grace');
    grace.send({ type: 'mutate', mutationId: 1, name: 'presence:heartbeat', args: { channel: 'room', session: 'g' } });
    await grace.next((f) => f.type === 'ack');
    ada.send({ type: 'subscribe', id: 'c2', collection: 'presence', params: { channel: 'room' }, since: cursor });
    const missed = await ada.next((f) => f.type === 'diff' && f['id'] === 'c2');
    expect(missed['changed']).toMatchObject([{ actorId: 'Grace' }]);
    expect(server.engine.subscriptionCount()).toBe(1);
    ada.socket.close();
    await expect.poll(() => server.engine.subscriptionCount()).toBe(0);
  });

  test('a denied or duplicate subscribe and a malformed frame get error frames', async () => {
    const server = await start({ pack: { canAccessChannel: (channel) => channel !== 'secret' } });
    const ada = await connect(server, 'Ada');
    ada.send({ type: 'subscribe', id: 'c1', collection: 'presence', params: { channel: 'secret' } });
    expect(presenceErrorCode((await ada.next((f) => f.type === 'error'))['message'])).toBe('CHANNEL_DENIED');
    ada.send({ type: 'subscribe', id: 'c2', collection: 'presence', params: { channel: 'open' } });
    await ada.next((f) => f.type === 'snapshot');
    ada.send({ type: 'subscribe', id: 'c2', collection: 'presence', params: { channel: 'open' } });
    expect(await ada.next((f) => f.type === 'error')).toEqual({ type: 'error', id: 'c2', message: 'Subscription id "c2" already in use' });
    ada.socket.send('{not json');
    expect(await ada.next((f) => f.type === 'error')).toEqual({ type: 'error', message: 'Malformed sync frame' });
  });

  test('the cleanup trigger removes an expired member and tells subscribers', async () => {
    const server = await start({ pack: { heartbeatTtlSec: 0.2 } });
    const ada = await connect(server, 'Ada');
    ada.send({ type: 'subscribe', id: 'c1', collection: 'presence', params: { channel: 'room' } });
    await ada.next((f) => f.type === 'snapshot');
    ada.send({ type: 'mutate', mutationId: 1, name: 'presence:heartbeat', args: { channel: 'room', session: 's' } });
    await ada.next((f) => f.type === 'ack');
    expect(await ada.next((f) => f.type === 'diff' && (f['removed'] as unknown[]).length === 1)).toMatchObject({ removed: [{ actorId: 'Ada' }] });
  });
});
